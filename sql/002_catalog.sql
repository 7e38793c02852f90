-- The catalog as discovery last reported it: each project's make targets, and what keeps linking
-- jobs to their project and VM cheap when a catalog report (re)creates them.

-- A project's targets in the order they were listed; replaced whenever its targets are reported,
-- gone with the project.
CREATE TABLE project_targets (
  project_id  uuid NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  name        text NOT NULL,
  description text,
  PRIMARY KEY (project_id, name)
);
CREATE INDEX project_targets_order_idx ON project_targets (project_id, position);

-- Jobs not (or no longer) linked to a project or VM they name: a catalog report links them when it
-- brings that project or VM, looking only at these rows rather than at the whole history.
CREATE INDEX jobs_unlinked_alias_idx ON jobs (alias) WHERE project_id IS NULL AND alias IS NOT NULL;
CREATE INDEX jobs_unlinked_vm_idx ON jobs (vm) WHERE vm_id IS NULL AND vm IS NOT NULL;

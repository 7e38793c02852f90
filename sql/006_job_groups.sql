-- A job may be one of a group: a target run on every VM of an environment is one parent job
-- (kind `environment`, no process of its own) with a child job per VM. No foreign key: a
-- window's spool may bring a child to the hub before its parent.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
  CHECK (kind IN ('target', 'terminal', 'ssh-logs', 'remote-command', 'environment'));
ALTER TABLE jobs ADD COLUMN parent_id uuid;
CREATE INDEX jobs_parent_idx ON jobs (parent_id) WHERE parent_id IS NOT NULL;

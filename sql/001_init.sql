-- The job history: projects and VMs as last synced, every job with how it ended, and its output
-- in chunks keyed by (job_id, seq). Runs unchanged on PGlite and on PostgreSQL 13 or newer.

CREATE TABLE projects (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  alias       text NOT NULL UNIQUE,
  directory   text NOT NULL,
  version     text,
  last_synced timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE vms (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  environment     text NOT NULL,
  name            text NOT NULL,
  host            text NOT NULL,
  user_name       text NOT NULL,
  ssh_destination text,
  ssh_config_host text,
  last_synced     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (name, environment)
);

CREATE TABLE jobs (
  id          uuid PRIMARY KEY,
  kind        text NOT NULL CHECK (kind IN ('target', 'terminal', 'ssh-logs', 'remote-command')),
  mode        text NOT NULL CHECK (mode IN ('console', 'terminal')),
  title       text NOT NULL,
  -- The program and its arguments exactly as spawned; `command` is the same, quoted for display.
  argv        text[] NOT NULL,
  command     text NOT NULL,
  cwd         text,
  alias       text,
  target      text,
  args        text[],
  -- Kept when the project or VM is synced away later: the job still names them in alias and vm.
  project_id  uuid REFERENCES projects (id) ON DELETE SET NULL,
  vm_id       uuid REFERENCES vms (id) ON DELETE SET NULL,
  vm          text,
  -- The machine that ran the job, and the window or client that reported it.
  hostname    text NOT NULL,
  reporter    text,
  status      text NOT NULL CHECK (status IN ('running', 'success', 'failed', 'canceled', 'interrupted')),
  started_at  timestamptz NOT NULL,
  finished_at timestamptz,
  exit_code   integer,
  signal      text,
  duration_ms bigint,
  -- The highest seq stored, and when the reporter was last heard from (start, output or end).
  last_seq    integer,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- History pages, newest first, paged by (started_at, id); the same under each filter.
CREATE INDEX jobs_started_idx ON jobs (started_at, id);
CREATE INDEX jobs_status_idx ON jobs (status, started_at, id);
CREATE INDEX jobs_alias_idx ON jobs (alias, started_at, id);
CREATE INDEX jobs_vm_idx ON jobs (vm, started_at, id);
CREATE INDEX jobs_project_idx ON jobs (project_id);
CREATE INDEX jobs_vm_id_idx ON jobs (vm_id);
-- Finding the running jobs of a window that went away.
CREATE INDEX jobs_running_reporter_idx ON jobs (reporter) WHERE status = 'running';

-- Output in chunks cut on line boundaries (a chunk holds many lines), stored once per (job_id, seq).
CREATE TABLE job_events (
  job_id uuid NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  seq    integer NOT NULL CHECK (seq >= 0),
  ts     timestamptz NOT NULL,
  stream text NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
  chunk  text NOT NULL,
  PRIMARY KEY (job_id, seq)
);

-- Searching commands (`ILIKE '%…%'`) uses a trigram index where pg_trgm can be installed: PGlite
-- ships it and PostgreSQL has it in contrib (trusted, so a database owner may create it). Where it
-- cannot be installed the search still works, as a scan of the jobs table.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX jobs_command_trgm_idx ON jobs USING gin (command gin_trgm_ops);
EXCEPTION WHEN undefined_file OR insufficient_privilege OR feature_not_supported THEN
  RAISE NOTICE 'pg_trgm is not available (%): command search scans the jobs table', SQLERRM;
END
$$;

-- Targets run one after the other: one parent job (kind `sequence`) with a child job per step;
-- the steps after one that failed or was canceled end `skipped`, never having run.
ALTER TABLE jobs DROP CONSTRAINT jobs_kind_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_kind_check
  CHECK (kind IN ('target', 'terminal', 'ssh-logs', 'remote-command', 'environment', 'sequence'));
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('queued', 'running', 'success', 'failed', 'canceled', 'interrupted', 'skipped'));

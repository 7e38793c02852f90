-- A job may wait for its VM before it runs (vmOrchestrator.run.perVmConcurrency): `queued`.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('queued', 'running', 'success', 'failed', 'canceled', 'interrupted'));
-- The jobs of a window that went away, found by reporter, now include the queued ones.
DROP INDEX jobs_running_reporter_idx;
CREATE INDEX jobs_active_reporter_idx ON jobs (reporter) WHERE status IN ('queued', 'running');

-- A job may wait for its VM before it runs (vmOrchestrator.run.perVmConcurrency): `queued`.
ALTER TABLE jobs DROP CONSTRAINT jobs_status_check;
ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
  CHECK (status IN ('queued', 'running', 'success', 'failed', 'canceled', 'interrupted'));

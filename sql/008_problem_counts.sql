-- The errors and warnings found in a job's output (targets and commands on VMs), stored with its end.
ALTER TABLE jobs ADD COLUMN error_count integer;
ALTER TABLE jobs ADD COLUMN warning_count integer;

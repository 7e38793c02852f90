-- History pages filtered by project or VM and by status (the failures of one project, say), newest
-- first: one index range in started_at order. Without them PostgreSQL combined the alias or vm index
-- with the status index, whose part for `failed` alone holds an eighth of all jobs; on 100,000 jobs
-- that bitmap cost most of the page (`npm run bench -- history`).
CREATE INDEX jobs_alias_status_idx ON jobs (alias, status, started_at, id);
CREATE INDEX jobs_vm_status_idx ON jobs (vm, status, started_at, id);

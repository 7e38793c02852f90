-- Who may report a job: the SHA-256 of the secret key of the window that started it (the key itself
-- never leaves that window). A report of the job's output or end from a client holding another key
-- is refused, by this hub after a restart and by every hub on the same database alike. NULL for a
-- job started without a key (by a window older than keys, or before this column). Written by the
-- job's first start only, never updated, and never selected into an answer (JOB_COLUMNS leaves it
-- out): it is not the reporter id, which every watcher is told.
ALTER TABLE jobs ADD COLUMN owner_key_sha256 bytea CHECK (octet_length(owner_key_sha256) = 32);

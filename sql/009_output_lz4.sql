-- Job output is compressed with lz4 where the server offers it (PostgreSQL 14 or newer, built with
-- lz4, as Debian's and the official images are): it takes a third of pglz's CPU for about the same
-- size, and the server's CPU is what storing a flood of output waits for. PGlite offers only pglz and
-- keeps it. Rows stored before keep their compression; PostgreSQL reads both.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
    -- EXECUTE: PostgreSQL 13's parser does not know SET COMPRESSION, even in a branch not taken.
    EXECUTE 'ALTER TABLE job_events ALTER COLUMN chunk SET COMPRESSION lz4';
  END IF;
END
$$;

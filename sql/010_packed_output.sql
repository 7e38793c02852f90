-- Large chunks of output are stored deflated by the hub (src/core/store/packedOutput.ts): `packed`
-- holds the raw DEFLATE bytes and `size` the text's UTF-8 bytes, which paging by size reads; `chunk`
-- holds the text of the others, and of every row stored before. EXTERNAL: the server does not try
-- to compress again what is already compressed. NOT VALID: rows stored before are not scanned.
ALTER TABLE job_events ALTER COLUMN chunk DROP NOT NULL;
ALTER TABLE job_events ADD COLUMN packed bytea, ADD COLUMN size integer;
ALTER TABLE job_events ALTER COLUMN packed SET STORAGE EXTERNAL;
ALTER TABLE job_events ADD CONSTRAINT job_events_text_or_packed
  CHECK (CASE WHEN packed IS NULL THEN chunk IS NOT NULL AND size IS NULL ELSE chunk IS NULL AND size >= 0 END) NOT VALID;

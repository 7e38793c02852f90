-- What a window's last check of a VM found (`ssh -o BatchMode=yes <dest> true`), for /api/vms:
-- NULL until some window checked it.
ALTER TABLE vms
  ADD COLUMN reachable boolean,
  ADD COLUMN reachability text,
  ADD COLUMN reachability_message text,
  ADD COLUMN reachability_checked_at timestamptz;

-- Cache keys that cannot collide: one global, monotonic change serial (warehouse's last_serial idea), drawn
-- by every write that changes what a page shows. Row ids are reused by SQLite after a delete, per-row
-- counters repeat across rows; a serial value is never handed out twice.
CREATE TABLE change_serial (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  value INTEGER NOT NULL
);

ALTER TABLE repository RENAME COLUMN serial TO content_serial;
-- The serial of the repository's own configuration (its upstream list).
ALTER TABLE repository ADD COLUMN config_serial INTEGER NOT NULL DEFAULT 0;
ALTER TABLE package RENAME COLUMN generation TO last_serial;

-- Existing rows get distinct values, all below the counter's start.
UPDATE repository SET config_serial = id,
                      content_serial = id + (SELECT coalesce(max(id), 0) FROM repository);
UPDATE package SET last_serial = id + 2 * (SELECT coalesce(max(id), 0) FROM repository);
INSERT INTO change_serial (id, value)
  VALUES (1, 2 * (SELECT coalesce(max(id), 0) FROM repository) + (SELECT coalesce(max(id), 0) FROM package) + 1);

-- domainEntryPoint: where a version entered the domain (a repository it was published to, or an external
-- connection). Versions so far were all published directly to their own repository.
ALTER TABLE package_version ADD COLUMN entry_repository TEXT;
ALTER TABLE package_version ADD COLUMN entry_external_connection TEXT;
UPDATE package_version SET entry_repository =
  (SELECT r.name FROM package p JOIN repository r ON r.id = p.repository_id WHERE p.id = package_version.package_id);

CREATE INDEX package_version_by_package ON package_version (package_id, status);

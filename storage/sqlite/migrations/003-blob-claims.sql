-- A claim marks a blob as about to be referenced: written before an upload's bytes are put in place and
-- removed in the transaction that writes its asset row. Reclaiming a blob re-checks assets and claims after
-- taking the bytes out of their address, so a writer in any process that claimed it in between keeps it.
-- AUTOINCREMENT: a claim id is never reused, so releasing one can never release another's.
CREATE TABLE blob_claim (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  sha256     TEXT    NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX blob_claim_by_sha256 ON blob_claim (sha256);
CREATE INDEX blob_claim_by_age ON blob_claim (created_at);

-- Package groups (per domain): a pattern, its own origin restriction modes, and the repositories allowed
-- where a mode is ALLOW_SPECIFIC_REPOSITORIES. Every domain has the root group '/*'.
CREATE TABLE package_group (
  id                     INTEGER PRIMARY KEY,
  domain_id              INTEGER NOT NULL REFERENCES domain (id) ON DELETE CASCADE,
  pattern                TEXT    NOT NULL,
  description            TEXT,
  contact_info           TEXT,
  created_at             INTEGER NOT NULL,
  publish_mode           TEXT    NOT NULL DEFAULT 'INHERIT',
  external_upstream_mode TEXT    NOT NULL DEFAULT 'INHERIT',
  internal_upstream_mode TEXT    NOT NULL DEFAULT 'INHERIT',
  UNIQUE (domain_id, pattern)
);

CREATE TABLE package_group_allowed_repository (
  group_id         INTEGER NOT NULL REFERENCES package_group (id) ON DELETE CASCADE,
  restriction_type TEXT    NOT NULL,
  repository_name  TEXT    NOT NULL,
  PRIMARY KEY (group_id, restriction_type, repository_name)
);

INSERT INTO package_group (domain_id, pattern, created_at, publish_mode, external_upstream_mode, internal_upstream_mode)
  SELECT id, '/*', created_at, 'ALLOW', 'ALLOW', 'ALLOW' FROM domain;

-- Package groups change what every repository of the domain shows: their serial is part of page cache keys.
ALTER TABLE domain ADD COLUMN groups_serial INTEGER NOT NULL DEFAULT 0;

-- Permission policies of domains and repositories: stored and returned with their revision.
CREATE TABLE resource_policy (
  resource_type TEXT    NOT NULL,   -- 'domain' | 'repository'
  resource_id   INTEGER NOT NULL,
  document      TEXT    NOT NULL,
  revision      TEXT    NOT NULL,
  PRIMARY KEY (resource_type, resource_id)
);

-- PEP 592: a file yanked by the external source it came from. NULL: not yanked; '' yanked without a reason.
ALTER TABLE asset ADD COLUMN yanked TEXT;

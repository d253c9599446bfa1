-- Initial schema. Times are epoch milliseconds (INTEGER). Names are stored as given; `normalized_name`
-- is the form a package is matched by in its format (PyPI: PEP 503).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE domain (
  id             INTEGER PRIMARY KEY,
  owner          TEXT    NOT NULL,
  name           TEXT    NOT NULL,
  encryption_key TEXT,
  created_at     INTEGER NOT NULL,
  UNIQUE (owner, name)
);

CREATE TABLE repository (
  id                    INTEGER PRIMARY KEY,
  domain_id             INTEGER NOT NULL REFERENCES domain (id) ON DELETE RESTRICT,
  name                  TEXT    NOT NULL,
  description           TEXT,
  administrator_account TEXT    NOT NULL,
  created_at            INTEGER NOT NULL,
  -- Bumped whenever any of its packages changes: the key of the cached project list.
  serial                INTEGER NOT NULL DEFAULT 0,
  UNIQUE (domain_id, name)
);
CREATE INDEX repository_by_name ON repository (name, id);

-- Upstreams in priority order. An upstream cannot be deleted while a repository points at it.
CREATE TABLE repository_upstream (
  repository_id INTEGER NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
  position      INTEGER NOT NULL,
  upstream_id   INTEGER NOT NULL REFERENCES repository (id) ON DELETE RESTRICT,
  PRIMARY KEY (repository_id, position),
  UNIQUE (repository_id, upstream_id)
);
CREATE INDEX repository_upstream_by_upstream ON repository_upstream (upstream_id);

CREATE TABLE external_connection (
  repository_id INTEGER NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
  name          TEXT    NOT NULL,
  format        TEXT    NOT NULL,
  PRIMARY KEY (repository_id, name)
);

CREATE TABLE package (
  id              INTEGER PRIMARY KEY,
  repository_id   INTEGER NOT NULL REFERENCES repository (id) ON DELETE CASCADE,
  format          TEXT    NOT NULL,
  namespace       TEXT    NOT NULL DEFAULT '',
  name            TEXT    NOT NULL,
  normalized_name TEXT    NOT NULL,
  publish         TEXT    NOT NULL DEFAULT 'ALLOW',
  upstream        TEXT    NOT NULL DEFAULT 'BLOCK',
  -- Bumped on every change to the package's versions or assets: the key of cached index pages.
  generation      INTEGER NOT NULL DEFAULT 0,
  UNIQUE (repository_id, format, namespace, normalized_name)
);
CREATE INDEX package_by_name ON package (repository_id, normalized_name, format, namespace);

CREATE TABLE package_version (
  id                     INTEGER PRIMARY KEY,
  package_id             INTEGER NOT NULL REFERENCES package (id) ON DELETE CASCADE,
  version                TEXT    NOT NULL,
  status                 TEXT    NOT NULL,
  revision               TEXT    NOT NULL,
  origin_type            TEXT    NOT NULL DEFAULT 'INTERNAL',
  created_at             INTEGER NOT NULL,
  published_at           INTEGER,
  display_name           TEXT,
  summary                TEXT,
  home_page              TEXT,
  source_code_repository TEXT,
  licenses               TEXT,    -- JSON [{name,url}]
  readme                 TEXT,
  readme_content_type    TEXT,
  requires_python        TEXT,
  metadata               TEXT,    -- JSON of format-specific metadata fields
  UNIQUE (package_id, version)
);

CREATE TABLE asset (
  id         INTEGER PRIMARY KEY,
  version_id INTEGER NOT NULL REFERENCES package_version (id) ON DELETE CASCADE,
  name       TEXT    NOT NULL,
  size       INTEGER NOT NULL,
  sha256     TEXT    NOT NULL,    -- also the blob's address in the blob store
  sha1       TEXT    NOT NULL,
  sha512     TEXT    NOT NULL,
  md5        TEXT    NOT NULL,
  blake2b256 TEXT    NOT NULL,
  -- PEP 658: the file's core metadata (METADATA of a wheel) and its SHA-256, when it has one.
  core_metadata        BLOB,
  core_metadata_sha256 TEXT,
  created_at INTEGER NOT NULL,
  UNIQUE (version_id, name)
);
CREATE INDEX asset_by_sha256 ON asset (sha256);

CREATE TABLE dependency (
  version_id          INTEGER NOT NULL REFERENCES package_version (id) ON DELETE CASCADE,
  position            INTEGER NOT NULL,
  namespace           TEXT,
  package             TEXT    NOT NULL,
  dependency_type     TEXT,
  version_requirement TEXT,
  PRIMARY KEY (version_id, position)
);

-- Only the SHA-256 of a token is kept: a stolen database does not hand out live tokens.
CREATE TABLE auth_token (
  token_sha256 TEXT    PRIMARY KEY,
  domain_id    INTEGER NOT NULL REFERENCES domain (id) ON DELETE CASCADE,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL
);
CREATE INDEX auth_token_by_expiry ON auth_token (expires_at);

CREATE TABLE tag (
  resource_type TEXT    NOT NULL,   -- 'domain' | 'repository'
  resource_id   INTEGER NOT NULL,
  key           TEXT    NOT NULL,
  value         TEXT    NOT NULL,
  PRIMARY KEY (resource_type, resource_id, key)
);

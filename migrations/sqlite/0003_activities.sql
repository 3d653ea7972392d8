-- Organisations, their API tokens, activities and volunteer needs (issue 6).
-- Activities and needs keep the owner's document as JSON (`domain::activity::ActivityDoc`,
-- `NeedDoc`); `version` is bumped by every write and makes the ETag. Times are Unix
-- milliseconds, dates ISO 8601 text. Offers of help are personal data: they are never loaded
-- into the public snapshot and are deleted after their need's `valid_until`.
CREATE TABLE organisations (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('volunteer_organisation', 'municipality', 'sports_club', 'business')),
    contact    TEXT,
    example    INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    role       TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
    -- SHA-256 of the token, hex: the token itself is shown once and never stored.
    sha256     TEXT NOT NULL UNIQUE,
    label      TEXT,
    created_ms INTEGER NOT NULL,
    revoked_ms INTEGER
);

CREATE TABLE activities (
    id         INTEGER PRIMARY KEY,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    version    INTEGER NOT NULL,
    example    INTEGER NOT NULL DEFAULT 0,
    doc        TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX activities_org ON activities (org_id);

CREATE TABLE volunteer_needs (
    id          INTEGER PRIMARY KEY,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    version     INTEGER NOT NULL,
    example     INTEGER NOT NULL DEFAULT 0,
    doc         TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    updated_ms  INTEGER NOT NULL
);
CREATE INDEX volunteer_needs_org ON volunteer_needs (org_id);

CREATE TABLE help_offers (
    id         INTEGER PRIMARY KEY,
    need_id    INTEGER NOT NULL REFERENCES volunteer_needs (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    contact    TEXT NOT NULL,
    message    TEXT,
    created_ms INTEGER NOT NULL
);
CREATE INDEX help_offers_need ON help_offers (need_id);

-- Every write through the API: who (token, organisation, role), when, what, before and after.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    token_id   INTEGER,
    org_id     INTEGER,
    role       TEXT,
    action     TEXT NOT NULL CHECK (action IN ('create', 'replace', 'delete')),
    collection TEXT NOT NULL,
    item_id    INTEGER NOT NULL,
    before     TEXT,
    after      TEXT
);

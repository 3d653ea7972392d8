-- Organisations, their API tokens, activities and volunteer needs: the same tables as the
-- embedded store (migrations/sqlite/0003), with JSONB documents and, for planners who query
-- PostGIS directly, a generated point geometry where the place is a point.
CREATE TABLE organisations (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('volunteer_organisation', 'municipality', 'sports_club', 'business')),
    contact    TEXT,
    example    BOOLEAN NOT NULL DEFAULT false,
    created_ms BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id         BIGSERIAL PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organisations (id),
    role       TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
    sha256     TEXT NOT NULL UNIQUE,
    label      TEXT,
    created_ms BIGINT NOT NULL,
    revoked_ms BIGINT
);

CREATE TABLE activities (
    id         BIGSERIAL PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organisations (id),
    version    BIGINT NOT NULL,
    example    BOOLEAN NOT NULL DEFAULT false,
    doc        JSONB NOT NULL,
    updated_ms BIGINT NOT NULL,
    geom       geometry(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN doc -> 'place' ? 'lon' THEN
            ST_SetSRID(ST_MakePoint((doc -> 'place' ->> 'lon')::float8, (doc -> 'place' ->> 'lat')::float8), 4326)
        END) STORED
);
CREATE INDEX activities_org ON activities (org_id);

CREATE TABLE volunteer_needs (
    id          BIGSERIAL PRIMARY KEY,
    org_id      BIGINT NOT NULL REFERENCES organisations (id),
    version     BIGINT NOT NULL,
    example     BOOLEAN NOT NULL DEFAULT false,
    doc         JSONB NOT NULL,
    valid_until TEXT NOT NULL,
    updated_ms  BIGINT NOT NULL,
    geom        geometry(Point, 4326) GENERATED ALWAYS AS (
        CASE WHEN doc -> 'place' ? 'lon' THEN
            ST_SetSRID(ST_MakePoint((doc -> 'place' ->> 'lon')::float8, (doc -> 'place' ->> 'lat')::float8), 4326)
        END) STORED
);
CREATE INDEX volunteer_needs_org ON volunteer_needs (org_id);

CREATE TABLE help_offers (
    id         BIGSERIAL PRIMARY KEY,
    need_id    BIGINT NOT NULL REFERENCES volunteer_needs (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    contact    TEXT NOT NULL,
    message    TEXT,
    created_ms BIGINT NOT NULL
);
CREATE INDEX help_offers_need ON help_offers (need_id);

CREATE TABLE audit_log (
    id         BIGSERIAL PRIMARY KEY,
    at_ms      BIGINT NOT NULL,
    token_id   BIGINT,
    org_id     BIGINT,
    role       TEXT,
    action     TEXT NOT NULL CHECK (action IN ('create', 'replace', 'delete')),
    collection TEXT NOT NULL,
    item_id    BIGINT NOT NULL,
    before     JSONB,
    after      JSONB
);

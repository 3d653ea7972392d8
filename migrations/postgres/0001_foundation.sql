-- The PostGIS store: the same tables as the embedded one (migrations/sqlite), with
-- geometries as PostGIS types in EPSG:4326 (lon/lat) and GiST indexes on them.
CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE facilities (
    id            BIGSERIAL PRIMARY KEY,
    source        TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT,
    geom          geometry(Point, 4326) NOT NULL CHECK (ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90),
    address       TEXT,
    wheelchair    TEXT,
    opening_hours TEXT,
    properties    JSONB NOT NULL DEFAULT '{}',
    import_id     BIGINT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX facilities_geom ON facilities USING gist (geom);

CREATE TABLE addresses (
    id                BIGSERIAL PRIMARY KEY,
    source            TEXT NOT NULL,
    source_id         TEXT NOT NULL,
    street            TEXT NOT NULL,
    number            TEXT NOT NULL,
    postcode          TEXT,
    city              TEXT,
    municipality_code TEXT,
    grunnkrets_code   TEXT,
    grunnkrets_name   TEXT,
    geom              geometry(Point, 4326) NOT NULL CHECK (ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90),
    import_id         BIGINT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX addresses_geom ON addresses USING gist (geom);

CREATE TABLE districts (
    id         BIGSERIAL PRIMARY KEY,
    source     TEXT NOT NULL,
    source_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    level      TEXT NOT NULL,
    geom       geometry(MultiPolygon, 4326) NOT NULL,
    population BIGINT,
    import_id  BIGINT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX districts_geom ON districts USING gist (geom);

CREATE TABLE imports (
    id          BIGSERIAL PRIMARY KEY,
    importer    TEXT NOT NULL,
    source      TEXT NOT NULL,
    file        TEXT NOT NULL,
    finished_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    summary     JSONB NOT NULL DEFAULT '{}'
);

-- data_version grows by one with every committed write; each write also sends
-- NOTIFY naermiljo_data, so that every server instance reloads at once.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('data_version', 0);

CREATE TABLE graphs (
    name      TEXT PRIMARY KEY,
    source    TEXT NOT NULL,
    nodes     BIGINT NOT NULL,
    edges     BIGINT NOT NULL,
    data      BYTEA NOT NULL,
    import_id BIGINT NOT NULL
);

-- Facilities, addresses and districts, each keyed by (source, source_id) so that a
-- re-import updates rows in place and ids stay stable for URLs.
-- Positions are WGS84 lon/lat (EPSG:4326); district geometry is WKB (MultiPolygon, 4326).

CREATE TABLE facilities (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    source        TEXT NOT NULL,
    source_id     TEXT NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT,
    lon           REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat           REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    address       TEXT,
    wheelchair    TEXT,
    opening_hours TEXT,
    properties    TEXT NOT NULL DEFAULT '{}',
    import_id     INTEGER NOT NULL,
    UNIQUE (source, source_id)
);

CREATE TABLE addresses (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    source            TEXT NOT NULL,
    source_id         TEXT NOT NULL,
    street            TEXT NOT NULL,
    number            TEXT NOT NULL,
    postcode          TEXT,
    city              TEXT,
    municipality_code TEXT,
    grunnkrets_code   TEXT,
    grunnkrets_name   TEXT,
    lon               REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    lat               REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    import_id         INTEGER NOT NULL,
    UNIQUE (source, source_id)
);

CREATE TABLE districts (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    source     TEXT NOT NULL,
    source_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    level      TEXT NOT NULL,
    geometry   BLOB NOT NULL,
    population INTEGER,
    import_id  INTEGER NOT NULL,
    UNIQUE (source, source_id)
);

-- One row per import that committed: what, from where, when, and what it changed.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    importer    TEXT NOT NULL,
    source      TEXT NOT NULL,
    file        TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    summary     TEXT NOT NULL
);

-- data_version grows by one with every committed write; servers poll it to know when to
-- rebuild their in-memory snapshot.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO meta (key, value) VALUES ('data_version', 0);

-- The basemap archive (PMTiles) kept in the database (issue 16 item 3): every instance
-- serving this database serves the same basemap after an import on any of them. Each
-- instance keeps a copy as a file under its own --data folder, replaced when `sha256` moves.
CREATE TABLE basemap (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    sha256     TEXT NOT NULL,
    archive    BYTEA NOT NULL,
    written_ms BIGINT NOT NULL
);

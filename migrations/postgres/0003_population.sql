-- Residents per area from SSB: see migrations/sqlite/0004_population.sql.
CREATE TABLE population (
    code      TEXT PRIMARY KEY,
    name      TEXT,
    year      INTEGER,
    persons   BIGINT NOT NULL CHECK (persons >= 0),
    source    TEXT NOT NULL,
    import_id BIGINT NOT NULL
);

-- The walking graph, built from an OSM extract in the same transaction as its facilities and
-- addresses, so that every server (and, on PostGIS, every instance) loads the graph that
-- matches the data. One row per graph name; `data` is `routing::WalkGraph::to_bytes`.
CREATE TABLE graphs (
    name      TEXT PRIMARY KEY,
    source    TEXT NOT NULL,
    nodes     INTEGER NOT NULL,
    edges     INTEGER NOT NULL,
    data      BLOB NOT NULL,
    import_id INTEGER NOT NULL
);

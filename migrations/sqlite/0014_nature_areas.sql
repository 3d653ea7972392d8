-- Nature as areas (issue 22): green areas, forest and shores from OpenStreetMap, each with its
-- class, the tag that made it so, its name and size in hectares (computed in metres at
-- import), a point inside it, and its outline or line as WKB (lon/lat).
CREATE TABLE nature_areas (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    source    TEXT NOT NULL,
    source_id TEXT NOT NULL,
    class     TEXT NOT NULL,
    tag       TEXT NOT NULL,
    name      TEXT,
    area_ha   REAL NOT NULL,
    lon       REAL NOT NULL,
    lat       REAL NOT NULL,
    geometry  BLOB NOT NULL,
    import_id INTEGER NOT NULL,
    UNIQUE (source, source_id)
);

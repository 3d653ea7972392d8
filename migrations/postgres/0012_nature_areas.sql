-- Nature as areas (issue 22): green areas, forest and shores from OpenStreetMap, each with its
-- class, the tag that made it so, its name and size in hectares (computed in metres at
-- import), a point inside it, and its outline, line or point.
CREATE TABLE nature_areas (
    id        BIGSERIAL PRIMARY KEY,
    source    TEXT NOT NULL,
    source_id TEXT NOT NULL,
    class     TEXT NOT NULL,
    tag       TEXT NOT NULL,
    name      TEXT,
    area_ha   DOUBLE PRECISION NOT NULL,
    position  geometry(Point, 4326) NOT NULL,
    geom      geometry(Geometry, 4326) NOT NULL,
    import_id BIGINT NOT NULL,
    UNIQUE (source, source_id)
);
CREATE INDEX nature_areas_geom ON nature_areas USING gist (geom);

-- A facility's outline where the source draws it as an area: it is reached at its edge
-- (issue 16).
ALTER TABLE facilities ADD COLUMN area geometry(MultiPolygon, 4326);

-- A facility's outline (WKB MultiPolygon, lon/lat) where the source draws it as an area: it is
-- reached at its edge (issue 16).
ALTER TABLE facilities ADD COLUMN area BLOB;

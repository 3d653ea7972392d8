-- Kartverket's access point (atkomst) of an address, where the register has one: the
-- entrance a home is reached by, used as its place on the walking network (issue 12).
ALTER TABLE addresses ADD COLUMN access_lon REAL;
ALTER TABLE addresses ADD COLUMN access_lat REAL;

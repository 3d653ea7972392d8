-- Residents per area (grunnkrets: 8-digit code, kommune: 4-digit) from SSB, replaced per
-- source by `naermiljo import population`. Coverage weights each address by its
-- grunnkrets' residents spread evenly over the grunnkrets' addresses.
CREATE TABLE population (
    code      TEXT PRIMARY KEY,
    name      TEXT,
    year      INTEGER,
    persons   INTEGER NOT NULL CHECK (persons >= 0),
    source    TEXT NOT NULL,
    import_id INTEGER NOT NULL
);

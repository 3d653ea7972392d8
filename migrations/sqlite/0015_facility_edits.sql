-- Staff's edits of a facility's opening hours and a knutepunkt's services (issue 18), kept
-- apart from the imported row so that a new import does not undo them: keyed by the
-- imported row's (source, source_id), applied over it when the store is read. `fields` is a
-- JSON object of the fields set (`opening_hours`, `services`); a null value removes one.
CREATE TABLE facility_edits (
    source TEXT NOT NULL,
    source_id TEXT NOT NULL,
    fields TEXT NOT NULL,
    updated_ms INTEGER NOT NULL,
    person_id INTEGER,
    PRIMARY KEY (source, source_id)
);

-- A PATCH is logged as `update`, a PUT as `replace` (issue 21): the action's CHECK gains
-- `update`. SQLite cannot change a CHECK, so the table is made anew with the same rows and ids.
CREATE TABLE audit_log_new (
    id         INTEGER PRIMARY KEY,
    at_ms      INTEGER NOT NULL,
    token_id   INTEGER,
    org_id     INTEGER,
    role       TEXT,
    action     TEXT NOT NULL CHECK (action IN ('create', 'replace', 'update', 'delete')),
    collection TEXT NOT NULL,
    item_id    INTEGER NOT NULL,
    before     TEXT,
    after      TEXT,
    person_id  INTEGER
);
INSERT INTO audit_log_new (id, at_ms, token_id, org_id, role, action, collection, item_id, before, after, person_id)
    SELECT id, at_ms, token_id, org_id, role, action, collection, item_id, before, after, person_id FROM audit_log;
DROP TABLE audit_log;
ALTER TABLE audit_log_new RENAME TO audit_log;

-- no-transaction
-- An activity's or volunteer need's id is never given to another item after it is deleted
-- (issue 16, item 4): without AUTOINCREMENT SQLite hands out max(id) + 1, so a deleted
-- newest item's id, and with it its URL and ETag "v1", came back for the next one. The two
-- tables are rebuilt with AUTOINCREMENT, rows and ids kept. Foreign keys are off while the
-- tables are swapped (so that dropping the old table does not cascade to offers of help and
-- reminders; the rows are copied as they are, so every reference stays good); this runs in its own transaction for that
-- reason, as the pragma cannot change inside one.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE activities_new (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations (id),
    version    INTEGER NOT NULL,
    example    INTEGER NOT NULL DEFAULT 0,
    doc        TEXT NOT NULL,
    updated_ms INTEGER NOT NULL
);
INSERT INTO activities_new (id, org_id, version, example, doc, updated_ms)
    SELECT id, org_id, version, example, doc, updated_ms FROM activities;
DROP TABLE activities;
ALTER TABLE activities_new RENAME TO activities;
CREATE INDEX activities_org ON activities (org_id);

CREATE TABLE volunteer_needs_new (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      INTEGER NOT NULL REFERENCES organisations (id),
    version     INTEGER NOT NULL,
    example     INTEGER NOT NULL DEFAULT 0,
    doc         TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    updated_ms  INTEGER NOT NULL
);
INSERT INTO volunteer_needs_new (id, org_id, version, example, doc, valid_until, updated_ms)
    SELECT id, org_id, version, example, doc, valid_until, updated_ms FROM volunteer_needs;
DROP TABLE volunteer_needs;
ALTER TABLE volunteer_needs_new RENAME TO volunteer_needs;
CREATE INDEX volunteer_needs_org ON volunteer_needs (org_id);

-- The highest id ever used is not known for rows deleted before this migration; the audit
-- log names every item written through the API, so ids start above the largest it names.
-- (The copies above left a row per table in sqlite_sequence already; one row each.)
DELETE FROM sqlite_sequence WHERE name IN ('activities', 'volunteer_needs');
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'activities', MAX(COALESCE((SELECT MAX(id) FROM activities), 0),
                             COALESCE((SELECT MAX(item_id) FROM audit_log WHERE collection = 'activities'), 0));
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'volunteer_needs', MAX(COALESCE((SELECT MAX(id) FROM volunteer_needs), 0),
                                  COALESCE((SELECT MAX(item_id) FROM audit_log WHERE collection = 'volunteer-needs'), 0));

COMMIT;
PRAGMA foreign_keys = ON;

-- Medvirkning (issue 15): participation codes in batches, residents' proposals, supports,
-- the municipality's public answers and the links that confirm an email. Personal data is
-- kept only as long as docs/PARTICIPATION.md says: a proposer's email until the proposal is
-- closed plus 90 days; unconfirmed proposals, supports and links 48 hours; codes (SHA-256
-- only) until their batch expired plus 90 days. Supports keep a participant key (a code's id
-- or the SHA-256 of an email), never an address.
CREATE TABLE participation_batches (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    label      TEXT NOT NULL,
    codes      INTEGER NOT NULL,
    proposals  INTEGER NOT NULL,
    supports   INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    created_by INTEGER,
    created_ms INTEGER NOT NULL
);

CREATE TABLE participation_codes (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    batch_id       INTEGER NOT NULL REFERENCES participation_batches (id) ON DELETE CASCADE,
    sha256         TEXT NOT NULL UNIQUE,
    proposals_used INTEGER NOT NULL DEFAULT 0,
    supports_used  INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE proposals (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    category       TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    lon            REAL NOT NULL,
    lat            REAL NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('unconfirmed', 'pending', 'published', 'rejected', 'merged')),
    status         TEXT NOT NULL CHECK (status IN ('received', 'under_consideration', 'planned', 'done', 'not_possible')),
    code_id        INTEGER REFERENCES participation_codes (id) ON DELETE SET NULL,
    batch_label    TEXT,
    email          TEXT,
    email_confirmed_ms INTEGER,
    lang           TEXT NOT NULL DEFAULT 'nb',
    flags          TEXT NOT NULL DEFAULT '[]',
    -- A JPEG written anew from what was sent (no metadata), at most 1600 px each way.
    photo          BLOB,
    reject_reason  TEXT,
    merged_into    INTEGER,
    created_ms     INTEGER NOT NULL,
    published_ms   INTEGER,
    updated_ms     INTEGER NOT NULL,
    closed_ms      INTEGER,
    version        INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX proposals_state ON proposals (state);

CREATE TABLE proposal_supports (
    proposal_id  INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    participant  TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    confirmed_ms INTEGER,
    PRIMARY KEY (proposal_id, participant)
);

CREATE TABLE proposal_answers (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    answer      TEXT NOT NULL,
    person_id   INTEGER,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX proposal_answers_proposal ON proposal_answers (proposal_id);

-- A link that confirms an email: a proposal's (purpose 'proposal' or 'notices') or a
-- support's ('support', with the participant key it will count for).
CREATE TABLE participation_links (
    sha256      TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('proposal', 'notices', 'support')),
    proposal_id INTEGER NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    participant TEXT,
    created_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    used_ms     INTEGER
);

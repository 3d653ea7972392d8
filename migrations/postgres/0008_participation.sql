-- Medvirkning (issue 15): participation codes in batches, residents' proposals, supports,
-- the municipality's public answers and the links that confirm an email. Personal data is
-- kept only as long as docs/PARTICIPATION.md says: a proposer's email until the proposal is
-- closed plus 90 days; unconfirmed proposals, supports and links 48 hours; codes (SHA-256
-- only) until their batch expired plus 90 days. Supports keep a participant key (a code's id
-- or the SHA-256 of an email), never an address.
CREATE TABLE participation_batches (
    id         BIGSERIAL PRIMARY KEY,
    label      TEXT NOT NULL,
    codes      BIGINT NOT NULL,
    proposals  BIGINT NOT NULL,
    supports   BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    created_by BIGINT,
    created_ms BIGINT NOT NULL
);

CREATE TABLE participation_codes (
    id             BIGSERIAL PRIMARY KEY,
    batch_id       BIGINT NOT NULL REFERENCES participation_batches (id) ON DELETE CASCADE,
    sha256         TEXT NOT NULL UNIQUE,
    proposals_used BIGINT NOT NULL DEFAULT 0,
    supports_used  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE proposals (
    id             BIGSERIAL PRIMARY KEY,
    category       TEXT NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    lon            DOUBLE PRECISION NOT NULL,
    lat            DOUBLE PRECISION NOT NULL,
    state          TEXT NOT NULL CHECK (state IN ('unconfirmed', 'pending', 'published', 'rejected', 'merged')),
    status         TEXT NOT NULL CHECK (status IN ('received', 'under_consideration', 'planned', 'done', 'not_possible')),
    code_id        BIGINT REFERENCES participation_codes (id) ON DELETE SET NULL,
    batch_label    TEXT,
    email          TEXT,
    email_confirmed_ms BIGINT,
    lang           TEXT NOT NULL DEFAULT 'nb',
    flags          TEXT NOT NULL DEFAULT '[]',
    -- A JPEG written anew from what was sent (no metadata), at most 1600 px each way.
    photo          BYTEA,
    reject_reason  TEXT,
    merged_into    BIGINT,
    created_ms     BIGINT NOT NULL,
    published_ms   BIGINT,
    updated_ms     BIGINT NOT NULL,
    closed_ms      BIGINT,
    version        BIGINT NOT NULL DEFAULT 1
);
CREATE INDEX proposals_state ON proposals (state);

CREATE TABLE proposal_supports (
    proposal_id  BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    participant  TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    confirmed_ms BIGINT,
    PRIMARY KEY (proposal_id, participant)
);

CREATE TABLE proposal_answers (
    id          BIGSERIAL PRIMARY KEY,
    proposal_id BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    answer      TEXT NOT NULL,
    person_id   BIGINT,
    created_ms  BIGINT NOT NULL
);
CREATE INDEX proposal_answers_proposal ON proposal_answers (proposal_id);

-- A link that confirms an email: a proposal's (purpose 'proposal' or 'notices') or a
-- support's ('support', with the participant key it will count for).
CREATE TABLE participation_links (
    sha256      TEXT PRIMARY KEY,
    purpose     TEXT NOT NULL CHECK (purpose IN ('proposal', 'notices', 'support')),
    proposal_id BIGINT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    participant TEXT,
    created_ms  BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL,
    used_ms     BIGINT
);

-- Accounts for the organisations' and staff's portal (issue 14): people, their memberships of
-- organisations, server-side sessions, one-time links, failed sign-ins (for rate limits) and
-- the email outbox. Personal data, kept only as long as it is needed:
--   sessions: until sign-out, 30 minutes idle or 12 hours after sign-in;
--   one-time links: until used or 24 hours (sign-in links 20 minutes);
--   failed sign-ins: 15 minutes; email: its body until sent, the rest 30 days after sending;
--   unsent email 7 days; people: until an admin deletes them.
-- Secrets (session cookies, links) are stored only as SHA-256; passwords only as Argon2id.
CREATE TABLE people (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT,
    staff_role    TEXT CHECK (staff_role IN ('moderator', 'admin')),
    lang          TEXT NOT NULL DEFAULT 'nb',
    created_ms    BIGINT NOT NULL,
    disabled_ms   BIGINT
);

CREATE TABLE memberships (
    person_id  BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    org_id     BIGINT NOT NULL REFERENCES organisations (id),
    role       TEXT NOT NULL CHECK (role IN ('editor', 'org_admin')),
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (person_id, org_id)
);

CREATE TABLE sessions (
    sha256     TEXT PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    seen_ms    BIGINT NOT NULL,
    -- Until when this session may set a password without the current one (a session begun
    -- from an invitation or password-reset link, for 15 minutes).
    reset_until_ms BIGINT
);
CREATE INDEX sessions_person ON sessions (person_id);

CREATE TABLE one_time_links (
    sha256     TEXT PRIMARY KEY,
    person_id  BIGINT NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL CHECK (purpose IN ('sign_in', 'invitation', 'password_reset')),
    created_ms BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL,
    used_ms    BIGINT
);

CREATE TABLE sign_in_failures (
    key   TEXT NOT NULL,
    at_ms BIGINT NOT NULL
);
CREATE INDEX sign_in_failures_key ON sign_in_failures (key, at_ms);

CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    body            TEXT NOT NULL,
    kind            TEXT NOT NULL,
    state           TEXT NOT NULL CHECK (state IN ('queued', 'sent')),
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    last_error      TEXT,
    created_ms      BIGINT NOT NULL,
    sent_ms         BIGINT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);

-- An organisation's own note on each offer of help: new, contacted or declined.
ALTER TABLE help_offers ADD COLUMN state TEXT NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'contacted', 'declined'));

-- Needs whose organisation was reminded that they are about to expire (one reminder each).
CREATE TABLE need_reminders (
    need_id BIGINT PRIMARY KEY REFERENCES volunteer_needs (id) ON DELETE CASCADE,
    sent_ms BIGINT NOT NULL
);

-- Who made a change through the portal (the API's tokens are `token_id`).
ALTER TABLE audit_log ADD COLUMN person_id BIGINT;

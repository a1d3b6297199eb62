-- +goose Up
-- Times are Unix milliseconds in INTEGER columns on both dialects, so the
-- same Go code reads and writes them without driver-specific time handling.
CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    cloud      TEXT NOT NULL DEFAULT 'commercial',
    created_at INTEGER NOT NULL,
    -- The Set-OrganizationConfig switches (see package policy).
    connectors_enabled                     INTEGER NOT NULL DEFAULT 1,
    connectors_enabled_for_teams           INTEGER NOT NULL DEFAULT 1,
    connectors_enabled_for_outlook         INTEGER NOT NULL DEFAULT 1,
    connectors_actionable_messages_enabled INTEGER NOT NULL DEFAULT 1,
    -- A URL rotation campaign: webhook URLs issued before url_rotation_issued_before
    -- must be updated by url_rotation_deadline, after which they answer 410.
    url_rotation_issued_before INTEGER,
    url_rotation_deadline      INTEGER,
    -- URLs older than this many seconds show "Attention required" (NULL: no limit).
    url_max_age_seconds        INTEGER
);

CREATE TABLE users (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    name       TEXT NOT NULL,
    email      TEXT,
    -- argon2id in PHC string form; NULL for users who sign in with tokens only.
    password_hash TEXT,
    org_admin  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

-- API tokens are stored as SHA-256 hashes; the token itself is shown once.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES orgs(id),
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE UNIQUE INDEX users_email ON users (org_id, email) WHERE email IS NOT NULL AND email <> '';

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES orgs(id),
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- Set-UnifiedGroup -ConnectorsEnabled, and the team setting that lets
    -- members (not only owners) add, change and remove connectors.
    connectors_enabled            INTEGER NOT NULL DEFAULT 1,
    members_can_manage_connectors INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE team_members (
    team_id    TEXT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

-- Browser sessions (scs). The key is the SHA-256 of the cookie's token.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    data       BLOB NOT NULL,
    expiry     INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

-- Who changed what: policy, membership, connections, tokens. before and
-- after are JSON snapshots of the changed object (secrets never included).
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id      TEXT NOT NULL,
    at          INTEGER NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    team_id     TEXT,
    before      TEXT,
    after       TEXT
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);

CREATE TABLE channels (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES orgs(id),
    team_id       TEXT NOT NULL REFERENCES teams(id),
    name          TEXT NOT NULL,
    message_count INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    UNIQUE (team_id, name)
);

-- A removed connection keeps its row (deleted_at set) so that its URL answers
-- 410 Gone rather than 404, and its messages keep their author.
CREATE TABLE connections (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES orgs(id),
    team_id          TEXT NOT NULL REFERENCES teams(id),
    channel_id       TEXT NOT NULL REFERENCES channels(id),
    connector        TEXT NOT NULL,
    name             TEXT NOT NULL,
    creator_id       TEXT NOT NULL,
    -- URL tokens are derived from the server key and token_salt (so that the
    -- current URL can be shown again) and verified against their SHA-256
    -- hashes (so that a node with another key still verifies correctly).
    -- key_id names the key that derived them.
    token_salt       TEXT NOT NULL,
    key_id           TEXT NOT NULL,
    token_hash       BLOB NOT NULL,
    slack_id         TEXT NOT NULL UNIQUE,
    slack_token_hash BLOB NOT NULL,
    url_issued_at    INTEGER NOT NULL,
    -- After "Update URL", the previous URL's hashes, kept so that it keeps
    -- working until old_expires_at and answers 410 (not 404) after.
    old_token_hash       BLOB,
    old_slack_token_hash BLOB,
    old_expires_at       INTEGER,
    created_at       INTEGER NOT NULL,
    deleted_at       INTEGER,
    -- Per-connection settings as JSON: events to post, branch filter,
    -- generic template. The service's secret (to check its signatures) is
    -- sealed with the server key, as it must be read back to verify HMACs.
    config           TEXT NOT NULL DEFAULT '{}',
    secret_sealed    BLOB,
    -- The picture shown as the author of the connection's messages.
    image            BLOB,
    image_type       TEXT,
    delivered_count  INTEGER NOT NULL DEFAULT 0,
    last_delivery_at INTEGER
);
CREATE INDEX connections_channel ON connections (channel_id);

CREATE TABLE messages (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id        TEXT NOT NULL,
    channel_id    TEXT NOT NULL REFERENCES channels(id),
    -- seq numbers a channel's messages 1, 2, 3... in commit order, also
    -- across nodes: it is taken from channels.message_count under that row's
    -- lock in the inserting transaction. Live streams use it as event id.
    seq           INTEGER NOT NULL,
    connection_id TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    format        TEXT NOT NULL,
    summary       TEXT NOT NULL,
    card          TEXT NOT NULL
);
CREATE UNIQUE INDEX messages_channel_seq ON messages (channel_id, seq);

-- Who still calls a connection's previous URL, so that its owners can find
-- the systems to update. Cleared when the URL is rotated again.
CREATE TABLE old_url_calls (
    connection_id TEXT NOT NULL,
    address       TEXT NOT NULL,
    user_agent    TEXT NOT NULL,
    calls         INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    PRIMARY KEY (connection_id, address, user_agent)
);

-- An organization's own lifecycle decisions on catalog connectors (retire,
-- restore), over the catalog's defaults.
CREATE TABLE connector_lifecycle (
    org_id       TEXT NOT NULL,
    connector_id TEXT NOT NULL,
    retired      INTEGER NOT NULL,
    PRIMARY KEY (org_id, connector_id)
);

-- The last deliveries of each third-party connection: what came, and what
-- Herald did with it.
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    connection_id TEXT NOT NULL,
    at            INTEGER NOT NULL,
    event         TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    reason        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    messages      INTEGER NOT NULL
);
CREATE INDEX deliveries_connection ON deliveries (connection_id, id);

-- Fixed-window rate counters, one row per connection and window length, so
-- that every node sharing the database counts against the same limit.
CREATE TABLE rate_windows (
    connection_id TEXT NOT NULL,
    seconds       INTEGER NOT NULL,
    window_start  INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (connection_id, seconds)
);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE sessions;
DROP TABLE team_members;
DROP TABLE rate_windows;
DROP TABLE deliveries;
DROP TABLE connector_lifecycle;
DROP TABLE old_url_calls;
DROP TABLE messages;
DROP TABLE connections;
DROP TABLE channels;
DROP TABLE teams;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE orgs;

-- +goose Up
-- Polling connectors (RSS, Atom, JSON Feed). The feed's URL and interval
-- live in connections.config like every connection setting; this table
-- holds what the poller learns: validators for conditional GET, the last
-- outcome, and when the next poll is due. Its row appears on the first poll.
CREATE TABLE feed_state (
    connection_id TEXT PRIMARY KEY REFERENCES connections(id),
    title         TEXT NOT NULL DEFAULT '',
    etag          TEXT NOT NULL DEFAULT '',
    last_modified TEXT NOT NULL DEFAULT '',
    polls         INTEGER NOT NULL DEFAULT 0,
    -- ok, not_modified, error or paused.
    last_status   TEXT NOT NULL DEFAULT '',
    last_error    TEXT NOT NULL DEFAULT '',
    -- Consecutive failures; 0 after a success. The backoff grows with it.
    failures      INTEGER NOT NULL DEFAULT 0,
    -- The last failure will not heal by itself (a refused address, an
    -- invalid URL): a person must act, so it needs attention at once.
    stuck         INTEGER NOT NULL DEFAULT 0,
    last_poll_at  INTEGER,
    last_ok_at    INTEGER,
    next_poll_at  INTEGER,
    items_posted  INTEGER NOT NULL DEFAULT 0,
    -- Items the last poll posted.
    last_posted   INTEGER NOT NULL DEFAULT 0,
    -- Whether a fetch has succeeded once: the first one posts only the
    -- newest few items and marks the rest as seen.
    primed        INTEGER NOT NULL DEFAULT 0
);

-- The dedupe keys of every item a feed connection has seen (feed.Item.Key).
-- An item is posted in the transaction that inserts its key, so two polls
-- racing (a scheduled one and "refresh now") post it once.
CREATE TABLE feed_seen (
    connection_id TEXT NOT NULL REFERENCES connections(id),
    item_key      TEXT NOT NULL,
    seen_at       INTEGER NOT NULL,
    PRIMARY KEY (connection_id, item_key)
);

-- +goose Down
DROP TABLE feed_seen;
DROP TABLE feed_state;

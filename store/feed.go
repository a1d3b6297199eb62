package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald"
)

// feedColumns are a feed_state row f's columns, also when a LEFT JOIN
// found none (the feed was never polled).
const feedColumns = `COALESCE(f.title, ''), COALESCE(f.etag, ''), COALESCE(f.last_modified, ''), COALESCE(f.polls, 0),
	COALESCE(f.last_status, ''), COALESCE(f.last_error, ''), COALESCE(f.failures, 0), COALESCE(f.stuck, 0),
	f.last_poll_at, f.last_ok_at, f.next_poll_at, COALESCE(f.items_posted, 0), COALESCE(f.last_posted, 0),
	COALESCE(f.primed, 0)`

// feedDest returns the scan destinations of feedColumns into f, and a
// function to call after the scan.
func feedDest(f *herald.FeedState) ([]any, func()) {
	var lastPoll, lastOK, next sql.NullInt64
	var primed, stuck int64
	dest := []any{&f.Title, &f.ETag, &f.LastModified, &f.Polls, &f.LastStatus, &f.LastError, &f.Failures, &stuck,
		&lastPoll, &lastOK, &next, &f.ItemsPosted, &f.LastPosted, &primed}
	return dest, func() {
		f.LastPollAt, f.LastOKAt, f.NextPollAt = fromNullMS(lastPoll), fromNullMS(lastOK), fromNullMS(next)
		f.Primed, f.Stuck = primed != 0, stuck != 0
	}
}

// FeedState returns what the poller recorded of a polling connection; the
// zero state before its first poll.
func (s *Store) FeedState(ctx context.Context, connectionID string) (*herald.FeedState, error) {
	var f herald.FeedState
	dest, done := feedDest(&f)
	err := s.rdb.QueryRowContext(ctx, `SELECT `+feedColumns+` FROM feed_state f WHERE f.connection_id = $1`, connectionID).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return &f, nil
	} else if err != nil {
		return nil, fmt.Errorf("store: feed state: %w", err)
	}
	done()
	return &f, nil
}

// FeedConnection returns a live connection and its feed's state in one
// read: what a poll starts from.
func (s *Store) FeedConnection(ctx context.Context, id string) (*herald.Connection, *herald.FeedState, error) {
	var f herald.FeedState
	dest, done := feedDest(&f)
	c, err := scanConnection(s.rdb.QueryRowContext(ctx, `SELECT `+connectionColumns+`, `+feedColumns+`
		FROM connections LEFT JOIN feed_state f ON f.connection_id = connections.id WHERE connections.id = $1`, id), dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("Connection")
	} else if err != nil {
		return nil, nil, fmt.Errorf("store: connection: %w", err)
	}
	if c.DeletedAt != nil {
		return nil, nil, notFound("Connection")
	}
	done()
	return c, &f, nil
}

// SeenKeys returns which of keys a polling connection has seen before.
func (s *Store) SeenKeys(ctx context.Context, connectionID string, keys []string) (map[string]bool, error) {
	seen := make(map[string]bool, len(keys))
	for chunk := range slices.Chunk(keys, seenChunk) {
		args := make([]any, 0, len(chunk)+1)
		args = append(args, connectionID)
		for _, k := range chunk {
			args = append(args, k)
		}
		rows, err := s.rdb.QueryContext(ctx, `SELECT item_key FROM feed_seen WHERE connection_id = $1 AND item_key IN (`+
			params(2, len(chunk), 1)+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("store: seen feed items: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: seen feed items: %w", err)
			}
			seen[k] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: seen feed items: %w", err)
		}
	}
	return seen, nil
}

// seenChunk bounds the keys of one statement (SQLite allows 32766
// parameters; PostgreSQL 65535).
const seenChunk = 500

// params returns n groups of width numbered parameters from $first:
// "($1, $2), ($3, $4)" for width 2, "$1, $2" for width 1.
func params(first, n, width int) string {
	var b strings.Builder
	p := first
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		if width > 1 {
			b.WriteByte('(')
		}
		for j := range width {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "$%d", p)
			p++
		}
		if width > 1 {
			b.WriteByte(')')
		}
	}
	return b.String()
}

// FeedPoll is the outcome of one poll of a feed, saved by SavePolls.
type FeedPoll struct {
	Conn *herald.Connection
	// State replaces the stored state; Polls and ItemsPosted are counted
	// by the store, and LastOKAt and Primed are kept when State leaves them
	// unset.
	State herald.FeedState
	// Config, when set, replaces the connection's settings: the feed moved
	// for good (a permanent redirect).
	Config *herald.ConnectionConfig
	// Seen are the item keys to record as seen.
	Seen []string
	// Listed are the keys of every item the feed lists now (a poll that
	// read the feed): seen keys no longer listed are forgotten after
	// SeenRetention.
	Listed []string
	// Posts are the messages to post, oldest first, each with its item's
	// key (which must be in Seen): a post whose key was already recorded is
	// dropped, so that two polls racing post an item once.
	Posts []FeedPost

	// Posted is set by SavePolls to the messages it stored, and Err to
	// why this poll could not be saved.
	Posted []*herald.Message
	Err    error
}

// SeenRetention is how long an item's key is kept after it was first seen,
// once the feed no longer lists it. A key the feed still lists is kept
// however old, so a feed's items are never posted twice; one that left the
// feed months ago and comes back is posted again.
const SeenRetention = 90 * 24 * time.Hour

// maxListed bounds the keys of the pruning statement; a feed listing more
// is not pruned (few feeds list more than a few hundred items).
const maxListed = 5000

// FeedPost is one feed item's message.
type FeedPost struct {
	Key     string
	Message *herald.Message
}

// SavePolls stores the outcomes of several polls, in one transaction when
// it can, and sets each poll's Err: recording a feed's seen keys, posting its new items and updating
// its state happen together or not at all. Batching matters when thousands
// of feeds answer 304 at once: SQLite pays one commit for all of them.
func (s *Store) SavePolls(ctx context.Context, polls []*FeedPoll) error {
	// Channels are locked (their message counter) in a fixed order, as in
	// the message batcher, so that two nodes' batches never wait on each
	// other in a cycle.
	slices.SortStableFunc(polls, func(a, b *FeedPoll) int { return strings.Compare(a.Conn.ChannelID, b.Conn.ChannelID) })
	err := s.savePolls(ctx, polls)
	if err != nil && len(polls) > 1 {
		// One bad poll (its channel removed meanwhile) must not lose the
		// others: save each alone.
		slog.Warn("store: saving feed polls failed, retrying one by one", "size", len(polls), "error", err)
		var errs []error
		for _, p := range polls {
			if p.Err = s.savePolls(ctx, []*FeedPoll{p}); p.Err != nil {
				errs = append(errs, fmt.Errorf("connection %s: %w", p.Conn.ID, p.Err))
			}
		}
		return errors.Join(errs...)
	}
	for _, p := range polls {
		p.Err = err
	}
	return err
}

func (s *Store) savePolls(ctx context.Context, polls []*FeedPoll) error {
	var posted []*herald.Message
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		posted = posted[:0]
		for _, p := range polls {
			p.Posted = nil
			if err := s.savePoll(ctx, tx, p); err != nil {
				return err
			}
			posted = append(posted, p.Posted...)
		}
		if len(posted) > 0 && s.notify != nil {
			return s.notify(ctx, tx, posted)
		}
		return nil
	})
	if err != nil {
		for _, p := range polls {
			p.Posted = nil
		}
		return err
	}
	if len(posted) > 0 && s.onCommit != nil {
		s.onCommit(posted)
	}
	return nil
}

func (s *Store) savePoll(ctx context.Context, tx *sql.Tx, p *FeedPoll) error {
	now := ms(s.now())
	// The feed's address may have been changed while it was polled (which
	// reset its state, see ResetFeed): what the poll learnt of the old
	// address must not mark the new one as polled, nor move it.
	var stored string
	if err := tx.QueryRowContext(ctx, `SELECT config FROM connections WHERE id = $1`, p.Conn.ID).Scan(&stored); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Connection")
		}
		return fmt.Errorf("store: connection: %w", err)
	}
	var cur herald.ConnectionConfig
	if json.Unmarshal([]byte(stored), &cur) == nil && cur.URL != p.Conn.Config.URL {
		p.State.Primed, p.State.ETag, p.State.LastModified, p.Config = false, "", "", nil
	}
	fresh := map[string]bool{}
	for chunk := range slices.Chunk(p.Seen, seenChunk) {
		args := make([]any, 0, 3*len(chunk))
		for _, k := range chunk {
			args = append(args, p.Conn.ID, k, now)
		}
		rows, err := tx.QueryContext(ctx, `INSERT INTO feed_seen (connection_id, item_key, seen_at) VALUES `+
			params(1, len(chunk), 3)+` ON CONFLICT DO NOTHING RETURNING item_key`, args...)
		if err != nil {
			return fmt.Errorf("store: record feed items: %w", err)
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return fmt.Errorf("store: record feed items: %w", err)
			}
			fresh[k] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("store: record feed items: %w", err)
		}
	}

	var msgs []*herald.Message
	for _, post := range p.Posts {
		if fresh[post.Key] {
			delete(fresh, post.Key) // the same key twice posts once
			msgs = append(msgs, post.Message)
		}
	}
	if len(msgs) > 0 {
		var end int64
		err := tx.QueryRowContext(ctx, `UPDATE channels SET message_count = message_count + $1 WHERE id = $2
			RETURNING message_count`, len(msgs), p.Conn.ChannelID).Scan(&end)
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Channel")
		} else if err != nil {
			return fmt.Errorf("store: count messages: %w", err)
		}
		seq := end - int64(len(msgs)) + 1
		for _, m := range msgs {
			m.OrgID, m.ChannelID, m.ConnectionID = p.Conn.OrgID, p.Conn.ChannelID, p.Conn.ID
			m.CreatedAt, m.Seq = fromMS(now), seq
			seq++
			if err := tx.QueryRowContext(ctx, `INSERT INTO messages (org_id, channel_id, seq, connection_id, created_at, format, summary, card)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
				m.OrgID, m.ChannelID, m.Seq, m.ConnectionID, now, m.Format, m.Summary, string(m.Card)).Scan(&m.ID); err != nil {
				return fmt.Errorf("store: post feed item: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET delivered_count = delivered_count + $1,
			last_delivery_at = $2 WHERE id = $3`, len(msgs), now, p.Conn.ID); err != nil {
			return fmt.Errorf("store: count deliveries: %w", err)
		}
	}

	if len(msgs) > 0 && len(p.Listed) > 0 && len(p.Listed) <= maxListed {
		// New items pushed old ones out of the feed: forget those seen long
		// ago. Only then, so that a feed that does not change costs nothing.
		args := make([]any, 0, len(p.Listed)+2)
		args = append(args, p.Conn.ID, now-SeenRetention.Milliseconds())
		for _, k := range p.Listed {
			args = append(args, k)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM feed_seen WHERE connection_id = $1 AND seen_at < $2
			AND item_key NOT IN (`+params(3, len(p.Listed), 1)+`)`, args...); err != nil {
			return fmt.Errorf("store: forget old feed items: %w", err)
		}
	}

	if p.Config != nil {
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET config = $1 WHERE id = $2`, configJSON(*p.Config), p.Conn.ID); err != nil {
			return fmt.Errorf("store: update feed URL: %w", err)
		}
	}

	st := &p.State
	var lastOK, next, lastPoll any
	if st.LastOKAt != nil {
		lastOK = ms(*st.LastOKAt)
	}
	if st.NextPollAt != nil {
		next = ms(*st.NextPollAt)
	}
	if st.LastPollAt != nil {
		lastPoll = ms(*st.LastPollAt)
	}
	primed, stuck := 0, 0
	if st.Primed {
		primed = 1
	}
	if st.Stuck {
		stuck = 1
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO feed_state (connection_id, title, etag, last_modified, polls, last_status,
			last_error, failures, last_poll_at, last_ok_at, next_poll_at, items_posted, last_posted, primed, stuck)
		VALUES ($1, $2, $3, $4, 1, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13)
		ON CONFLICT (connection_id) DO UPDATE SET title = excluded.title, etag = excluded.etag,
			last_modified = excluded.last_modified, polls = feed_state.polls + 1, last_status = excluded.last_status,
			last_error = excluded.last_error, failures = excluded.failures, stuck = excluded.stuck,
			last_poll_at = excluded.last_poll_at,
			last_ok_at = COALESCE(excluded.last_ok_at, feed_state.last_ok_at), next_poll_at = excluded.next_poll_at,
			items_posted = feed_state.items_posted + excluded.items_posted, last_posted = excluded.last_posted,
			primed = CASE WHEN excluded.primed = 1 THEN 1 ELSE feed_state.primed END`,
		p.Conn.ID, st.Title, st.ETag, st.LastModified, st.LastStatus, st.LastError, st.Failures,
		lastPoll, lastOK, next, len(msgs), primed, stuck); err != nil {
		return fmt.Errorf("store: save feed state: %w", err)
	}
	p.Posted = msgs
	return nil
}

// ConnectionsOf lists the ids of the live connections of the given
// connectors, for the poller to make sure each has its schedule.
func (s *Store) ConnectionsOf(ctx context.Context, connectors ...string) ([]string, error) {
	args := make([]any, len(connectors))
	for i, c := range connectors {
		args[i] = c
	}
	rows, err := s.rdb.QueryContext(ctx, `SELECT id FROM connections WHERE deleted_at IS NULL AND connector IN (`+
		params(1, len(connectors), 1)+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: connections: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: connections: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ResetFeed forgets what the poller learnt of a connection's feed address:
// its validators, and that it was polled, so that the next poll of a new
// address is a first poll (the newest few items, not the whole feed).
// Seen keys stay: an item seen at the old address is not posted again.
func (s *Store) ResetFeed(ctx context.Context, connectionID string) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE feed_state SET etag = '', last_modified = '', primed = 0
		WHERE connection_id = $1`, connectionID); err != nil {
		return fmt.Errorf("store: reset feed: %w", err)
	}
	return nil
}

// FeedDueAt records when a connection's next poll is due, for the
// connection's view, when something other than a poll moves it.
func (s *Store) FeedDueAt(ctx context.Context, connectionID string, at time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE feed_state SET next_poll_at = $1 WHERE connection_id = $2`,
		ms(at), connectionID); err != nil {
		return fmt.Errorf("store: feed schedule: %w", err)
	}
	return nil
}

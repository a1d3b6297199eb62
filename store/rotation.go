package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// RotateURL gives a connection a new URL ("Update URL"): next holds the new
// salt and token hashes. The current URL becomes the old one, which keeps
// delivering for grace and answers 410 after; a URL older than that is
// forgotten. Callers of the previous old URL are cleared.
func (s *Store) RotateURL(ctx context.Context, actor *herald.User, id string, next ConnectionSecrets, grace time.Duration) (*herald.Connection, error) {
	var out *herald.Connection
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := liveConnection(ctx, tx, id)
		if err != nil {
			return err
		}
		now := fromMS(ms(s.now()))
		expires := now.Add(grace)
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET
			old_token_hash = token_hash, old_slack_token_hash = slack_token_hash, old_expires_at = $1,
			token_salt = $2, key_id = $3, token_hash = $4, slack_token_hash = $5, url_issued_at = $6
			WHERE id = $7`, ms(expires), next.TokenSalt, next.KeyID, next.TokenHash, next.SlackTokenHash, ms(now), id); err != nil {
			return fmt.Errorf("store: rotate url: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM old_url_calls WHERE connection_id = $1`, id); err != nil {
			return fmt.Errorf("store: rotate url: %w", err)
		}
		before := c.URLIssuedAt
		c.URLIssuedAt = now
		out = c
		return s.audit(ctx, tx, c.OrgID, change{actor: actor, action: "connection.rotate_url", targetType: "connection",
			targetID: id, teamID: c.TeamID,
			before: map[string]any{"url_issued_at": before},
			after:  map[string]any{"url_issued_at": now, "old_url_expires_at": expires}})
	})
	return out, err
}

// RecordOldURLCall notes a call to a connection's old URL: who (address and
// User-Agent) and when, for "who still uses the old URL".
func (s *Store) RecordOldURLCall(ctx context.Context, id, address, userAgent string) error {
	if len(userAgent) > 512 {
		userAgent = userAgent[:512]
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO old_url_calls (connection_id, address, user_agent, calls, last_seen)
		VALUES ($1, $2, $3, 1, $4) ON CONFLICT (connection_id, address, user_agent)
		DO UPDATE SET calls = old_url_calls.calls + 1, last_seen = excluded.last_seen`,
		id, address, userAgent, ms(s.now()))
	if err != nil {
		return fmt.Errorf("store: record old url call: %w", err)
	}
	return nil
}

// OldURLCaller is one system that called an old URL.
type OldURLCaller struct {
	Address   string    `json:"address"`
	UserAgent string    `json:"user_agent"`
	LastSeen  time.Time `json:"last_seen"`
}

// OldURLUse sums up the calls to a connection's old URL.
type OldURLUse struct {
	Calls    int64
	LastUsed *time.Time
	Callers  []OldURLCaller // the most recent distinct callers, newest first
}

// OldURLCalls returns who called a connection's old URL, with the last
// distinct callers (at most limit).
func (s *Store) OldURLCalls(ctx context.Context, id string, limit int) (*OldURLUse, error) {
	u := &OldURLUse{Callers: []OldURLCaller{}}
	var total, last sql.NullInt64
	if err := s.rdb.QueryRowContext(ctx, `SELECT SUM(calls), MAX(last_seen) FROM old_url_calls WHERE connection_id = $1`, id).
		Scan(&total, &last); err != nil {
		return nil, fmt.Errorf("store: old url calls: %w", err)
	}
	u.Calls, u.LastUsed = total.Int64, fromNullMS(last)
	rows, err := s.rdb.QueryContext(ctx, `SELECT address, user_agent, last_seen FROM old_url_calls
		WHERE connection_id = $1 ORDER BY last_seen DESC, address LIMIT $2`, id, limit)
	if err != nil {
		return nil, fmt.Errorf("store: old url calls: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c OldURLCaller
		var seen int64
		if err := rows.Scan(&c.Address, &c.UserAgent, &seen); err != nil {
			return nil, fmt.Errorf("store: old url calls: %w", err)
		}
		c.LastSeen = fromMS(seen)
		u.Callers = append(u.Callers, c)
	}
	return u, rows.Err()
}

// SetURLRotation starts (or, with nil, ends) the organization's URL rotation
// campaign.
func (s *Store) SetURLRotation(ctx context.Context, actor *herald.User, r *herald.URLRotation) (*herald.Org, error) {
	var org *herald.Org
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, actor.OrgID))
		if err != nil {
			return err
		}
		var ib, dl sql.NullInt64
		if r != nil {
			ib = sql.NullInt64{Int64: ms(r.IssuedBefore), Valid: true}
			dl = sql.NullInt64{Int64: ms(r.Deadline), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET url_rotation_issued_before = $1, url_rotation_deadline = $2 WHERE id = $3`,
			ib, dl, actor.OrgID); err != nil {
			return fmt.Errorf("store: url rotation: %w", err)
		}
		after := *before
		after.URLRotation = r
		org = &after
		action := "org.require_url_update"
		if r == nil {
			action = "org.cancel_url_update"
		}
		return s.audit(ctx, tx, actor.OrgID, change{actor: actor, action: action, targetType: "org", targetID: actor.OrgID,
			before: before.URLRotation, after: r})
	})
	return org, err
}

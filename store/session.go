package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Sessions returns a store for browser sessions in the shape
// github.com/alexedwards/scs/v2 expects (its CtxStore). Only the SHA-256 of
// a session's token is kept, so the table alone cannot be used to sign in.
func (s *Store) Sessions() *SessionStore { return &SessionStore{s: s} }

// SessionStore keeps browser sessions in the database.
type SessionStore struct{ s *Store }

func sessionKey(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// FindCtx returns a live session's data.
func (ss *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var data []byte
	err := ss.s.rdb.QueryRowContext(ctx, `SELECT data FROM sessions WHERE token_hash = $1 AND expiry > $2`,
		sessionKey(token), ms(ss.s.now())).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, fmt.Errorf("store: session: %w", err)
	}
	return data, true, nil
}

// CommitCtx saves a session.
func (ss *SessionStore) CommitCtx(ctx context.Context, token string, data []byte, expiry time.Time) error {
	_, err := ss.s.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token_hash) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		sessionKey(token), data, ms(expiry))
	if err != nil {
		return fmt.Errorf("store: save session: %w", err)
	}
	return nil
}

// DeleteCtx ends a session.
func (ss *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	if _, err := ss.s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, sessionKey(token)); err != nil {
		return fmt.Errorf("store: delete session: %w", err)
	}
	return nil
}

// Find, Commit and Delete complete scs.Store for callers without a context.
func (ss *SessionStore) Find(token string) ([]byte, bool, error) {
	return ss.FindCtx(context.Background(), token)
}

// Commit saves a session.
func (ss *SessionStore) Commit(token string, data []byte, expiry time.Time) error {
	return ss.CommitCtx(context.Background(), token, data, expiry)
}

// Delete ends a session.
func (ss *SessionStore) Delete(token string) error {
	return ss.DeleteCtx(context.Background(), token)
}

// DeleteExpiredSessions removes sessions past their expiry.
func (s *Store) DeleteExpiredSessions(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, ms(s.now())); err != nil {
		return fmt.Errorf("store: expire sessions: %w", err)
	}
	return nil
}

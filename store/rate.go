package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/heraldhq/herald/ratelimit"
)

// RateLimiter returns a ratelimit.Limiter whose counters live in the
// database, so that every node sharing it counts against the same limit.
func (s *Store) RateLimiter(windows []ratelimit.Window) ratelimit.Limiter {
	var b strings.Builder
	b.WriteString(`INSERT INTO rate_windows (connection_id, seconds, window_start, count) VALUES `)
	for i := range windows {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "($1, $%d, $%d, 1)", 2*i+2, 2*i+3)
	}
	// A counter from an earlier window starts again at 1.
	b.WriteString(` ON CONFLICT (connection_id, seconds) DO UPDATE SET
		count = CASE WHEN rate_windows.window_start = excluded.window_start THEN rate_windows.count + 1 ELSE 1 END,
		window_start = excluded.window_start
		RETURNING seconds, count`)
	return &dbLimiter{s: s, windows: windows, query: b.String()}
}

type dbLimiter struct {
	s       *Store
	windows []ratelimit.Window
	query   string
}

func (l *dbLimiter) Allow(ctx context.Context, key string, now time.Time) (time.Duration, error) {
	args := make([]any, 0, 1+2*len(l.windows))
	args = append(args, key)
	for _, w := range l.windows {
		args = append(args, int64(w.Length/time.Second), w.Start(now))
	}
	tx, err := l.s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: rate limit: %w", err)
	}
	defer tx.Rollback()
	// The upsert locks the connection's counter rows until the transaction
	// ends, so concurrent posts on several nodes count one after the other.
	wait, err := l.count(ctx, tx, args, now)
	if err != nil || wait > 0 {
		return wait, err // roll back: a refused request is not counted
	}
	if err := tx.Commit(); err != nil {
		return 0, fmt.Errorf("store: rate limit: %w", err)
	}
	return 0, nil
}

func (l *dbLimiter) count(ctx context.Context, tx *sql.Tx, args []any, now time.Time) (time.Duration, error) {
	rows, err := tx.QueryContext(ctx, l.query, args...)
	if err != nil {
		return 0, fmt.Errorf("store: rate limit: %w", err)
	}
	defer rows.Close()
	var wait time.Duration
	for rows.Next() {
		var seconds, n int64
		if err := rows.Scan(&seconds, &n); err != nil {
			return 0, fmt.Errorf("store: rate limit: %w", err)
		}
		for _, w := range l.windows {
			if int64(w.Length/time.Second) == seconds && n > w.Max {
				wait = max(wait, w.RetryAfter(now))
			}
		}
	}
	return wait, rows.Err()
}

// Package store persists Herald's data in SQLite (the embedded default) or
// PostgreSQL (several nodes sharing one database). Both dialects run the same
// portable SQL through database/sql; only the migrations and the few
// driver-specific error checks differ. The conformance tests run on both.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/heraldhq/herald"
)

//go:embed migrations
var migrations embed.FS

// Dialects.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Options tune how the store is opened.
type Options struct {
	// SQLiteSync is SQLite's synchronous setting: "full" (default; an
	// acknowledged message survives power loss) or "normal" (survives a
	// process crash, may lose the last commits on power loss; faster).
	SQLiteSync string
	// Now overrides the clock, for tests.
	Now func() time.Time
	// OnCommit, when set, is called with each group of newly committed
	// messages, in id order, from a single goroutine: the live fan-out hooks
	// in here so that followers see messages in the order they are stored.
	// It must not block.
	OnCommit func([]*herald.Message)
	// Notify, when set, runs inside each message transaction after the
	// inserts: the PostgreSQL cluster bus sends its NOTIFY there, so other
	// nodes hear of exactly the committed messages.
	Notify func(ctx context.Context, tx *sql.Tx, msgs []*herald.Message) error
	// CheckpointEvery is how often SQLite's WAL is copied into the
	// database (default 2 s); tests shorten it.
	CheckpointEvery time.Duration
}

// Store is Herald's persistence. It is safe for concurrent use.
type Store struct {
	dialect string
	db      *sql.DB // writes; for SQLite a single connection, as SQLite has one writer
	rdb     *sql.DB // reads; for PostgreSQL the same pool as db
	cp      *sql.DB // SQLite only: the checkpointing connection
	cpStop  chan struct{}
	cpDone  chan struct{}
	// walBehind is set after a round of background checkpoints that left
	// only a few frames behind: the writer then copies those (see catchUp).
	walBehind atomic.Bool

	closeOnce sync.Once
	closeErr  error

	stmtMu      sync.Mutex
	insertStmts map[int]*sql.Stmt // message INSERTs by row count
	now         func() time.Time
	onCommit    func([]*herald.Message)
	notify      func(context.Context, *sql.Tx, []*herald.Message) error
	batch       *batcher
}

// Open opens (and migrates) the store named by dsn: a postgres:// or
// postgresql:// URL for PostgreSQL, anything else is a SQLite file path.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	s := &Store{now: opts.Now, onCommit: opts.OnCommit, notify: opts.Notify}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		err = s.openPostgres(ctx, dsn)
	} else {
		err = s.openSQLite(ctx, dsn, opts)
	}
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.closeDBs()
		return nil, err
	}
	s.batch = newBatcher(s)
	return s, nil
}

func (s *Store) openSQLite(ctx context.Context, path string, opts Options) error {
	s.dialect = SQLite
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("store: create data directory: %w", err)
		}
	}
	sync := strings.ToLower(opts.SQLiteSync)
	switch sync {
	case "":
		sync = "full"
	case "full", "normal":
	default:
		return fmt.Errorf("store: sqlite sync must be full or normal, not %q", opts.SQLiteSync)
	}
	// WAL lets readers run beside the writer; busy_timeout makes a second
	// process wait instead of failing; foreign keys are off by default in
	// SQLite. _txlock=immediate takes the write lock at BEGIN, so a write
	// transaction never fails half-way with SQLITE_BUSY on lock upgrade.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	// The page size stays SQLite's default (4 KiB): 16 KiB pages halve the
	// WAL writes of a group commit but double the bytes synced, and
	// measured no faster (docs/benchmarks.md).
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+sync+")")
	q.Add("_pragma", "foreign_keys(1)")
	base := "file:" + path + "?"
	// The writer does not checkpoint: copying the WAL into the database
	// (and its fsync) would stall every webhook waiting on that commit. A
	// background connection checkpoints instead (see checkpoints).
	wq := url.Values{}
	for k, v := range q {
		wq[k] = v
	}
	wq.Add("_pragma", "wal_autocheckpoint(0)")
	// Both pools keep their statements prepared (stmtcache.go).
	w := sql.OpenDB(cachingConnector{dsn: base + wq.Encode() + "&_txlock=immediate", drv: &sqlite.Driver{}})
	// SQLite has one writer. One connection makes writers queue in Go
	// rather than spin on SQLITE_BUSY; the message batcher amortizes it.
	w.SetMaxOpenConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	// Readers get their own pool so that API reads and live-stream catch-up
	// never queue behind the writer; query_only guards against a stray write.
	q.Add("_pragma", "query_only(1)")
	r := sql.OpenDB(cachingConnector{dsn: base + q.Encode(), drv: &sqlite.Driver{}})
	r.SetMaxOpenConns(4)
	r.SetMaxIdleConns(4)
	cp, err := sql.Open("sqlite", base+q.Encode())
	if err != nil {
		w.Close()
		r.Close()
		return fmt.Errorf("store: open sqlite: %w", err)
	}
	cp.SetMaxOpenConns(1)
	s.db, s.rdb, s.cp = w, r, cp
	s.cpStop, s.cpDone = make(chan struct{}), make(chan struct{})
	every := opts.CheckpointEvery
	if every <= 0 {
		// Each round ends with the writer's short catch-up, which costs
		// the posts queued meanwhile a few milliseconds; every 2 s rather
		// than every 0.5 s measured 4-6 % more posts/s and a lower p99,
		// for a WAL of up to about 130 MB at full speed.
		every = 2 * time.Second
	}
	go s.checkpoints(every)
	return nil
}

// checkpoints copies the SQLite WAL into the database at every tick,
// beside the writer rather than inside its commits; PASSIVE never blocks
// the writer or readers. On close the WAL is checkpointed and truncated.
func (s *Store) checkpoints(every time.Duration) {
	defer close(s.cpDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.cpStop:
			if _, err := s.cp.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
				slog.Warn("store: final checkpoint", "error", err)
			}
			return
		case <-t.C:
			s.checkpoint()
		}
	}
}

// Checkpoint passes stop once a pass finds at most catchUpFrames new frames
// (1 MiB of 4 KiB pages), or after maxPasses.
const (
	catchUpFrames = 256
	maxPasses     = 4
)

// checkpoint runs one round of background checkpoints.
//
// A checkpoint beside a busy writer never catches up with it, and SQLite
// writes the WAL from its start again only once every frame in it has been
// copied; until then the WAL grows by every commit for as long as the load
// lasts (50 MB/s at full speed), and growing the file makes each commit's
// fsync several times slower. So each pass copies what was committed during
// the one before, a shorter time each time, and once little is left the
// writer copies the rest between two batches (batcher.catchUp): its next
// transaction then starts the WAL over.
func (s *Store) checkpoint() {
	seen := 0 // frames copied by the previous pass
	for range maxPasses {
		var busy, frames, copied int
		if err := s.cp.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil {
			slog.Warn("store: checkpoint", "error", err)
			return
		}
		switch {
		case busy != 0 || copied != frames:
			// A long read held it back: what is left is too much for the
			// writer's path, and waits for the next round.
			return
		case frames < seen:
			return // the WAL has started over already
		case frames-seen <= catchUpFrames:
			s.walBehind.Store(true)
			return
		}
		seen = frames
	}
	s.walBehind.Store(true)
}

func (s *Store) openPostgres(ctx context.Context, dsn string) error {
	s.dialect = Postgres
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("store: open postgres: %w", err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return fmt.Errorf("store: connect to postgres: %w", err)
	}
	s.db, s.rdb = db, db
	return nil
}

func (s *Store) migrate(ctx context.Context) error {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.dialect == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		// Several nodes may start at once against one database: an
		// advisory lock makes them migrate one after the other.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(dialect, s.db, sub, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

// Dialect returns SQLite or Postgres.
func (s *Store) Dialect() string { return s.dialect }

// DB returns the write pool, for packages that share the store's database
// (the PostgreSQL notifier).
func (s *Store) DB() *sql.DB { return s.db }

// Close waits for pending message writes, then closes the database. It is
// safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.batch != nil {
			s.batch.close()
		}
		s.closeErr = s.closeDBs()
	})
	return s.closeErr
}

func (s *Store) closeDBs() error {
	s.stmtMu.Lock()
	for _, st := range s.insertStmts {
		st.Close()
	}
	s.stmtMu.Unlock()
	if s.cp != nil {
		close(s.cpStop)
		<-s.cpDone
		s.cp.Close()
	}
	err := s.db.Close()
	if s.rdb != s.db {
		err = errors.Join(err, s.rdb.Close())
	}
	return err
}

// ms converts a time to the Unix milliseconds stored in every time column.
func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

// isUniqueViolation reports whether err is a unique-constraint failure, from
// either driver's error codes (never from the message text).
func isUniqueViolation(err error) bool {
	if e, ok := errors.AsType[*sqlite.Error](err); ok {
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	if e, ok := errors.AsType[*pgconn.PgError](err); ok {
		return e.Code == "23505"
	}
	return false
}

func notFound(what string) error {
	return herald.Errorf(herald.ENotFound, "%s not found.", what)
}

// inTx runs fn in a write transaction.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

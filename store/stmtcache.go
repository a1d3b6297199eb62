package store

import (
	"context"
	"database/sql/driver"
	"sync/atomic"

	"modernc.org/sqlite"
)

// SQLite spends more time parsing a statement than running it when the
// statement is a short UPDATE by primary key, and database/sql's Exec and
// Query on a connection parse the SQL text every time. River's SQLite
// driver runs one such statement per job it completes, and the feed poller
// and the API a few per request. cachingConnector keeps each connection's
// statements prepared, by SQL text, so each is parsed once per connection.
//
// modernc's prepared statement keeps the parsed form only for a single
// statement; a script (several statements) is parsed on every run, as
// before, so caching it is harmless.

// maxCachedStmts bounds a connection's cache; past it, statements run
// uncached. Herald and River together use a few dozen distinct statements;
// the bound is for SQL built with a variable number of parameters.
const maxCachedStmts = 256

type cachingConnector struct {
	dsn string
	drv *sqlite.Driver
}

func (c cachingConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return &cachingConn{conn: conn, stmts: map[string]*cachedStmt{}}, nil
}

func (c cachingConnector) Driver() driver.Driver { return c.drv }

// The interfaces database/sql uses of modernc's connection, which the
// wrapper must keep offering.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type cachingConn struct {
	conn  driver.Conn
	stmts map[string]*cachedStmt
}

type cachedStmt struct {
	stmt interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	}
	// busy while rows read from it are open: running it again would reset
	// them, so a second use meanwhile runs uncached.
	busy atomic.Bool
}

func (c *cachingConn) sqlite() sqliteConn { return c.conn.(sqliteConn) }

// cached returns the prepared statement for query, preparing it on first
// use; nil when the cache is full or the statement is in use.
func (c *cachingConn) cached(ctx context.Context, query string) *cachedStmt {
	if s, ok := c.stmts[query]; ok {
		if s.busy.Load() {
			return nil
		}
		return s
	}
	if len(c.stmts) >= maxCachedStmts {
		return nil
	}
	st, err := c.sqlite().PrepareContext(ctx, query)
	if err != nil {
		return nil // run uncached: the error is reported there
	}
	s, ok := st.(interface {
		driver.Stmt
		driver.StmtExecContext
		driver.StmtQueryContext
	})
	if !ok {
		st.Close()
		return nil
	}
	cs := &cachedStmt{stmt: s}
	c.stmts[query] = cs
	return cs
}

func (c *cachingConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if s := c.cached(ctx, query); s != nil {
		return s.stmt.ExecContext(ctx, args)
	}
	return c.sqlite().ExecContext(ctx, query, args)
}

func (c *cachingConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s := c.cached(ctx, query)
	if s == nil {
		return c.sqlite().QueryContext(ctx, query, args)
	}
	s.busy.Store(true)
	rows, err := s.stmt.QueryContext(ctx, args)
	if err != nil {
		s.busy.Store(false)
		return nil, err
	}
	return &cachedRows{Rows: rows, s: s}, nil
}

type cachedRows struct {
	driver.Rows
	s    *cachedStmt
	done bool
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if !r.done {
		r.done = true
		r.s.busy.Store(false)
	}
	return err
}

func (c *cachingConn) Prepare(query string) (driver.Stmt, error) { return c.conn.Prepare(query) }

func (c *cachingConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.sqlite().PrepareContext(ctx, query)
}

func (c *cachingConn) Begin() (driver.Tx, error) { return c.conn.Begin() } //nolint:staticcheck // required by driver.Conn

func (c *cachingConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.sqlite().BeginTx(ctx, opts)
}

func (c *cachingConn) Ping(ctx context.Context) error { return c.sqlite().Ping(ctx) }

func (c *cachingConn) ResetSession(ctx context.Context) error { return c.sqlite().ResetSession(ctx) }

func (c *cachingConn) IsValid() bool { return c.sqlite().IsValid() }

// Close finalizes the cached statements, then closes the connection.
func (c *cachingConn) Close() error {
	for q, s := range c.stmts {
		s.stmt.Close()
		delete(c.stmts, q)
	}
	return c.conn.Close()
}

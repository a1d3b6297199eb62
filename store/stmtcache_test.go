package store

import (
	"database/sql"
	"path/filepath"
	"testing"

	"modernc.org/sqlite"
)

// The statement cache must not change what any statement does: the same
// query nested inside its own open rows, a schema change under a cached
// statement, and a statement that failed are all used again correctly.
func TestStatementCacheKeepsSemantics(t *testing.T) {
	db := sql.OpenDB(cachingConnector{dsn: "file:" + filepath.Join(t.TempDir(), "c.db"), drv: &sqlite.Driver{}})
	defer db.Close()
	db.SetMaxOpenConns(1) // one connection: every statement meets the same cache
	must := func(_ sql.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.Exec(`CREATE TABLE t (a INTEGER PRIMARY KEY)`))
	for _, a := range []int{1, 2, 3} {
		must(db.Exec(`INSERT INTO t (a) VALUES (?)`, a))
	}
	// A failure leaves the statement usable.
	if _, err := db.Exec(`INSERT INTO t (a) VALUES (?)`, 1); err == nil {
		t.Fatal("a duplicate key was inserted")
	}
	must(db.Exec(`INSERT INTO t (a) VALUES (?)`, 4))

	const q = `SELECT a FROM t ORDER BY a`
	read := func(tx *sql.Tx, nested func()) []int {
		rows, err := tx.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []int
		for rows.Next() {
			var a int
			if err := rows.Scan(&a); err != nil {
				t.Fatal(err)
			}
			out = append(out, a)
			if nested != nil && a == 2 {
				nested()
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	var inner []int
	outer := read(tx, func() { inner = read(tx, nil) })
	if len(outer) != 4 || len(inner) != 4 || outer[3] != 4 || inner[0] != 1 {
		t.Fatalf("the same query nested in its own rows: outer %v, inner %v", outer, inner)
	}
	if again := read(tx, nil); len(again) != 4 {
		t.Fatalf("the cached query after its rows closed: %v", again)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// A schema change under a cached statement.
	var n int
	if err := db.QueryRow(`SELECT * FROM t WHERE a = ?`, 1).Scan(&n); err != nil {
		t.Fatal(err)
	}
	must(db.Exec(`ALTER TABLE t ADD COLUMN b TEXT NOT NULL DEFAULT 'x'`))
	var b string
	if err := db.QueryRow(`SELECT * FROM t WHERE a = ?`, 1).Scan(&n, &b); err != nil || b != "x" {
		t.Fatalf("after ALTER TABLE: %v, b = %q", err, b)
	}
}

// Package testenv gives tests the real services they run against: a fresh
// PostgreSQL database per test, and the shared corpus of third-party payloads.
package testenv

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// DefaultPostgres is the server every development and CI machine runs.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the admin URL of the PostgreSQL server for tests:
// HERALD_TEST_POSTGRES, else DefaultPostgres. Setting HERALD_TEST_POSTGRES=off
// skips PostgreSQL tests; nothing else does, so a missing server fails CI
// rather than passing it silently.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("HERALD_TEST_POSTGRES")
	if u == "off" {
		t.Skip("HERALD_TEST_POSTGRES=off")
	}
	if u == "" {
		u = DefaultPostgres
	}
	return u
}

// Postgres creates an empty database for this test on the test server and
// returns its URL; the database is dropped when the test ends.
func Postgres(t testing.TB) string {
	t.Helper()
	admin := PostgresURL(t)
	db, err := sql.Open("pgx", admin)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	name := "herald_test_" + strings.ReplaceAll(herald.NewUUID(), "-", "")[:16]
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("postgres at %s: create test database: %v (start PostgreSQL, or set HERALD_TEST_POSTGRES)", redact(admin), err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", admin)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("HERALD_TEST_POSTGRES: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Corpus returns the path of shared/corpus (third-party payloads), found by
// walking up from the working directory: the repository is checked out with
// shared/ beside it. A missing corpus fails the test.
func Corpus(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		for _, c := range []string{filepath.Join(dir, "shared", "corpus"), filepath.Join(dir, "..", "shared", "corpus")} {
			if fi, err := os.Stat(c); err == nil && fi.IsDir() {
				return c
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("shared/corpus not found above the working directory; the tests need the shared corpus beside the repository")
		}
		dir = parent
	}
}

// Must fails the test on err.
func Must(t testing.TB, err error, what ...any) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", fmt.Sprint(what...), err)
	}
}

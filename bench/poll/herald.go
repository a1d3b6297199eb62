package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, for -db
	_ "modernc.org/sqlite"             // Herald's SQLite file, read beside it

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

// herald is the Herald process under test.
type herald struct {
	*benchkit.Process
	dir string // data directory
	api *benchkit.API

	// ro reads feed_state and river_job; rw makes the jobs due. On SQLite
	// they are this process's own connections to Herald's database file,
	// beside Herald's (WAL mode, busy_timeout).
	ro, rw  *sql.DB
	dialect string // sqlite or postgres

	teamID   string
	channels []string
}

// stop closes the database connections and stops Herald, which finishes
// its polls and commits (see benchkit.Process.Stop).
func (h *herald) stop() {
	if h == nil {
		return
	}
	if h.ro != nil {
		h.ro.Close()
		h.rw.Close()
	}
	h.Process.Stop()
}

// serveFlags reports which of the optional flags `herald serve` has: the
// polling flags were added after the poller, so an older -rev lacks them.
func serveFlags(bin string) map[string]bool {
	out, _ := exec.Command(bin, "serve", "--help").CombinedOutput()
	have := map[string]bool{}
	for _, f := range []string{"--allow-private-networks", "--poll-workers"} {
		have[f] = bytes.Contains(out, []byte(f))
	}
	return have
}

type heraldOptions struct {
	bin     string
	db      string // postgres://... (a fresh database) or "" for SQLite
	sync    string
	workers int // --poll-workers, 0: Herald's default
	flags   map[string]bool
}

// startHerald runs `herald serve` on a fresh data directory under dir and
// waits for /healthz.
func startHerald(o heraldOptions, dir string) (*herald, error) {
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	data, err := os.MkdirTemp(dir, "herald-data-")
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--data", data, "--rate-limit", "off", "--sqlite-sync", o.sync,
		"--log-format", "text", "--allow-private-networks"}
	if o.workers > 0 && o.flags["--poll-workers"] {
		args = append(args, "--poll-workers", fmt.Sprint(o.workers))
	}
	if o.db != "" {
		args = append(args, "--db", o.db)
	}
	p, err := benchkit.StartProcess("herald", o.bin, args, benchkit.ChildEnv("HERALD_BOOTSTRAP_TOKEN="+benchkit.BootstrapToken), addr, filepath.Join(data, "herald.log"))
	if err != nil {
		return nil, err
	}
	h := &herald{Process: p, dir: data, api: &benchkit.API{Addr: addr,
		Client: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}}
	if err := h.openDB(o.db); err != nil {
		h.stop()
		return nil, err
	}
	return h, nil
}

// openDB opens this process's own connections to Herald's database.
func (h *herald) openDB(dsn string) error {
	var err error
	if dsn != "" {
		h.dialect = "postgres"
		if h.ro, err = sql.Open("pgx", dsn); err == nil {
			h.rw, err = sql.Open("pgx", dsn)
		}
		return err
	}
	h.dialect = "sqlite"
	file := "file:" + filepath.Join(h.dir, "herald.db") + "?_pragma=busy_timeout(30000)"
	if h.ro, err = sql.Open("sqlite", file+"&_pragma=query_only(1)"); err != nil {
		return err
	}
	h.ro.SetMaxOpenConns(1)
	// No checkpoints from this connection: Herald checkpoints in the
	// background, and a checkpoint here would compete with it.
	if h.rw, err = sql.Open("sqlite", file+"&_pragma=wal_autocheckpoint(0)&_txlock=immediate"); err != nil {
		return err
	}
	h.rw.SetMaxOpenConns(1)
	return nil
}

// call calls Herald's JSON API as the bootstrap admin.
func (h *herald) call(method, path string, in, out any, want int) error {
	return h.api.Call(method, path, in, out, want)
}

// setup creates a team with nchan channels and one rss connection per feed,
// feed i in channel i % nchan, with conc requests in flight. Each creation
// enqueues that feed's first poll at once, so polling starts while this
// runs.
func (h *herald) setup(feedBase string, feeds, nchan, conc int) error {
	var team struct {
		ID string `json:"id"`
	}
	if err := h.call("POST", "/api/v1/teams", map[string]string{"name": "Feeds"}, &team, http.StatusCreated); err != nil {
		return err
	}
	h.teamID = team.ID
	for c := range nchan {
		var ch struct {
			ID string `json:"id"`
		}
		if err := h.call("POST", "/api/v1/teams/"+url.PathEscape(team.ID)+"/channels",
			map[string]string{"name": fmt.Sprintf("feeds-%d", c)}, &ch, http.StatusCreated); err != nil {
			return err
		}
		h.channels = append(h.channels, ch.ID)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conc)
	for range conc {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= feeds {
					return
				}
				in := map[string]any{"connector": "rss", "name": fmt.Sprintf("Project %d releases", i),
					"config": map[string]any{"url": fmt.Sprintf("%s/feeds/%d.xml", feedBase, i), "interval": "24h"}}
				if err := h.call("POST", "/api/v1/channels/"+url.PathEscape(h.channels[i%nchan])+"/connections", in, nil, http.StatusCreated); err != nil {
					errs <- fmt.Errorf("feed %d: %w", i, err)
					next.Store(int64(feeds)) // stop the others
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// messageCount is the sum of the feed channels' message_count, as the API
// reports it.
func (h *herald) messageCount() (int64, error) {
	var sum int64
	for _, id := range h.channels {
		var ch struct {
			MessageCount int64 `json:"message_count"`
		}
		if err := h.call("GET", "/api/v1/channels/"+url.PathEscape(id), nil, &ch, http.StatusOK); err != nil {
			return 0, err
		}
		sum += ch.MessageCount
	}
	return sum, nil
}

// feedStats is what feed_state says of all feeds at one moment.
type feedStats struct {
	rows        int64 // feeds with a state (polled at least once)
	done        int64 // feeds with polls >= the target
	ok, notMod  int64 // by last_status
	failed      int64 // last_status error or paused
	itemsPosted int64
}

// stats reads feed_state: how many feeds have reached polls >= target.
func (h *herald) stats(ctx context.Context, target int) (feedStats, error) {
	var s feedStats
	err := h.ro.QueryRowContext(ctx, `SELECT count(*),
			coalesce(sum(CASE WHEN polls >= $1 THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN last_status = 'ok' THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN last_status = 'not_modified' THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN last_status IN ('error', 'paused') THEN 1 ELSE 0 END), 0),
			coalesce(sum(items_posted), 0)
		FROM feed_state`, target).Scan(&s.rows, &s.done, &s.ok, &s.notMod, &s.failed, &s.itemsPosted)
	return s, err
}

// polledAtLeast counts the feeds whose polls count reached target.
func (h *herald) polledAtLeast(ctx context.Context, target int) (n int64, err error) {
	err = h.ro.QueryRowContext(ctx, `SELECT count(*) FROM feed_state WHERE polls >= $1`, target).Scan(&n)
	return n, err
}

// lastErrors returns a few distinct last_error texts, for a failed round.
func (h *herald) lastErrors(ctx context.Context) []string {
	rows, err := h.ro.QueryContext(ctx, `SELECT DISTINCT last_error FROM feed_state WHERE last_status IN ('error', 'paused') LIMIT 5`)
	if err != nil {
		return []string{err.Error()}
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

// scheduledJobs counts the feed_poll jobs waiting for their next poll
// (River's state 'scheduled'): after a round every job is back there.
func (h *herald) scheduledJobs(ctx context.Context) (scheduled, total int64, err error) {
	err = h.ro.QueryRowContext(ctx, `SELECT coalesce(sum(CASE WHEN state = 'scheduled' THEN 1 ELSE 0 END), 0), count(*)
		FROM river_job WHERE kind = 'feed_poll'`).Scan(&scheduled, &total)
	return scheduled, total, err
}

// makeDue makes every scheduled feed_poll job due now, as if the whole
// interval had passed for every feed at once (after downtime, say). River
// keeps scheduled_at on SQLite as text in exactly the format below (UTC,
// milliseconds; see riversqlite's timeString): any other format compares
// wrong and makes nothing due, silently.
func (h *herald) makeDue(ctx context.Context) (int64, error) {
	var res sql.Result
	var err error
	if h.dialect == "sqlite" {
		now := time.Now().UTC().Add(-time.Second).Format("2006-01-02 15:04:05.000")
		res, err = h.rw.ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = $1
			WHERE kind = 'feed_poll' AND state = 'scheduled'`, now)
	} else {
		res, err = h.rw.ExecContext(ctx, `UPDATE river_job SET state = 'available', scheduled_at = now() - interval '1 second'
			WHERE kind = 'feed_poll' AND state = 'scheduled'`)
	}
	if err != nil {
		return 0, fmt.Errorf("make the feed_poll jobs due: %w", err)
	}
	return res.RowsAffected()
}

// freshPostgres creates an empty database on the server of dsn for one run
// and returns its DSN and a function that drops it.
func freshPostgres(dsn string) (string, func(), error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("-db: %w", err)
	}
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", nil, err
	}
	name := fmt.Sprintf("herald_pollbench_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("-db: create database %s: %w", name, err)
	}
	u.Path = "/" + name
	drop := func() {
		if _, err := admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); err != nil {
			logf("drop database %s: %v", name, err)
		}
		admin.Close()
	}
	return u.String(), drop, nil
}

package poll

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/store"
)

var errClosed = errors.New("poll: stopped")

// pollArgs is the job that polls one connection. There is one per feed
// connection (unique by its arguments); after each poll it snoozes until the
// next one is due, so the job's scheduled time is the feed's schedule.
type pollArgs struct {
	ConnectionID string `json:"connection_id"`
}

func (pollArgs) Kind() string { return "feed_poll" }

func (pollArgs) InsertOpts() river.InsertOpts {
	// A store failure is retried by River with its own backoff; a feed's
	// failures never reach River (they are outcomes, see Poller.poll).
	return river.InsertOpts{MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type worker struct {
	river.WorkerDefaults[pollArgs]
	p *Poller
}

func (w *worker) Work(ctx context.Context, job *river.Job[pollArgs]) error {
	next, err := w.p.poll(ctx, job.Args.ConnectionID)
	switch {
	case errors.Is(err, errGone):
		return nil // the job completes: nothing left to poll
	case err != nil && ctx.Err() != nil:
		// Stopping: run again as soon as a node is up, without counting
		// an attempt against the job.
		return river.JobSnooze(0)
	case err != nil:
		return err
	}
	return river.JobSnooze(max(0, next.Sub(w.p.opts.Now())))
}

// Timeout bounds one poll: a fetch has its own timeouts, this is the
// backstop River enforces.
func (w *worker) Timeout(*river.Job[pollArgs]) time.Duration { return 2 * time.Minute }

// scheduler runs the poll jobs on River, over the store's own database.
type scheduler struct {
	p      *Poller
	client *river.Client[*sql.Tx]
}

func newScheduler(ctx context.Context, p *Poller) (*scheduler, error) {
	var driver riverdriver.Driver[*sql.Tx]
	db := p.st.DB()
	if p.st.Dialect() == store.SQLite {
		// The store's write pool: SQLite has one writer, and River's
		// SQLite driver asks for a single connection too.
		driver = riversqlite.New(db)
	} else {
		driver = riverdatabasesql.New(db)
	}
	if err := migrate(ctx, p.st, driver); err != nil {
		return nil, err
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &worker{p: p})
	// River logs at Info for routine events (leadership, start, stop);
	// Herald's log keeps its warnings and errors.
	logger := slog.New(levelAtLeast{p.opts.Logger.Handler(), slog.LevelWarn})
	client, err := river.NewClient(driver, &river.Config{
		Queues:  map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: p.opts.Workers}},
		Workers: workers,
		Logger:  logger,
		// Jobs are found by polling the table on both stores: no LISTEN
		// connection to keep. A quarter second is what "refresh now" may
		// wait for its job to be picked up.
		PollOnly:          true,
		FetchPollInterval: 250 * time.Millisecond,
		FetchCooldown:     20 * time.Millisecond,
		// A node that dies mid-poll leaves its jobs running; another
		// takes them over after this.
		RescueStuckJobsAfter: 5 * time.Minute,
	})
	if err != nil {
		return nil, fmt.Errorf("poll: scheduler: %w", err)
	}
	return &scheduler{p: p, client: client}, nil
}

// migrate creates or updates River's tables. On PostgreSQL several nodes
// may start at once: a session advisory lock makes them take turns, as goose
// does for Herald's own tables. (One transaction around all of River's
// migrations will not do: one adds an enum value that a later one uses,
// which PostgreSQL refuses within a transaction.)
func migrate(ctx context.Context, st *store.Store, driver riverdriver.Driver[*sql.Tx]) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return fmt.Errorf("poll: scheduler migrations: %w", err)
	}
	if st.Dialect() == store.Postgres {
		conn, err := st.DB().Conn(ctx)
		if err != nil {
			return fmt.Errorf("poll: scheduler migrations: %w", err)
		}
		defer conn.Close()
		// The key is arbitrary but fixed ("herald-river" as bytes).
		const key = 7310874963386376818
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, int64(key)); err != nil {
			return fmt.Errorf("poll: scheduler migrations: lock: %w", err)
		}
		defer conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock($1)`, int64(key))
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("poll: scheduler migrations: %w", err)
	}
	return nil
}

// Start begins polling on this node. Every feed connection gets its job if
// it lacks one (a job River gave up on after repeated store failures, or
// a connection made before polling existed), in the background.
func (p *Poller) Start(ctx context.Context) error {
	if err := p.sched.client.Start(ctx); err != nil {
		return fmt.Errorf("poll: start scheduler: %w", err)
	}
	go func() {
		if err := p.ensureJobs(ctx); err != nil && ctx.Err() == nil {
			p.opts.Logger.Error("poll: schedule feed connections", "error", err)
		}
	}()
	return nil
}

func (p *Poller) ensureJobs(ctx context.Context) error {
	ids, err := p.st.ConnectionsOf(ctx, herald.ConnectorRSS)
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		params := make([]river.InsertManyParams, n)
		for i, id := range ids[:n] {
			params[i] = river.InsertManyParams{Args: pollArgs{ConnectionID: id}}
		}
		// Unique by connection: an existing schedule is left as it is.
		if _, err := p.sched.client.InsertMany(ctx, params); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// Stop finishes the polls in progress (those still running when ctx ends
// are cancelled and run again at the next start) and stops.
func (p *Poller) Stop(ctx context.Context) error {
	p.stopOnce.Do(func() { close(p.stop) })
	p.bg.Wait()
	err := p.sched.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = p.sched.client.StopAndCancel(context.Background())
	}
	p.save.close()
	return err
}

// ScheduleTx schedules a new connection's first poll, at once, in the
// transaction that creates it.
func (p *Poller) ScheduleTx(ctx context.Context, tx *sql.Tx, connectionID string) error {
	if _, err := p.sched.client.InsertTx(ctx, tx, pollArgs{ConnectionID: connectionID}, nil); err != nil {
		return fmt.Errorf("poll: schedule: %w", err)
	}
	return nil
}

// PollSoon makes a connection's next poll due now, on whichever node takes
// it first: after its settings change, the next poll should not wait for a
// schedule made under the old ones. A poll running at that moment (with the
// old settings) is let finish, then its schedule is moved; so PollSoon
// works in the background, for up to a minute, and returns at once.
func (p *Poller) PollSoon(connectionID string) {
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		go func() {
			select {
			case <-p.stop:
				cancel()
			case <-ctx.Done():
			}
		}()
		for ctx.Err() == nil {
			done, err := p.pollSoon(ctx, connectionID)
			if err != nil && ctx.Err() == nil {
				p.opts.Logger.Warn("poll: reschedule after a change", "connection", connectionID, "error", err)
			}
			if done || err != nil {
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()
}

// pollSoon moves the connection's waiting job to now. It reports false
// while the job is running.
func (p *Poller) pollSoon(ctx context.Context, connectionID string) (bool, error) {
	res, err := p.sched.client.JobList(ctx, river.NewJobListParams().
		Kinds(pollArgs{}.Kind()).
		Where("args ->> 'connection_id' = @id", river.NamedArgs{"id": connectionID}).
		First(10))
	if err != nil {
		return false, fmt.Errorf("find schedule: %w", err)
	}
	for _, j := range res.Jobs {
		switch j.State {
		case rivertype.JobStateRunning:
			return false, nil
		case rivertype.JobStateScheduled, rivertype.JobStateRetryable, rivertype.JobStateAvailable:
			if _, err := p.sched.client.JobRetry(ctx, j.ID); err != nil {
				return false, fmt.Errorf("reschedule: %w", err)
			}
			return true, nil
		}
	}
	// No live job (lost, or never made): start one.
	if _, err := p.sched.client.Insert(ctx, pollArgs{ConnectionID: connectionID}, nil); err != nil {
		return false, fmt.Errorf("schedule: %w", err)
	}
	return true, nil
}

// levelAtLeast drops records below a level.
type levelAtLeast struct {
	slog.Handler
	min slog.Level
}

func (h levelAtLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h levelAtLeast) WithAttrs(a []slog.Attr) slog.Handler {
	return levelAtLeast{h.Handler.WithAttrs(a), h.min}
}

func (h levelAtLeast) WithGroup(name string) slog.Handler {
	return levelAtLeast{h.Handler.WithGroup(name), h.min}
}

package poll

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/feed"
	"github.com/heraldhq/herald/outbound"
	"github.com/heraldhq/herald/policy"
	"github.com/heraldhq/herald/store"
)

// Settings of a polling connection.
const (
	DefaultInterval = 15 * time.Minute
	MinInterval     = time.Minute
	MaxInterval     = 24 * time.Hour
	// MaxFirstItems bounds what a first poll may post.
	MaxFirstItems = 20
	// MaxPerPoll bounds what one later poll posts: a feed that renames every
	// item's id at once must not flood the channel. The rest are marked
	// seen, and the poll says how many were skipped.
	MaxPerPoll = 25
	// AttentionAfter is how many failures in a row make a connection show
	// "Attention required".
	AttentionAfter = 3
	// DefaultWorkers is how many polls run at once on a node. Most of a
	// poll is waiting (for the feed's server, for the store's commit), so
	// this is well above the number of cores.
	DefaultWorkers = 64
	// pausedRecheck is how soon a paused connection looks at the switches
	// again, when its interval is longer.
	pausedRecheck = 5 * time.Minute
)

// Options configure a Poller.
type Options struct {
	// Client fetches feeds; its guard decides which addresses may be polled.
	Client *outbound.Client
	// Allow decides whether a team's connections may poll now (the
	// organization's and the team's switches).
	Allow func(ctx context.Context, teamID string) (policy.Decision, error)
	// Workers is how many polls run at once on this node (DefaultWorkers).
	Workers int
	Logger  *slog.Logger
	Now     func() time.Time
}

// Poller polls feed connections. Schedules are River jobs in the store's
// database, so they survive restarts and, on PostgreSQL, each feed is polled
// by one node per interval.
type Poller struct {
	st    *store.Store
	opts  Options
	save  *saver
	sched *scheduler

	bg       sync.WaitGroup // PollSoon's goroutines
	stop     chan struct{}  // closed by Stop
	stopOnce sync.Once
}

// New makes a Poller over st. It creates River's tables when they are
// missing; Start begins polling.
func New(ctx context.Context, st *store.Store, opts Options) (*Poller, error) {
	if opts.Client == nil {
		opts.Client = outbound.New(outbound.Options{})
	}
	if opts.Workers <= 0 {
		opts.Workers = DefaultWorkers
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Poller{st: st, opts: opts, save: newSaver(st), stop: make(chan struct{})}
	var err error
	if p.sched, err = newScheduler(ctx, p); err != nil {
		p.save.close()
		return nil, err
	}
	return p, nil
}

// Settings returns a polling connection's interval and first-poll count,
// with defaults filled in.
func Settings(c herald.ConnectionConfig) (interval time.Duration, first int) {
	interval, first = DefaultInterval, feed.DefaultFirstCount
	if c.Interval != nil {
		interval = time.Duration(*c.Interval)
	}
	if c.FirstItems > 0 {
		first = c.FirstItems
	}
	return interval, first
}

// errGone ends a connection's schedule: it was removed.
var errGone = errors.New("poll: connection removed")

// Refresh is "refresh now": it makes the connection's poll due at once and
// waits, up to wait, for a poll that started after the call to be recorded,
// then returns the feed's state. The poll runs as the connection's job, on
// whichever node takes it, like every other: so a feed is never polled twice
// at once, and its schedule (next_poll_at) is the one its job keeps. If
// wait passes first, the poll still happens; the state returned is the
// current one, due now.
func (p *Poller) Refresh(ctx context.Context, connectionID string, wait time.Duration) (*herald.FeedState, error) {
	asked := p.opts.Now().Truncate(time.Millisecond) // the store keeps milliseconds
	if err := p.st.FeedDueAt(ctx, connectionID, asked); err != nil {
		return nil, err
	}
	p.PollSoon(connectionID)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		st, err := p.st.FeedState(context.WithoutCancel(ctx), connectionID)
		if err != nil || (st.LastPollAt != nil && !st.LastPollAt.Before(asked)) || ctx.Err() != nil {
			return st, err
		}
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
}

// poll fetches a connection's feed, posts its new items and records the
// outcome. It returns when the next poll is due. An error is the store's:
// a feed's own failures are outcomes, recorded and retried with backoff.
func (p *Poller) poll(ctx context.Context, id string) (time.Time, error) {
	conn, prev, err := p.st.FeedConnection(ctx, id)
	if herald.ErrorCode(err) == herald.ENotFound {
		return time.Time{}, errGone
	} else if err != nil {
		return time.Time{}, err
	}
	interval, firstCount := Settings(conn.Config)
	now := p.opts.Now()
	res := &store.FeedPoll{Conn: conn, State: herald.FeedState{
		Title: prev.Title, ETag: prev.ETag, LastModified: prev.LastModified, LastPollAt: &now,
	}}
	st := &res.State

	if p.opts.Allow != nil {
		d, err := p.opts.Allow(ctx, conn.TeamID)
		if err != nil {
			return time.Time{}, err
		}
		if !d.Allowed {
			next := now.Add(min(interval, pausedRecheck))
			st.LastStatus, st.LastError, st.Failures, st.NextPollAt = herald.FeedPaused, d.Reason, prev.Failures, &next
			return next, p.save.save(ctx, res)
		}
	}

	fetched, err := p.opts.Client.Fetch(ctx, outbound.FetchRequest{
		URL: conn.Config.URL, ETag: prev.ETag, LastModified: prev.LastModified, Accept: feed.AcceptHeader,
	})
	var items []feed.Item
	if err == nil && !fetched.NotModified {
		var f *feed.Feed
		f, err = feed.Parse(fetched.Body, fetched.FinalURL)
		if err == nil {
			items, st.Title = f.Items, f.Title
			if f.Warning != "" {
				st.LastError = f.Warning
			}
		} else {
			// A body that is not a feed must be fetched again next time,
			// not answered 304 from validators of a broken page.
			st.ETag, st.LastModified = "", ""
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return time.Time{}, ctx.Err() // shutting down: not the feed's fault
		}
		st.Failures = prev.Failures + 1
		st.LastStatus, st.LastError = herald.FeedError, err.Error()
		switch outbound.KindOf(err) {
		case outbound.KindRefused, outbound.KindInvalidURL:
			st.Stuck = true
		}
		next := now.Add(backoff(interval, st.Failures, retryAfter(fetched, err)))
		st.NextPollAt = &next
		return next, p.save.save(ctx, res)
	}

	next := slot(conn.ID, now, interval)
	st.NextPollAt, st.LastOKAt, st.Primed = &next, &now, true
	st.ETag, st.LastModified = fetched.ETag, fetched.LastModified
	if fetched.PermanentRedirect && fetched.FinalURL != conn.Config.URL {
		cfg := conn.Config
		cfg.URL = fetched.FinalURL
		res.Config = &cfg
	}
	if fetched.NotModified {
		st.LastStatus = herald.FeedNotModified
		return next, p.save.save(ctx, res)
	}
	st.LastStatus = herald.FeedOK
	if err := p.choose(ctx, res, items, !prev.Primed, firstCount, now); err != nil {
		return time.Time{}, err
	}
	return next, p.save.save(ctx, res)
}

// choose fills res with the items to record as seen and to post.
func (p *Poller) choose(ctx context.Context, res *store.FeedPoll, items []feed.Item, first bool, firstCount int, now time.Time) error {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	seen, err := p.st.SeenKeys(ctx, res.Conn.ID, keys)
	if err != nil {
		return err
	}
	posts := feed.Select(items, func(k string) bool { return seen[k] }, first, firstCount, now)
	if !first && len(posts) > MaxPerPoll {
		skipped := len(posts) - MaxPerPoll
		posts = posts[skipped:] // the newest
		res.State.LastError = fmt.Sprintf("%d new items at once; posted the newest %d and skipped %d older ones.", skipped+MaxPerPoll, MaxPerPoll, skipped)
	}
	// Every item of the feed is recorded: on the first poll that is what
	// keeps the archive it held back from being posted by the second.
	res.Listed = keys
	for _, k := range keys {
		if !seen[k] {
			res.Seen = append(res.Seen, k)
			seen[k] = true
		}
	}
	for _, it := range posts {
		summary, card := feed.Card(res.Conn.Name, it)
		res.Posts = append(res.Posts, store.FeedPost{Key: it.Key, Message: &herald.Message{
			Format: herald.ConnectorRSS, Summary: summary, Card: card,
		}})
	}
	return nil
}

// retryAfter is the server's Retry-After, if it sent one.
func retryAfter(r *outbound.FetchResult, err error) time.Duration {
	if r != nil && r.RetryAfter > 0 {
		return r.RetryAfter
	}
	if e, ok := errors.AsType[*outbound.Error](err); ok {
		return e.RetryAfter
	}
	return 0
}

// backoff is the wait after failures failures in a row: the interval
// doubled for each failure after the first, at most a day (or the interval,
// if longer), with jitter so that feeds that failed together (their host was
// down) do not come back together; a longer Retry-After wins.
func backoff(interval time.Duration, failures int, retryAfter time.Duration) time.Duration {
	return max(outbound.Backoff(interval, failures), retryAfter)
}

// slot is when a feed polled at now polls next. Each feed has its own phase
// within the interval, from its id: feeds poll at their phase every
// interval, so a thousand feeds of the same interval are spread evenly over
// it, however they were added (all at once, by a script) and however long
// Herald was down (the overdue ones poll at once, then go back to their
// phase). The next slot is at least half an interval away, so a poll off
// its phase (the first, a refresh) is followed by the next one after
// between half and one and a half intervals, then by one every interval.
func slot(id string, now time.Time, interval time.Duration) time.Time {
	h := fnv.New64a()
	h.Write([]byte(id))
	phase := time.Duration(h.Sum64() % uint64(interval))
	earliest := now.Add(interval / 2)
	// The first time at phase (mod interval, counted from the Unix epoch)
	// not before earliest.
	off := time.Duration(earliest.UnixNano()%int64(interval)) - phase
	if off < 0 {
		off += interval
	}
	next := earliest.Add(-off)
	if next.Before(earliest) {
		next = next.Add(interval)
	}
	return next
}

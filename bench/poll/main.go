// Command poll measures one full poll round of Herald's feed poller over
// 10,000 feeds, against a bare HTTP fetcher doing the same requests in the
// same run.
//
// Run it by hand from the repository root (it is deliberately not a test):
//
//	go run ./bench/poll                   # 10,000 feeds, 3 repetitions
//	go run ./bench/poll -check            # exit 1 if a floor is missed
//	go run ./bench/poll -db postgres://postgres@127.0.0.1/test
//
// It builds ./cmd/herald and runs `herald serve` as a separate process on a
// fresh data directory. The feed server runs inside this process: 10,000
// RSS 2.0 feeds with strong ETags and Last-Modified, 304 on a matching
// conditional GET, gzip when asked. Through the API it creates a team, 10
// channels and one rss connection per feed; creation enqueues each feed's
// first poll, so the first round runs during the setup. Each round then
// makes every feed_poll job due at once by updating River's job table, and
// waits until every feed's feed_state.polls has moved on: an "unchanged"
// round (every feed answers 304) and a "changed" round (every feed has one
// new item, which must be posted once). The baseline fetches the same feeds
// with the same concurrency and nothing else. The markdown report goes to
// standard output, progress to standard error. See docs/benchmarks.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

type config struct {
	feeds, items, reps   int
	workers, channels    int
	db, sync, rev, out   string
	heraldBin, dataRoot  string
	perfOut              string
	check, keep          bool
	waitQuiet, roundWait time.Duration
	floorChanged         time.Duration
	floorUnchanged       time.Duration
	floorRSS             float64
}

func main() {
	var c config
	flag.IntVar(&c.feeds, "feeds", 10000, "number of feeds (rss connections)")
	flag.IntVar(&c.items, "items", 20, "items per feed")
	flag.IntVar(&c.reps, "reps", 3, "repetitions of each round; the report gives medians")
	flag.IntVar(&c.workers, "workers", 64, "polls at once: Herald's --poll-workers (when it has the flag) and the baseline's concurrency")
	flag.IntVar(&c.channels, "channels", 10, "channels the feeds are spread over (feed i in channel i mod n)")
	flag.StringVar(&c.db, "db", "", "postgres://... : run Herald on PostgreSQL, in a fresh database created on that server for the run and dropped after")
	flag.StringVar(&c.sync, "sync", "full", "Herald's --sqlite-sync: full or normal")
	flag.StringVar(&c.rev, "rev", "", "build Herald from this git revision (git archive) instead of the working tree")
	flag.StringVar(&c.heraldBin, "herald-bin", "", "use this Herald binary instead of building ./cmd/herald")
	flag.StringVar(&c.dataRoot, "data-root", "", "directory for the temporary directory (default: the system's); it decides which disk SQLite syncs to")
	flag.StringVar(&c.perfOut, "perf", "", "after the measured rounds, run one more changed and one more unchanged round with Herald under 'perf record -g' into FILE.changed and FILE.unchanged; the report gets the top functions")
	flag.BoolVar(&c.check, "check", false, "exit with status 1 when a floor or a check is missed")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary directory (binary, data directory, Herald's log)")
	flag.DurationVar(&c.waitQuiet, "wait-quiet", 0, "before each round, wait up to this long for a second in which the machine is nearly idle (busy CPU < 0.25 core); 0: do not wait")
	flag.DurationVar(&c.roundWait, "round-timeout", 10*time.Minute, "give up on a round after this long")
	flag.StringVar(&c.out, "out", "", "also write the markdown report to this file")
	flag.DurationVar(&c.floorChanged, "floor-changed", 60*time.Second, "floor: a changed round (median) takes at most this long")
	flag.DurationVar(&c.floorUnchanged, "floor-unchanged", 10*time.Second, "floor: an unchanged round (median) takes at most this long")
	flag.Float64Var(&c.floorRSS, "floor-rss", 256, "floor: Herald's peak RSS in any round, setup included, stays below this many MiB")
	flag.Parse()
	switch {
	case c.feeds < 1, c.items < 1, c.reps < 1, c.workers < 1, c.channels < 1:
		fmt.Fprintln(os.Stderr, "-feeds, -items, -reps, -workers and -channels must be at least 1")
		os.Exit(2)
	case c.sync != "full" && c.sync != "normal":
		fmt.Fprintln(os.Stderr, "-sync is full or normal")
		os.Exit(2)
	}
	os.Exit(run(&c))
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}

// bench holds one run and its results.
type bench struct {
	cfg       *config
	tmp       string
	started   time.Time
	machine   []string
	fsInfo    string
	heraldRev string
	opts      heraldOptions

	fs       *feedSet
	feedBase string
	h        *herald
	polls    int // rounds every feed has been polled so far

	setup       *roundResult
	rounds      []*roundResult
	checks      []check
	noisyStarts int
	profile     string
}

type check struct {
	ok   bool
	text string
}

func (b *bench) checkf(ok bool, format string, args ...any) {
	b.checks = append(b.checks, check{ok, fmt.Sprintf(format, args...)})
	if !ok {
		logf("CHECK FAILED: "+format, args...)
	}
}

var (
	liveMu   sync.Mutex
	liveStop []func()
)

func onExit(f func()) {
	liveMu.Lock()
	liveStop = append(liveStop, f)
	liveMu.Unlock()
}

func cleanup() {
	liveMu.Lock()
	defer liveMu.Unlock()
	for i := len(liveStop) - 1; i >= 0; i-- {
		liveStop[i]()
	}
	liveStop = nil
}

func run(c *config) int {
	goBin, _ := exec.LookPath("go")
	if goBin == "" {
		goBin = "go"
	}
	root := c.dataRoot
	if root == "" {
		root = os.TempDir()
	}
	tmp, err := os.MkdirTemp(root, "herald-pollbench-")
	if err != nil {
		logf("error: %v", err)
		return 2
	}
	onExit(func() {
		if c.keep {
			logf("kept %s", tmp)
		} else {
			os.RemoveAll(tmp)
		}
	})
	defer cleanup()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		logf("interrupted; stopping Herald")
		cleanup()
		os.Exit(130)
	}()

	b := &bench{cfg: c, tmp: tmp, started: time.Now()}
	b.machine = benchkit.MachineInfo(goBin, "this program")
	b.fsInfo = benchkit.FilesystemOf(tmp)
	bin := c.heraldBin
	if bin == "" {
		var err error
		if bin, b.heraldRev, err = benchkit.BuildHeraldRevision(goBin, "./bench/poll", c.rev, tmp, logf); err != nil {
			logf("error: %v", err)
			return 2
		}
	}
	b.opts = heraldOptions{bin: bin, sync: c.sync, workers: c.workers, flags: serveFlags(bin)}
	if !b.opts.flags["--allow-private-networks"] {
		logf("error: this Herald's `serve` has no --allow-private-networks flag, so it cannot poll feeds on 127.0.0.1; build a revision that has it")
		return 2
	}
	if !b.opts.flags["--poll-workers"] {
		logf("note: this Herald's `serve` has no --poll-workers flag; Herald polls with its default (32 at once), the baseline with -workers %d", c.workers)
	}
	if c.db != "" {
		dsn, drop, err := freshPostgres(c.db)
		if err != nil {
			logf("error: %v", err)
			return 2
		}
		onExit(drop)
		b.opts.db = dsn
	}

	if err := b.measure(); err != nil {
		logf("error: %v", err)
		if b.h != nil {
			logf("herald log:\n%s", benchkit.Tail(b.h.Log, 30))
		}
		return 2
	}
	report, failed := b.report()
	fmt.Print(report)
	if c.out != "" {
		if err := os.WriteFile(c.out, []byte(report), 0o644); err != nil {
			logf("error: %v", err)
		}
	}
	if failed && c.check {
		return 1
	}
	return 0
}

func (b *bench) measure() error {
	c := b.cfg
	ctx := context.Background()

	logf("generating %d feeds of %d items ...", c.feeds, c.items)
	b.fs = newFeedSet(c.feeds, c.items, time.Now())
	b.fs.prepare()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := b.fs.serve(ln)
	onExit(func() { srv.Close() })
	b.feedBase = "http://" + ln.Addr().String()
	logf("feed server at %s; a feed is %d bytes, %d gzipped", b.feedBase, len(b.fs.bodies[0].plain), len(b.fs.bodies[0].gz))

	h, err := startHerald(b.opts, b.tmp)
	if err != nil {
		return err
	}
	b.h = h
	onExit(h.stop)
	logf("herald started (pid %d, %s, %s)", h.Pid(), h.Addr, h.dialect)

	if b.setup, err = b.setupRound(ctx); err != nil {
		return err
	}
	for rep := 1; rep <= c.reps; rep++ {
		for _, kind := range []string{roundUnchanged, roundChanged} {
			if kind == roundChanged {
				b.fs.bump() // outside the measurement: the next version of every feed
			}
			order := []string{"herald", "bare"}
			if rep%2 == 0 {
				order = []string{"bare", "herald"}
			}
			for _, target := range order {
				var r *roundResult
				if target == "herald" {
					r, err = b.heraldRound(ctx, kind, "")
				} else {
					r = b.bareRound(kind)
				}
				if err != nil {
					return err
				}
				r.rep = rep
				b.rounds = append(b.rounds, r)
				logf("rep %d/%d: %s", rep, c.reps, r.line())
			}
		}
	}
	if c.perfOut != "" {
		b.profile = b.profileRounds(ctx)
	}
	return nil
}

const (
	roundSetup     = "setup"
	roundChanged   = "changed"
	roundUnchanged = "unchanged"
)

// roundResult is one measured round of Herald or of the baseline.
type roundResult struct {
	rep    int
	target string // herald or bare
	kind   string // setup, changed or unchanged

	wall     time.Duration // from the UPDATE to the last feed's state saved (Herald), or the fetch loop (bare)
	settle   time.Duration // Herald: from the UPDATE until every job was back in River's 'scheduled'
	update   time.Duration // Herald: how long the UPDATE of river_job took
	srv      totals        // the feed server's counters over the round
	cpu      float64       // Herald's CPU seconds (bare: this process's, which includes the feed server)
	selfCPU  float64       // this process's CPU seconds: the feed server (and the bare fetcher)
	otherCPU float64       // busy CPU seconds of everything else on the machine
	peakRSS  float64       // MiB: Herald's peak over the round (bare: –)
	hwmReset bool          // whether VmHWM could be reset at the start
	failed   int64         // bare: failed requests
	posted   int64         // Herald: messages posted in the round (sum of items_posted)
}

func (r *roundResult) reqPerSec() float64 { return float64(r.srv.requests) / r.wall.Seconds() }

func (r *roundResult) line() string {
	s := fmt.Sprintf("%-6s %-9s %7.2fs  %6.0f req/s  200s %d 304s %d  %.1f MB  conns %d  CPU %.2fs (feed server %.2fs, other %.2fs)",
		r.target, r.kind, r.wall.Seconds(), r.reqPerSec(), r.srv.ok, r.srv.notModified, float64(r.srv.bytes)/1e6, r.srv.conns, r.cpu, r.selfCPU, r.otherCPU)
	if r.target == "herald" {
		s += fmt.Sprintf("  peak RSS %.0f MiB  posted %d  settled %.2fs", r.peakRSS, r.posted, r.settle.Seconds())
	}
	return s
}

// waitQuiet waits up to -wait-quiet for one second in which the whole
// machine is busy for less than a quarter of a core.
func (b *bench) waitQuiet() {
	if b.cfg.waitQuiet <= 0 {
		return
	}
	if quiet, busy := benchkit.WaitQuiet(b.cfg.waitQuiet); !quiet {
		logf("the machine is still busy (%.2f cores); going on", busy)
		b.noisyStarts++
	}
}

// meter samples Herald's CPU and memory over a round.
type meter struct {
	pid                     int
	cpu0, self0, machine0   time.Duration
	reset                   bool
	stop                    chan struct{}
	done                    chan struct{}
	peak                    float64
	cpu, self, other, total float64
}

func startMeter(pid int) *meter {
	m := &meter{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	m.reset = pid > 0 && resetPeak(pid)
	m.cpu0, m.self0 = benchkit.ProcCPU(pid), benchkit.SelfCPU()
	m.machine0, _ = benchkit.MachineCPU()
	go func() {
		defer close(m.done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			if pid > 0 {
				if rss, _ := benchkit.ProcMem(pid); rss > m.peak {
					m.peak = rss
				}
			}
			select {
			case <-m.stop:
				return
			case <-t.C:
			}
		}
	}()
	return m
}

func (m *meter) finish() {
	close(m.stop)
	<-m.done
	if m.pid > 0 {
		m.cpu = (benchkit.ProcCPU(m.pid) - m.cpu0).Seconds()
		if rss, hwm := benchkit.ProcMem(m.pid); m.reset {
			m.peak = max(m.peak, rss, hwm)
		}
	}
	m.self = (benchkit.SelfCPU() - m.self0).Seconds()
	machine, _ := benchkit.MachineCPU()
	m.total = (machine - m.machine0).Seconds()
	m.other = max(0, m.total-m.cpu-m.self)
}

// setupRound creates the connections and waits for every feed's first
// poll, measuring it like a round.
func (b *bench) setupRound(ctx context.Context) (*roundResult, error) {
	c := b.cfg
	b.waitQuiet()
	srv0 := b.fs.totals()
	m := startMeter(b.h.Pid())
	t0 := time.Now()
	logf("creating %d rss connections in %d channels ...", c.feeds, c.channels)
	if err := b.h.setup(b.feedBase, c.feeds, c.channels, 16); err != nil {
		m.finish()
		return nil, fmt.Errorf("setup: %w", err)
	}
	created := time.Since(t0)
	logf("created in %.1fs; waiting for every first poll ...", created.Seconds())
	st, err := b.waitPolled(ctx, 1, t0, srv0)
	m.finish()
	if err != nil {
		return nil, err
	}
	r := &roundResult{target: "herald", kind: roundSetup, wall: time.Since(t0), update: created, srv: b.fs.totals().minus(srv0),
		cpu: m.cpu, selfCPU: m.self, otherCPU: m.other, peakRSS: m.peak, hwmReset: m.reset, posted: st.itemsPosted}
	b.polls = 1
	if r.settle, err = b.waitSettled(ctx, t0); err != nil {
		return nil, err
	}
	first := int64(3) // feed.DefaultFirstCount: a first poll posts the newest 3
	b.checkf(st.ok == int64(c.feeds) && st.failed == 0, "setup: every first poll succeeded (%d ok, %d failed)", st.ok, st.failed)
	b.checkf(st.itemsPosted == first*int64(c.feeds), "setup: the first polls posted %d items each (%d in all, want %d)", first, st.itemsPosted, first*int64(c.feeds))
	logf("setup: %s", r.line())
	return r, nil
}

// heraldRound makes every feed due at once and measures Herald's round.
// With perfOut it runs Herald under perf record meanwhile.
func (b *bench) heraldRound(ctx context.Context, kind, perfOut string) (*roundResult, error) {
	c := b.cfg
	b.waitQuiet()
	msgs0, err := b.h.messageCount()
	if err != nil {
		return nil, err
	}
	before, err := b.h.stats(ctx, 0)
	if err != nil {
		return nil, err
	}
	var perf *exec.Cmd
	if perfOut != "" {
		perf = exec.Command("perf", "record", "-F", "499", "-g", "-p", fmt.Sprint(b.h.Pid()), "-o", perfOut)
		perf.Stdout, perf.Stderr = os.Stderr, os.Stderr
		if err := perf.Start(); err != nil {
			return nil, fmt.Errorf("perf record: %w", err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	srv0 := b.fs.totals()
	m := startMeter(b.h.Pid())
	t0 := time.Now()
	n, err := b.h.makeDue(ctx)
	update := time.Since(t0)
	if err != nil {
		m.finish()
		return nil, err
	}
	if n != int64(c.feeds) {
		m.finish()
		return nil, fmt.Errorf("the UPDATE made %d feed_poll jobs due, not %d", n, c.feeds)
	}
	st, err := b.waitPolled(ctx, b.polls+1, t0, srv0)
	wall := time.Since(t0)
	m.finish()
	if perf != nil {
		perf.Process.Signal(os.Interrupt)
		perf.Wait()
	}
	if err != nil {
		return nil, err
	}
	b.polls++
	r := &roundResult{target: "herald", kind: kind, wall: wall, update: update, srv: b.fs.totals().minus(srv0),
		cpu: m.cpu, selfCPU: m.self, otherCPU: m.other, peakRSS: m.peak, hwmReset: m.reset, posted: st.itemsPosted - before.itemsPosted}
	if r.settle, err = b.waitSettled(ctx, t0); err != nil {
		return nil, err
	}
	msgs1, err := b.h.messageCount()
	if err != nil {
		return nil, err
	}
	feeds := int64(c.feeds)
	name := fmt.Sprintf("herald %s round %d", kind, b.polls)
	if kind == roundUnchanged {
		b.checkf(r.srv.requests == feeds && r.srv.notModified == feeds, "%s: the feed server answered %d requests, %d of them 304 (want %d, all 304)", name, r.srv.requests, r.srv.notModified, feeds)
		b.checkf(st.notMod == feeds, "%s: %d feeds recorded not_modified (want %d)", name, st.notMod, feeds)
		b.checkf(r.posted == 0 && msgs1 == msgs0, "%s: no message posted (items_posted +%d, message_count +%d)", name, r.posted, msgs1-msgs0)
	} else {
		b.checkf(r.srv.requests == feeds && r.srv.ok == feeds, "%s: the feed server answered %d requests, %d of them 200 (want %d, all 200)", name, r.srv.requests, r.srv.ok, feeds)
		b.checkf(st.ok == feeds, "%s: %d feeds recorded ok (want %d)", name, st.ok, feeds)
		b.checkf(r.posted == feeds && msgs1-msgs0 == feeds, "%s: one new message per feed (items_posted +%d, message_count +%d, want %d)", name, r.posted, msgs1-msgs0, feeds)
	}
	if st.failed > 0 {
		logf("%s: %d feeds failed: %v", name, st.failed, b.h.lastErrors(ctx))
	}
	return r, nil
}

// waitPolled waits until every feed's polls count reached target. Reading
// feed_state costs this process CPU (the pure-Go SQLite scans every row),
// which it shares with Herald on a small machine, so it first waits, on the
// feed server's counter, until every feed has been requested since srv0,
// and only then reads feed_state, every 50 ms, for the last saves.
func (b *bench) waitPolled(ctx context.Context, target int, t0 time.Time, srv0 totals) (feedStats, error) {
	feeds := int64(b.cfg.feeds)
	lastLog := time.Now()
	for {
		got := b.fs.totals().minus(srv0).requests
		if got >= feeds {
			break
		}
		select {
		case <-b.h.Exited:
			return feedStats{}, errors.New("herald exited during the round")
		default:
		}
		if time.Since(t0) > b.cfg.roundWait {
			st, _ := b.h.stats(ctx, target)
			return st, fmt.Errorf("after %s only %d of %d feeds had been requested; %d failed: %v",
				b.cfg.roundWait, got, feeds, st.failed, b.h.lastErrors(ctx))
		}
		if time.Since(lastLog) > 10*time.Second {
			logf("  %d/%d feeds requested after %.0fs", got, feeds, time.Since(t0).Seconds())
			lastLog = time.Now()
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		n, err := b.h.polledAtLeast(ctx, target)
		if err != nil {
			return feedStats{}, fmt.Errorf("read feed_state: %w", err)
		}
		if n >= feeds {
			return b.h.stats(ctx, target)
		}
		if time.Since(t0) > b.cfg.roundWait {
			st, _ := b.h.stats(ctx, target)
			return st, fmt.Errorf("after %s only %d of %d feeds had polled %d time(s); %d failed: %v",
				b.cfg.roundWait, n, feeds, target, st.failed, b.h.lastErrors(ctx))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSettled waits until every feed_poll job is back in River's
// 'scheduled' state (River records a job's outcome after the poll has
// saved its state), and returns the time since t0.
func (b *bench) waitSettled(ctx context.Context, t0 time.Time) (time.Duration, error) {
	for {
		sch, total, err := b.h.scheduledJobs(ctx)
		if err != nil {
			return 0, fmt.Errorf("read river_job: %w", err)
		}
		if sch == int64(b.cfg.feeds) {
			return time.Since(t0), nil
		}
		if time.Since(t0) > b.cfg.roundWait {
			return 0, fmt.Errorf("after %s only %d of %d feed_poll jobs were scheduled again", b.cfg.roundWait, sch, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// bareRound runs the baseline: the same requests, nothing else.
func (b *bench) bareRound(kind string) *roundResult {
	b.waitQuiet()
	srv0 := b.fs.totals()
	m := startMeter(0)
	wall, failed := bareFetch(b.fs, b.feedBase, b.cfg.workers, kind == roundUnchanged)
	m.finish()
	r := &roundResult{target: "bare", kind: kind, wall: wall, srv: b.fs.totals().minus(srv0),
		cpu: m.self, selfCPU: m.self, otherCPU: m.other, failed: failed, peakRSS: -1}
	b.checkf(failed == 0, "bare %s round: %d failed requests", kind, failed)
	return r
}

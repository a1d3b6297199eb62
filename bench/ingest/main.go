// Command ingest measures Herald's durable webhook ingest against a bare
// net/http baseline on the same machine, in the same run.
//
// Run it by hand from the repository root (it is deliberately not a test):
//
//	go run ./bench/ingest                 # 3 repetitions, c = 1, 16, 64
//	go run ./bench/ingest -check          # exit 1 if a floor is missed
//	go run ./bench/ingest -sync normal    # SQLite synchronous=NORMAL
//	go run ./bench/ingest -db postgres://user@127.0.0.1/herald_bench
//	go run ./bench/ingest -reps 1 -perf /tmp/herald.perf   # plus a perf profile
//
// It builds ./cmd/herald into a temporary directory and starts it as a
// separate process on a fresh data directory with --rate-limit off, creates a
// team and an incoming webhook through the API, and starts the baseline (this
// binary re-executed as a bare net/http server that reads the body and
// answers "1") as another process. A closed-loop load generator then POSTs a
// 1.5 KB MessageCard (testdata/messagecard.json) at each concurrency, one
// keep-alive connection per worker, alternating the targets in every
// repetition. Only 200 with the body "1" counts as accepted. After each
// Herald repetition the channel's message_count must equal the accepted
// posts. The markdown report goes to standard output, progress to standard
// error. See docs/benchmarks.md.
package main

import (
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

//go:embed testdata/messagecard.json
var messageCard []byte

// The floors this benchmark checks, at floorConc, on a 2-core machine with
// SQLite (see docs/benchmarks.md for where they come from).
const floorConc = 64

type config struct {
	reps       int
	duration   time.Duration
	warmup     time.Duration
	conc       []int
	sync       string
	db         string
	client     string
	check      bool
	heraldBin  string
	rev        string
	waitQuiet  time.Duration
	dataRoot   string
	keep       bool
	perfOut    string
	pprofOut   string
	out        string
	floorRPS   float64
	floorRatio float64
	floorP99   time.Duration
}

func main() {
	if os.Getenv(bareRoleEnv) == "bare" {
		if len(os.Args) != 2 {
			fmt.Fprintln(os.Stderr, "bare mode needs one argument: the listen address")
			os.Exit(2)
		}
		runBare(os.Args[1])
		return
	}
	var c config
	var conc string
	flag.IntVar(&c.reps, "reps", 3, "repetitions; the report gives medians over them")
	flag.DurationVar(&c.duration, "duration", 8*time.Second, "measured time per concurrency step")
	flag.DurationVar(&c.warmup, "warmup", 2*time.Second, "unmeasured load before each step's measured time, at the same concurrency")
	flag.StringVar(&conc, "conc", "1,16,64", "comma-separated concurrency levels (one connection per worker)")
	flag.StringVar(&c.sync, "sync", "full", "Herald's --sqlite-sync: full or normal")
	flag.StringVar(&c.db, "db", "", "postgres://... to run Herald on PostgreSQL instead of SQLite (--db)")
	flag.StringVar(&c.client, "client", "raw", "load client: raw (HTTP/1.1 over TCP, cheap) or std (net/http client)")
	flag.BoolVar(&c.check, "check", false, "exit with status 1 when a floor or a check is missed")
	flag.StringVar(&c.rev, "rev", "", "build Herald from this git revision (exported with git archive) instead of the working tree")
	flag.StringVar(&c.heraldBin, "herald-bin", "", "use this Herald binary instead of building ./cmd/herald")
	flag.StringVar(&c.dataRoot, "data-root", "", "directory for the temporary data directories (default: the system temporary directory); it decides which disk SQLite syncs to")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary directory (binaries, data, server logs)")
	flag.StringVar(&c.perfOut, "perf", "", "after the measured runs, do one extra step per target at the highest concurrency: Herald under 'perf record -g' (into this file) and 'perf stat', the bare server under 'perf stat'; the report gets the top symbols and system calls per post")
	flag.StringVar(&c.pprofOut, "pprof", "", "after the measured runs, do one extra Herald step at the highest concurrency and save Herald's Go CPU profile of its warm-up and window into this file (cmd/herald/default.pgo is one made so, for profile-guided optimization)")
	flag.DurationVar(&c.waitQuiet, "wait-quiet", 0, "before each step, wait up to this long for a second in which the machine is nearly idle (busy CPU < 0.25 core), to keep other jobs out of the measurement; 0: do not wait")
	flag.StringVar(&c.out, "out", "", "also write the markdown report to this file")
	flag.Float64Var(&c.floorRPS, "floor-rps", 12000, "floor: Herald accepted req/s at c=64 (median)")
	flag.Float64Var(&c.floorRatio, "floor-ratio", 0.20, "floor: Herald/bare req/s at c=64 (ratio of medians)")
	flag.DurationVar(&c.floorP99, "floor-p99", 30*time.Millisecond, "floor: Herald p99 at c=64 (median over repetitions) must be below this")
	flag.Parse()
	for f := range strings.SplitSeq(conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "-conc: %q is not a positive integer\n", f)
			os.Exit(2)
		}
		c.conc = append(c.conc, n)
	}
	switch {
	case c.reps < 1, c.duration <= 0, c.warmup < 0:
		fmt.Fprintln(os.Stderr, "-reps must be at least 1, -duration positive and -warmup not negative")
		os.Exit(2)
	case c.sync != "full" && c.sync != "normal":
		fmt.Fprintln(os.Stderr, "-sync is full or normal")
		os.Exit(2)
	case c.client != "raw" && c.client != "std":
		fmt.Fprintln(os.Stderr, "-client is raw or std")
		os.Exit(2)
	}
	os.Exit(run(&c))
}

// live tracks the running servers so that an interrupt can stop them.
var live struct {
	sync.Mutex
	servers map[*server]bool
}

func track(s *server) {
	live.Lock()
	defer live.Unlock()
	if live.servers == nil {
		live.servers = map[*server]bool{}
	}
	live.servers[s] = true
}

func untrack(s *server) {
	live.Lock()
	delete(live.servers, s)
	live.Unlock()
	s.Stop()
}

// discard stops a server and, unless -keep, deletes its directory at once, so
// that hundreds of megabytes of finished databases do not pile up and get
// written back or freed during later measurements.
func (b *bench) discard(s *server) {
	untrack(s)
	if !b.cfg.keep && s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s  "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
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
	tmp, err := os.MkdirTemp(root, "herald-bench-")
	if err != nil {
		logf("error: %v", err)
		return 2
	}
	cleanup := func() {
		live.Lock()
		for s := range live.servers {
			s.Stop()
		}
		live.Unlock()
		if c.keep {
			logf("kept %s", tmp)
		} else {
			os.RemoveAll(tmp)
		}
	}
	defer cleanup()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		logf("interrupted; stopping the servers")
		cleanup()
		os.Exit(130)
	}()

	b := &bench{cfg: c, tmp: tmp, started: time.Now()}
	b.machine = benchkit.MachineInfo(goBin, "this client")
	b.fsInfo = benchkit.FilesystemOf(tmp)

	bin := c.heraldBin
	if bin == "" {
		var err error
		if bin, b.heraldRev, err = benchkit.BuildHeraldRevision(goBin, "./bench/ingest", c.rev, tmp, logf); err != nil {
			logf("error: %v", err)
			return 2
		}
	}
	b.heraldOpt = heraldOptions{bin: bin, sync: c.sync, db: c.db}

	if err := b.measure(); err != nil {
		logf("error: %v", err)
		return 2
	}
	if c.perfOut != "" {
		if err := b.profile(); err != nil {
			logf("profile: %v", err)
			b.profileText = "Profiling failed: " + err.Error()
		}
	}
	if c.pprofOut != "" {
		if err := b.cpuProfile(); err != nil {
			logf("error: Go CPU profile: %v", err)
			return 2
		}
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

// bench holds one benchmark run and its results.
type bench struct {
	cfg         *config
	tmp         string
	started     time.Time
	machine     []string
	fsInfo      string
	heraldRev   string
	heraldOpt   heraldOptions
	results     []*stepResult
	durability  []durabilityCheck
	profileText string
	noisyStarts int // steps started after -wait-quiet gave up waiting
}

type durabilityCheck struct {
	rep          int
	accepted     int64 // every accepted post of the repetition
	unknown      int64 // posts without an answer
	messageCount int64
	err          error
}

func (d durabilityCheck) ok() bool {
	return d.err == nil && d.messageCount >= d.accepted && d.messageCount <= d.accepted+d.unknown
}

func (b *bench) measure() error {
	c := b.cfg
	for rep := 1; rep <= c.reps; rep++ {
		order := []string{"herald", "bare"}
		if rep%2 == 0 {
			slices.Reverse(order)
		}
		for _, target := range order {
			if err := b.runTarget(rep, target); err != nil {
				return err
			}
		}
	}
	return nil
}

// waitQuiet waits up to b.cfg.waitQuiet for one second in which the whole
// machine is busy for less than a quarter of a core.
func (b *bench) waitQuiet() {
	if b.cfg.waitQuiet <= 0 {
		return
	}
	if quiet, busy := benchkit.WaitQuiet(b.cfg.waitQuiet); !quiet {
		logf("the machine is still busy (%.2f cores used by others); going on", busy)
		b.noisyStarts++
	}
}

func (b *bench) start(target string) (*server, error) {
	var s *server
	var err error
	if target == "herald" {
		s, err = startHerald(b.heraldOpt, b.tmp)
	} else {
		s, err = startBare(b.tmp)
	}
	if err != nil {
		return nil, err
	}
	track(s)
	// One post before the load, to fail early with Herald's own words if
	// the payload or the URL is refused.
	p := newRawPoster(s.Addr, s.path, messageCard, time.Now().Add(time.Minute))
	status, body, err := p.post()
	p.close()
	if err != nil || !accepted(status, body) {
		untrack(s)
		return nil, fmt.Errorf("%s refused the first post: %s; log:\n%s", target, describeFailure(status, body, err), benchkit.Tail(s.Log, 20))
	}
	return s, nil
}

func (b *bench) runTarget(rep int, target string) error {
	c := b.cfg
	s, err := b.start(target)
	if err != nil {
		return err
	}
	defer b.discard(s)
	logf("rep %d/%d: %s started (pid %d, %s)", rep, c.reps, target, s.Pid(), s.Addr)
	total, unknown := int64(1), int64(0) // the first post was accepted
	for _, n := range c.conc {
		b.waitQuiet()
		disk := syncLatency(b.tmp, 20)
		st := &step{target: s, conc: n, warmup: c.warmup, window: c.duration, client: c.client, body: messageCard}
		r, err := st.run()
		if err != nil {
			return err
		}
		r.rep, r.diskSync = rep, disk
		b.results = append(b.results, r)
		total += r.allAccepted
		unknown += r.unknown
		logf("rep %d/%d: %-6s c=%-3d %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  failed %d  CPU client %.2f server %.2f other %.2f  disk sync %.2f ms",
			rep, c.reps, target, n, r.rps(), ms(r.h.quantile(0.50)), ms(r.h.quantile(0.99)), r.failed, r.clientCPU, r.serverCPU, r.otherCPU, ms(disk))
		select {
		case <-s.Exited:
			return fmt.Errorf("%s exited during the load; log:\n%s", target, benchkit.Tail(s.Log, 30))
		default:
		}
	}
	if target == "herald" {
		d := durabilityCheck{rep: rep, accepted: total, unknown: unknown}
		d.messageCount, d.err = s.messageCount()
		b.durability = append(b.durability, d)
		verdict := "matches"
		if !d.ok() {
			verdict = "DOES NOT MATCH"
		}
		logf("rep %d/%d: herald message_count %d, accepted %d (%d without answer): %s", rep, c.reps, d.messageCount, d.accepted, d.unknown, verdict)
	}
	return nil
}

// profile runs one extra, unreported step per target at the highest
// concurrency: Herald under 'perf record -g' and 'perf stat', then the bare
// server under 'perf stat' for comparison; it keeps perf's summary for the
// report.
func (b *bench) profile() error {
	c := b.cfg
	perf, err := exec.LookPath("perf")
	if err != nil {
		return errors.New("perf is not installed (Debian: apt-get install linux-perf)")
	}
	conc := slices.Max(c.conc)
	hr, hc, err := b.perfStep(perf, "herald", conc, c.perfOut)
	if err != nil {
		return err
	}
	br, bc, err := b.perfStep(perf, "bare", conc, "")
	if err != nil {
		return err
	}
	span := (c.warmup + c.duration).Seconds()
	var sb strings.Builder
	fmt.Fprintf(&sb, "One extra run per target at c=%d, not in the tables above. perf slows both servers down (the system-call tracepoints of perf stat most), so use the shares and the per-post counts below, not these rates. Herald: %s req/s, p99 %s ms, server CPU %.2f cores, %.0f µs of server CPU per accepted post. Bare: %s req/s, server CPU %.2f cores, %.0f µs per post. Profile: `%s` (`perf report -i %s`).\n\n",
		conc, benchkit.Thousands(hr.rps()), fmtMS(ms(hr.h.quantile(0.99))), hr.serverCPU, 1e6*hr.serverCPU/hr.rps(),
		benchkit.Thousands(br.rps()), br.serverCPU, 1e6*br.serverCPU/br.rps(), c.perfOut, c.perfOut)
	if hc != nil && bc != nil {
		fmt.Fprintf(&sb, "System calls and context switches of each server process over the %.0f s of warm-up and window (perf stat), per accepted post; for Herald, fsync per post is 1 / the mean group-commit size:\n\n", span)
		sb.WriteString("| event | Herald per second | Herald per post | bare per post |\n|---|---:|---:|---:|\n")
		for _, e := range statEvents {
			hn, ok1 := hc[e]
			bn, ok2 := bc[e]
			if !ok1 || !ok2 {
				continue
			}
			fmt.Fprintf(&sb, "| %s | %s | %.3f | %.3f |\n", strings.TrimPrefix(e, "syscalls:sys_enter_"),
				benchkit.Thousands(hn/span), hn/float64(hr.allAccepted), bn/float64(br.allAccepted))
		}
		sb.WriteString("\n")
	}
	for _, v := range []struct{ title, children, fields string }{
		{"Where Herald's CPU samples fall, by binary or kernel", "--no-children", "overhead,dso"},
		{"Top functions, self time", "--no-children", "overhead,sym"},
		{"Top functions, including callees (call graph from frame pointers)", "--children", "overhead_children,overhead,sym"},
	} {
		out, err := exec.Command(perf, "report", "-i", c.perfOut, "--stdio", v.children, "--fields", v.fields, "-g", "none", "--percent-limit", "1").CombinedOutput()
		if err != nil {
			fmt.Fprintf(&sb, "perf report --fields %s failed: %v\n\n", v.fields, err)
			continue
		}
		var lines []string
		for line := range strings.SplitSeq(string(out), "\n") {
			if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			lines = append(lines, strings.TrimRight(line, " "))
			if len(lines) == 30 {
				break
			}
		}
		fmt.Fprintf(&sb, "%s:\n\n```\n%s\n```\n\n", v.title, strings.Join(lines, "\n"))
	}
	b.profileText = sb.String()
	return nil
}

// cpuProfile runs one extra Herald step at the highest concurrency with
// Herald's profiler on, and saves its CPU profile of the warm-up and the
// window to -pprof.
func (b *bench) cpuProfile() error {
	c := b.cfg
	opt := b.heraldOpt
	opt.debug = true
	s, err := startHerald(opt, b.tmp)
	if err != nil {
		return err
	}
	track(s)
	defer b.discard(s)
	secs := int((c.warmup + c.duration + time.Second - 1) / time.Second)
	type answer struct {
		body []byte
		err  error
	}
	got := make(chan answer, 1)
	st := &step{target: s, conc: slices.Max(c.conc), warmup: c.warmup, window: c.duration, client: c.client, body: messageCard,
		onStart: func() {
			go func() {
				var a answer
				resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", s.debugAddr, secs))
				if err == nil {
					a.body, a.err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if a.err == nil && resp.StatusCode != http.StatusOK {
						a.err = fmt.Errorf("%s: %s", resp.Status, a.body)
					}
				} else {
					a.err = err
				}
				got <- a
			}()
		}}
	b.waitQuiet()
	logf("Go CPU profile of herald at c=%d for %ds ...", st.conc, secs)
	r, err := st.run()
	if err != nil {
		return err
	}
	a := <-got
	if a.err != nil {
		return a.err
	}
	if err := os.WriteFile(c.pprofOut, a.body, 0o644); err != nil {
		return err
	}
	logf("wrote %s (%d bytes; herald ran at %.0f req/s, which the report leaves out)", c.pprofOut, len(a.body), r.rps())
	return nil
}

// perfStep runs one step against a fresh target with 'perf stat' attached
// (and 'perf record -g' into recordTo, unless empty) for the warm-up and
// the window, and returns the step and perf stat's counts by event.
func (b *bench) perfStep(perf, target string, conc int, recordTo string) (*stepResult, map[string]float64, error) {
	c := b.cfg
	s, err := b.start(target)
	if err != nil {
		return nil, nil, err
	}
	defer b.discard(s)
	secs := strconv.FormatFloat((c.warmup + c.duration).Seconds(), 'f', 1, 64)
	pid := strconv.Itoa(s.Pid())
	var rec, stat *exec.Cmd
	var recOut, statOut strings.Builder
	st := &step{target: s, conc: conc, warmup: c.warmup, window: c.duration, client: c.client, body: messageCard,
		onStart: func() {
			if recordTo != "" {
				rec = exec.Command(perf, "record", "-F", "999", "-g", "-p", pid, "-o", recordTo, "--", "sleep", secs)
				rec.Stdout, rec.Stderr = &recOut, &recOut
				if err := rec.Start(); err != nil {
					recOut.WriteString(err.Error())
					rec = nil
				}
			}
			stat = exec.Command(perf, "stat", "-x", ",", "-e", strings.Join(statEvents, ","), "-p", pid, "--", "sleep", secs)
			stat.Stdout, stat.Stderr = &statOut, &statOut
			if err := stat.Start(); err != nil {
				stat = nil
			}
		}}
	b.waitQuiet()
	logf("profiling %s at c=%d for %ss with perf ...", target, conc, secs)
	r, err := st.run()
	if err != nil {
		return nil, nil, err
	}
	if recordTo != "" {
		if rec == nil {
			return nil, nil, fmt.Errorf("perf record: %s", recOut.String())
		}
		if err := rec.Wait(); err != nil {
			return nil, nil, fmt.Errorf("perf record: %v: %s", err, recOut.String())
		}
	}
	if stat == nil || stat.Wait() != nil {
		logf("perf stat failed: %s", statOut.String())
		return r, nil, nil
	}
	counts := map[string]float64{}
	for line := range strings.SplitSeq(statOut.String(), "\n") {
		f := strings.Split(line, ",")
		if len(f) < 3 || !slices.Contains(statEvents, f[2]) {
			continue
		}
		if n, err := strconv.ParseFloat(f[0], 64); err == nil {
			counts[f[2]] = n
		}
	}
	return r, counts, nil
}

// statEvents are counted with 'perf stat' during the profile run.
var statEvents = []string{
	"context-switches",
	"syscalls:sys_enter_fsync",
	"syscalls:sys_enter_fdatasync",
	"syscalls:sys_enter_pwrite64",
	"syscalls:sys_enter_pread64",
	"syscalls:sys_enter_write",
	"syscalls:sys_enter_read",
	"syscalls:sys_enter_futex",
	"syscalls:sys_enter_nanosleep",
	"syscalls:sys_enter_epoll_pwait",
}

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
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
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
	dataRoot   string
	keep       bool
	perfOut    string
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
	flag.StringVar(&c.heraldBin, "herald-bin", "", "use this Herald binary instead of building ./cmd/herald")
	flag.StringVar(&c.dataRoot, "data-root", "", "directory for the temporary data directories (default: the system temporary directory); it decides which disk SQLite syncs to")
	flag.BoolVar(&c.keep, "keep", false, "keep the temporary directory (binaries, data, server logs)")
	flag.StringVar(&c.perfOut, "perf", "", "after the measured runs, profile Herald with 'perf record -g' during one extra step at the highest concurrency, into this file, and add the top symbols to the report")
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
	s.stop()
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
			s.stop()
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
	b.machine = machineInfo(goBin)
	b.fsInfo = filesystemOf(tmp)

	bin := c.heraldBin
	if bin == "" {
		modRoot, err := moduleRoot(goBin)
		if err != nil {
			logf("error: %v", err)
			return 2
		}
		b.heraldRev = gitRevision(modRoot)
		logf("building Herald (%s) ...", filepath.Join(modRoot, "cmd", "herald"))
		t0 := time.Now()
		if bin, err = buildHerald(goBin, modRoot, tmp); err != nil {
			logf("error: %v", err)
			return 2
		}
		logf("built in %.1fs", time.Since(t0).Seconds())
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
	p := newRawPoster(s.addr, s.path, messageCard, time.Now().Add(time.Minute))
	status, body, err := p.post()
	p.close()
	if err != nil || !accepted(status, body) {
		untrack(s)
		return nil, fmt.Errorf("%s refused the first post: %s; log:\n%s", target, describeFailure(status, body, err), tail(s.log, 20))
	}
	return s, nil
}

func (b *bench) runTarget(rep int, target string) error {
	c := b.cfg
	s, err := b.start(target)
	if err != nil {
		return err
	}
	defer untrack(s)
	logf("rep %d/%d: %s started (pid %d, %s)", rep, c.reps, target, s.pid(), s.addr)
	total, unknown := int64(1), int64(0) // the first post was accepted
	for _, n := range c.conc {
		st := &step{target: s, conc: n, warmup: c.warmup, window: c.duration, client: c.client, body: messageCard}
		r, err := st.run()
		if err != nil {
			return err
		}
		r.rep = rep
		b.results = append(b.results, r)
		total += r.allAccepted
		unknown += r.unknown
		logf("rep %d/%d: %-6s c=%-3d %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  failed %d  CPU client %.2f server %.2f other %.2f",
			rep, c.reps, target, n, r.rps(), ms(r.h.quantile(0.50)), ms(r.h.quantile(0.99)), r.failed, r.clientCPU, r.serverCPU, r.otherCPU)
		select {
		case <-s.exited:
			return fmt.Errorf("%s exited during the load; log:\n%s", target, tail(s.log, 30))
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

// profile runs one extra, unreported Herald step at the highest concurrency
// under 'perf record -g' and keeps perf's summary for the report.
func (b *bench) profile() error {
	c := b.cfg
	perf, err := exec.LookPath("perf")
	if err != nil {
		return errors.New("perf is not installed (Debian: apt-get install linux-perf)")
	}
	s, err := b.start("herald")
	if err != nil {
		return err
	}
	defer untrack(s)
	conc := slices.Max(c.conc)
	secs := strconv.FormatFloat((c.warmup + c.duration).Seconds(), 'f', 1, 64)
	var rec *exec.Cmd
	var recOut strings.Builder
	st := &step{target: s, conc: conc, warmup: c.warmup, window: c.duration, client: c.client, body: messageCard,
		onStart: func() {
			rec = exec.Command(perf, "record", "-F", "999", "-g", "-p", strconv.Itoa(s.pid()), "-o", c.perfOut, "--", "sleep", secs)
			rec.Stdout, rec.Stderr = &recOut, &recOut
			if err := rec.Start(); err != nil {
				recOut.WriteString(err.Error())
				rec = nil
			}
		}}
	logf("profiling herald at c=%d for %ss with perf ...", conc, secs)
	r, err := st.run()
	if err != nil {
		return err
	}
	if rec == nil {
		return fmt.Errorf("perf record: %s", recOut.String())
	}
	if err := rec.Wait(); err != nil {
		return fmt.Errorf("perf record: %v: %s", err, recOut.String())
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "One extra Herald run at c=%d (not in the tables above; perf adds some overhead): %s req/s, p99 %.2f ms, server CPU %.2f cores. Profile: `%s` (`perf report -i %s`).\n\n",
		conc, thousands(r.rps()), ms(r.h.quantile(0.99)), r.serverCPU, c.perfOut, c.perfOut)
	for _, v := range []struct{ title, sort, children string }{
		{"Where Herald's CPU samples fall, by binary or kernel", "dso", "--no-children"},
		{"Top functions, self time", "symbol", "--no-children"},
		{"Top functions, including callees (call-graph from frame pointers)", "symbol", "--children"},
	} {
		out, err := exec.Command(perf, "report", "-i", c.perfOut, "--stdio", v.children, "--sort", v.sort, "-g", "none", "--percent-limit", "1").CombinedOutput()
		if err != nil {
			fmt.Fprintf(&sb, "perf report --sort %s failed: %v\n\n", v.sort, err)
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

// filesystemOf names the file system holding dir, from /proc/mounts.
func filesystemOf(dir string) string {
	data, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return ""
	}
	abs, _ := filepath.Abs(dir)
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	best, fs, dev := "", "", ""
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		mp := f[1]
		if (abs == mp || strings.HasPrefix(abs, strings.TrimSuffix(mp, "/")+"/")) && len(mp) >= len(best) {
			best, fs, dev = mp, f[2], f[0]
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf("%s (%s mounted on %s)", fs, dev, best)
}

func gitRevision(dir string) string {
	out, err := exec.Command("git", "-C", dir, "describe", "--always", "--dirty").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

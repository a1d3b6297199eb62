package main

import (
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func fmtMS(v float64) string {
	switch {
	case math.IsNaN(v):
		return "–"
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}

func fmtCores(v float64) string {
	if v < 0 || math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.2f", v)
}

// summary is the medians of one target at one concurrency.
type summary struct {
	n                   int
	rps, rpsMin, rpsMax float64
	p50, p99            float64 // ms, medians of the per-run percentiles
	client, srv, other  float64
	rss                 float64
	failed              int64
}

func (b *bench) summarize(target string, conc int) summary {
	var rps, p50, p99, cl, sv, ot, rss []float64
	s := summary{}
	for _, r := range b.results {
		if r.target != target || r.conc != conc {
			continue
		}
		rps = append(rps, r.rps())
		p50 = append(p50, ms(r.h.quantile(0.50)))
		p99 = append(p99, ms(r.h.quantile(0.99)))
		cl = append(cl, r.clientCPU)
		sv = append(sv, r.serverCPU)
		ot = append(ot, r.otherCPU)
		rss = append(rss, r.rssMiB)
		s.failed += r.failed
	}
	s.n = len(rps)
	if s.n == 0 {
		return summary{rps: math.NaN(), p50: math.NaN(), p99: math.NaN()}
	}
	s.rps, s.rpsMin, s.rpsMax = benchkit.Median(rps), slices.Min(rps), slices.Max(rps)
	s.p50, s.p99 = benchkit.Median(p50), benchkit.Median(p99)
	s.client, s.srv, s.other, s.rss = benchkit.Median(cl), benchkit.Median(sv), benchkit.Median(ot), benchkit.Median(rss)
	return s
}

// report renders the markdown report and says whether a floor or a check
// failed.
func (b *bench) report() (string, bool) {
	c := b.cfg
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }

	storage := "SQLite, synchronous=" + strings.ToUpper(c.sync)
	if c.db != "" {
		storage = "PostgreSQL (" + benchkit.RedactDSN(c.db) + ")"
	}
	p("## Herald webhook ingest: %s\n\n", b.started.UTC().Format("2006-01-02 15:04 MST"))
	p("Herald %s, storage %s, `--rate-limit off`; baseline: bare net/http server (reads the body, answers `1`, stores nothing), a separate process in the same run.\n",
		benchkit.OrDefault(b.heraldRev, "(prebuilt binary)"), storage)
	p("Load: %d B MessageCard, closed loop, one keep-alive connection per worker, %s client; %s warm-up + %s measured per step; %d repetition(s), targets alternated (odd reps Herald first, even reps bare first), each on a fresh process and data directory. Medians over repetitions (min–max of req/s in brackets); p50/p99 are medians of each run's percentiles.\n\n",
		len(messageCard), c.client, c.warmup, c.duration, c.reps)
	p("Machine:\n\n")
	for _, l := range b.machine {
		p("%s\n", l)
	}
	if b.fsInfo != "" {
		p("- data directory file system: %s\n", b.fsInfo)
	}
	p("\n")
	if c.waitQuiet > 0 {
		p("Before each step the benchmark waited up to %s for an idle second (-wait-quiet); it gave up waiting %d time(s).\n\n", c.waitQuiet, b.noisyStarts)
	}

	p("| c | Herald req/s | Herald p50 ms | Herald p99 ms | bare req/s | bare p50 ms | bare p99 ms | Herald/bare |\n")
	p("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, n := range c.conc {
		h, r := b.summarize("herald", n), b.summarize("bare", n)
		p("| %d | %s (%s–%s) | %s | %s | %s (%s–%s) | %s | %s | %.1f %% |\n", n,
			benchkit.Thousands(h.rps), benchkit.Thousands(h.rpsMin), benchkit.Thousands(h.rpsMax), fmtMS(h.p50), fmtMS(h.p99),
			benchkit.Thousands(r.rps), benchkit.Thousands(r.rpsMin), benchkit.Thousands(r.rpsMax), fmtMS(r.p50), fmtMS(r.p99),
			100*h.rps/r.rps)
	}
	p("\nCPU during the measured window (medians, in cores of the %d; \"other\" is busy CPU used by neither the client nor that server: other processes, noise) and server RSS mid-window:\n\n", runtime.NumCPU())
	p("| target | c | client CPU | server CPU | other CPU | server RSS MiB | failed posts (all reps) |\n")
	p("|---|---:|---:|---:|---:|---:|---:|\n")
	for _, t := range []string{"herald", "bare"} {
		for _, n := range c.conc {
			s := b.summarize(t, n)
			p("| %s | %d | %s | %s | %s | %s | %d |\n", t, n, fmtCores(s.client), fmtCores(s.srv), fmtCores(s.other), fmtCores(s.rss), s.failed)
		}
	}

	p("\n<details><summary>Every run</summary>\n\n")
	p("\"disk sync\" is the median time to write and fsync 4 KiB in the data directory's file system, probed just before the step.\n\n")
	p("| rep | target | c | req/s | p50 ms | p99 ms | max ms | failed | client CPU | server CPU | other CPU | steal | disk sync ms |\n")
	p("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range b.results {
		disk := "–"
		if r.diskSync >= 0 {
			disk = fmtMS(ms(r.diskSync))
		}
		p("| %d | %s | %d | %s | %s | %s | %s | %d | %s | %s | %s | %s | %s |\n", r.rep, r.target, r.conc, benchkit.Thousands(r.rps()),
			fmtMS(ms(r.h.quantile(0.5))), fmtMS(ms(r.h.quantile(0.99))), fmtMS(ms(time.Duration(r.h.max))), r.failed,
			fmtCores(r.clientCPU), fmtCores(r.serverCPU), fmtCores(r.otherCPU), fmtCores(r.stealCPU), disk)
	}
	p("\n</details>\n\n")

	// Failures, over every phase.
	kinds := map[string]map[string]int64{}
	for _, r := range b.results {
		for k, n := range r.errKinds {
			if kinds[r.target] == nil {
				kinds[r.target] = map[string]int64{}
			}
			kinds[r.target][k] += n
		}
	}
	if len(kinds) == 0 {
		p("Failed posts: none (every answer was 200 with the body `1`).\n\n")
	} else {
		p("Failed posts (anything but 200 `1`, warm-up included):\n\n")
		for _, t := range []string{"herald", "bare"} {
			for _, k := range sortedKinds(kinds[t]) {
				p("- %s: %d × %s\n", t, kinds[t][k], k)
			}
		}
		p("\n")
	}

	p("Durability: Herald's channel `message_count` after each repetition against the posts answered `1` (warm-up and the sanity post included):\n\n")
	p("| rep | accepted | message_count | without answer | verdict |\n|---:|---:|---:|---:|---|\n")
	durOK := true
	for _, d := range b.durability {
		v := "equal"
		switch {
		case d.err != nil:
			v = "ERROR: " + d.err.Error()
		case d.messageCount == d.accepted:
		case d.ok():
			v = "within the posts that got no answer"
		case d.messageCount < d.accepted:
			v = fmt.Sprintf("LOST %d acknowledged messages", d.accepted-d.messageCount)
		default:
			v = fmt.Sprintf("%d more stored than posted", d.messageCount-d.accepted-d.unknown)
		}
		durOK = durOK && d.ok()
		p("| %d | %d | %d | %d | %s |\n", d.rep, d.accepted, d.messageCount, d.unknown, v)
	}
	p("\n")

	// Floors and checks.
	var lines []string
	failed := false
	line := func(ok bool, format string, args ...any) {
		verdict := "PASS"
		if !ok {
			verdict, failed = "FAIL", true
		}
		lines = append(lines, verdict+"  "+fmt.Sprintf(format, args...))
	}
	if slices.Contains(c.conc, floorConc) {
		h, r := b.summarize("herald", floorConc), b.summarize("bare", floorConc)
		line(h.rps >= c.floorRPS, "Herald accepted/s at c=%d: %s (floor %s)", floorConc, benchkit.Thousands(h.rps), benchkit.Thousands(c.floorRPS))
		line(h.rps >= c.floorRatio*r.rps, "Herald/bare at c=%d: %.1f %% (floor %.0f %% of bare %s)", floorConc, 100*h.rps/r.rps, 100*c.floorRatio, benchkit.Thousands(r.rps))
		line(h.p99 < ms(c.floorP99), "Herald p99 at c=%d: %s ms (floor < %s ms)", floorConc, fmtMS(h.p99), fmtMS(ms(c.floorP99)))
	} else {
		lines = append(lines, fmt.Sprintf("SKIP  floors are defined at c=%d, which -conc does not include", floorConc))
	}
	line(durOK, "durability: message_count matches the accepted posts in all %d Herald run(s)", len(b.durability))
	var herrs int64
	for k := range kinds["herald"] {
		herrs += kinds["herald"][k]
	}
	line(herrs == 0, "Herald answered every post 200 `1` (%d failed)", herrs)
	p("Floors (2-core machine, SQLite; c=%d):\n\n```\n%s\n```\n\n", floorConc, strings.Join(lines, "\n"))
	if c.db != "" || c.sync != "full" {
		p("Note: the floors were set for SQLite with synchronous=FULL; this run used %s.\n\n", storage)
	}
	if b.profileText != "" {
		p("### Profile\n\n%s", b.profileText)
	}
	return w.String(), failed
}

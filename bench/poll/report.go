package main

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"runtime"
	"slices"
	"strings"

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

// stat is a median with its range.
type stat struct{ med, lo, hi float64 }

func statOf(v []float64) stat {
	if len(v) == 0 {
		return stat{math.NaN(), math.NaN(), math.NaN()}
	}
	return stat{benchkit.Median(v), slices.Min(v), slices.Max(v)}
}

func (s stat) String() string { return s.format("%.2f") }

func (s stat) format(f string) string {
	if math.IsNaN(s.med) {
		return "–"
	}
	if s.lo == s.hi {
		return fmt.Sprintf(f, s.med)
	}
	return fmt.Sprintf(f+" ("+f+"–"+f+")", s.med, s.lo, s.hi)
}

// series collects one figure of the rounds of a target and kind.
func (b *bench) series(target, kind string, f func(*roundResult) float64) stat {
	var v []float64
	for _, r := range b.rounds {
		if r.target == target && r.kind == kind {
			v = append(v, f(r))
		}
	}
	return statOf(v)
}

// report renders the markdown report and says whether a floor or a check
// failed.
func (b *bench) report() (string, bool) {
	c := b.cfg
	var w strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&w, format, args...) }
	storage := "SQLite, synchronous=" + strings.ToUpper(c.sync)
	if c.db != "" {
		storage = "PostgreSQL (a fresh database on " + benchkit.RedactDSN(c.db) + ")"
	}
	workers := fmt.Sprintf("--poll-workers %d", c.workers)
	if !b.opts.flags["--poll-workers"] {
		workers = "its default 32 workers (no --poll-workers flag in this build)"
	}
	p("## Herald feed polling: %s\n\n", b.started.UTC().Format("2006-01-02 15:04 MST"))
	p("Herald %s, storage %s, %s. %s feeds of %d items (%s bytes each, %s gzipped) in %d channels, on a feed server in the benchmark process; baseline: a bare net/http fetcher in the same process with %d requests in flight. %d repetition(s); medians (min–max).\n\n",
		benchkit.OrDefault(b.heraldRev, "(prebuilt binary)"), storage, workers, benchkit.Thousands(float64(c.feeds)), c.items,
		benchkit.Thousands(float64(len(b.fs.bodies[0].plain))), benchkit.Thousands(float64(len(b.fs.bodies[0].gz))), c.channels, c.workers, c.reps)
	p("Machine:\n\n")
	for _, l := range b.machine {
		p("%s\n", l)
	}
	if b.fsInfo != "" {
		p("- data directory file system: %s\n", b.fsInfo)
	}
	p("\n")
	if c.waitQuiet > 0 {
		p("Before each round the benchmark waited up to %s for an idle second (-wait-quiet); it gave up waiting %d time(s).\n\n", c.waitQuiet, b.noisyStarts)
	}

	wall := func(r *roundResult) float64 { return r.wall.Seconds() }
	rps := func(r *roundResult) float64 { return r.reqPerSec() }
	p("| round | Herald s | Herald req/s | bare s | bare req/s | Herald/bare time |\n|---|---:|---:|---:|---:|---:|\n")
	for _, k := range []string{roundUnchanged, roundChanged} {
		hw, br := b.series("herald", k, wall), b.series("bare", k, wall)
		p("| %s | %s | %s | %s | %s | %.1f× |\n", k, hw, benchkit.Thousands(b.series("herald", k, rps).med),
			br.format("%.3f"), benchkit.Thousands(b.series("bare", k, rps).med), hw.med/br.med)
	}
	p("\nHerald's CPU (user + system, from /proc/PID/stat) and memory over each round; \"feed server\" is this process's CPU (the feed server, and in the baseline rounds the fetcher too); \"other\" is the rest of the machine's busy CPU (noise). Peak RSS is the highest of VmRSS sampled every 50 ms and VmHWM after resetting it at the round's start.\n\n")
	p("| round | Herald CPU s | Herald cores | CPU ms per feed | bare CPU s | feed server CPU s | other CPU s | Herald peak RSS MiB | MB fetched | TCP connections |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	feeds := float64(c.feeds)
	for _, k := range []string{roundUnchanged, roundChanged} {
		p("| %s | %s | %.2f | %.3f | %s | %s | %s | %s | %.1f | %s |\n", k,
			b.series("herald", k, func(r *roundResult) float64 { return r.cpu }),
			b.series("herald", k, func(r *roundResult) float64 { return r.cpu / r.wall.Seconds() }).med,
			1000*b.series("herald", k, func(r *roundResult) float64 { return r.cpu }).med/feeds,
			b.series("bare", k, func(r *roundResult) float64 { return r.cpu }),
			b.series("herald", k, func(r *roundResult) float64 { return r.selfCPU }),
			b.series("herald", k, func(r *roundResult) float64 { return r.otherCPU }),
			b.series("herald", k, func(r *roundResult) float64 { return r.peakRSS }).format("%.0f"),
			b.series("herald", k, func(r *roundResult) float64 { return float64(r.srv.bytes) / 1e6 }).med,
			benchkit.Thousands(b.series("herald", k, func(r *roundResult) float64 { return float64(r.srv.conns) }).med))
	}
	if s := b.setup; s != nil {
		p("\nSetup (not a floor): %s connections created through the API in %.1f s (16 requests in flight) while their first polls ran; every first poll done after %.1f s, %s messages posted; Herald CPU %.1f s, peak RSS %.0f MiB.\n",
			benchkit.Thousands(feeds), s.update.Seconds(), s.wall.Seconds(), benchkit.Thousands(float64(s.posted)), s.cpu, s.peakRSS)
	}

	p("\n<details><summary>Every round</summary>\n\n")
	p("Herald's time runs from the UPDATE that makes the jobs due to the moment every feed's state shows the new poll (read every 50 ms once the feed server has answered every feed); \"settled\" is when River had also put every job back to 'scheduled'.\n\n")
	p("| rep | target | round | s | settled s | req/s | 200 | 304 | MB | conns | CPU s | feed server CPU s | other CPU s | peak RSS MiB | posted |\n|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range b.rounds {
		settled, rss, posted := "–", "–", "–"
		if r.target == "herald" {
			settled, rss, posted = fmt.Sprintf("%.2f", r.settle.Seconds()), fmt.Sprintf("%.0f", r.peakRSS), benchkit.Thousands(float64(r.posted))
		}
		p("| %d | %s | %s | %.3f | %s | %s | %d | %d | %.1f | %d | %.2f | %.2f | %.2f | %s | %s |\n", r.rep, r.target, r.kind, r.wall.Seconds(), settled,
			benchkit.Thousands(r.reqPerSec()), r.srv.ok, r.srv.notModified, float64(r.srv.bytes)/1e6, r.srv.conns, r.cpu, r.selfCPU, r.otherCPU, rss, posted)
	}
	p("\n</details>\n\n")

	var lines []string
	failed := false
	line := func(ok bool, format string, args ...any) {
		v := "PASS"
		if !ok {
			v, failed = "FAIL", true
		}
		lines = append(lines, v+"  "+fmt.Sprintf(format, args...))
	}
	ch, un := b.series("herald", roundChanged, wall), b.series("herald", roundUnchanged, wall)
	line(ch.med <= c.floorChanged.Seconds(), "changed round (every feed has a new item): %.1f s (floor %s)", ch.med, c.floorChanged)
	line(un.med <= c.floorUnchanged.Seconds(), "unchanged round (every feed answers 304): %.1f s (floor %s)", un.med, c.floorUnchanged)
	peak := b.series("herald", roundChanged, func(r *roundResult) float64 { return r.peakRSS }).hi
	peak = max(peak, b.series("herald", roundUnchanged, func(r *roundResult) float64 { return r.peakRSS }).hi)
	if b.setup != nil {
		peak = max(peak, b.setup.peakRSS)
	}
	line(peak < c.floorRSS, "Herald's peak RSS, setup included: %.0f MiB (floor < %.0f MiB)", peak, c.floorRSS)
	bad := 0
	for _, k := range b.checks {
		if !k.ok {
			bad++
			line(false, "%s", k.text)
		}
	}
	line(bad == 0, "%d checks of counts (requests, 200/304, feed states, one message per new item, none when unchanged): %d failed", len(b.checks), bad)
	p("Floors (%d-core machine, SQLite):\n\n```\n%s\n```\n\n", runtime.NumCPU(), strings.Join(lines, "\n"))
	if c.db != "" || c.sync != "full" {
		p("Note: the floors were set for SQLite with synchronous=FULL; this run used %s.\n\n", storage)
	}
	if b.profile != "" {
		p("### Profile\n\n%s", b.profile)
	}
	return w.String(), failed
}

// profileRounds runs one more unchanged and one more changed round with
// Herald under perf record and returns perf's top functions of each.
func (b *bench) profileRounds(ctx context.Context) string {
	if _, err := exec.LookPath("perf"); err != nil {
		return "perf is not installed (Debian: apt-get install linux-perf).\n\n"
	}
	var sb strings.Builder
	for _, kind := range []string{roundUnchanged, roundChanged} {
		if kind == roundChanged {
			b.fs.bump()
		}
		file := b.cfg.perfOut + "." + kind
		logf("profiling a %s round into %s ...", kind, file)
		r, err := b.heraldRound(ctx, kind, file)
		if err != nil {
			fmt.Fprintf(&sb, "The profiled %s round failed: %v\n\n", kind, err)
			continue
		}
		fmt.Fprintf(&sb, "#### %s round under perf\n\n%.1f s, Herald CPU %.1f s (perf slows Herald; use the shares). `perf report -i %s`\n\n", kind, r.wall.Seconds(), r.cpu, file)
		for _, v := range []struct{ title, children, fields string }{
			{"Top functions, self time", "--no-children", "overhead,sym"},
			{"Top functions, including callees", "--children", "overhead_children,overhead,sym"},
		} {
			out, err := exec.Command("perf", "report", "-i", file, "--stdio", v.children, "--fields", v.fields, "-g", "none", "--percent-limit", "1.5").CombinedOutput()
			if err != nil {
				fmt.Fprintf(&sb, "perf report failed: %v\n\n", err)
				continue
			}
			var lines []string
			for l := range strings.SplitSeq(string(out), "\n") {
				if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
					continue
				}
				lines = append(lines, strings.TrimRight(l, " "))
				if len(lines) == 35 {
					break
				}
			}
			fmt.Fprintf(&sb, "%s:\n\n```\n%s\n```\n\n", v.title, strings.Join(lines, "\n"))
		}
	}
	return sb.String()
}

package main

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

// step is one measurement: conc workers, each with its own keep-alive
// connection and one request in flight (closed loop), run for warmup and then
// for window; only answers completed inside the window are counted for
// throughput and latency.
type step struct {
	target  *server
	conc    int
	warmup  time.Duration
	window  time.Duration
	client  string // "raw" or "std"
	body    []byte
	onStart func() // called when the load starts (after the connections are up)
}

// stepResult is what one step measured.
type stepResult struct {
	target string
	rep    int
	conc   int
	window time.Duration

	accepted int64 // 200 "1" completed inside the window
	failed   int64 // anything else completed inside the window
	h        hist  // latency of the accepted answers inside the window

	// Over the whole step (warm-up, window, and the requests in flight at
	// its end), for the durability check.
	allAccepted int64
	allFailed   int64
	unknown     int64 // no HTTP answer: the message may or may not be stored
	errKinds    map[string]int64

	// CPU in cores over the window (negative: not measured), and the
	// server's resident memory in the middle of the window.
	clientCPU, serverCPU, otherCPU, stealCPU float64
	rssMiB                                   float64

	// Median write+fsync time of 4 KiB in the data directory's file system,
	// probed just before the step (negative: not measured).
	diskSync time.Duration
}

func (r *stepResult) rps() float64 { return float64(r.accepted) / r.window.Seconds() }

type worker struct {
	p       poster
	h       hist
	warm    int64 // accepted, by phase
	win     int64
	late    int64
	errWin  int64
	errAll  int64
	unknown int64
	kinds   map[string]int64
}

// timing is written before the start channel is closed and only read after.
type timing struct {
	measure, deadline time.Time
}

func (w *worker) run(t *timing) {
	for {
		t0 := time.Now()
		status, body, err := w.p.post()
		t1 := time.Now()
		phase := 1
		if t1.Before(t.measure) {
			phase = 0
		} else if t1.After(t.deadline) {
			phase = 2
		}
		if err == nil && accepted(status, body) {
			switch phase {
			case 0:
				w.warm++
			case 1:
				w.win++
				w.h.record(t1.Sub(t0))
			case 2:
				w.late++
			}
		} else {
			w.errAll++
			if phase == 1 {
				w.errWin++
			}
			if status == 0 {
				w.unknown++
			}
			if w.kinds == nil {
				w.kinds = make(map[string]int64)
			}
			w.kinds[describeFailure(status, body, err)]++
			if status == 0 && phase != 2 {
				time.Sleep(time.Millisecond) // do not spin on a dead server
			}
		}
		if phase == 2 {
			return
		}
	}
}

func describeFailure(status int, body []byte, err error) string {
	switch {
	case status == 0:
		msg := err.Error()
		// Drop the varying local port from "dial tcp 127.0.0.1:1234->..." texts.
		if i := strings.LastIndex(msg, ": "); i >= 0 {
			msg = msg[i+2:]
		}
		return "no answer: " + msg
	case err != nil:
		return fmt.Sprintf("HTTP %d, then: %v", status, err)
	default:
		b := strings.TrimSpace(string(body))
		if len(b) > 120 {
			b = b[:120] + "..."
		}
		return fmt.Sprintf("HTTP %d %q", status, b)
	}
}

// run performs the step and returns its result.
func (s *step) run() (*stepResult, error) {
	t := &timing{}
	// Connections get a deadline well past the step's end, so that a hung
	// server fails the step instead of hanging the benchmark.
	connDeadline := time.Now().Add(s.warmup + s.window + 60*time.Second)
	workers := make([]*worker, s.conc)
	for i := range workers {
		var p poster
		if s.client == "std" {
			p = newStdPoster(s.target.Addr, s.target.path, s.body)
		} else {
			rp := newRawPoster(s.target.Addr, s.target.path, s.body, connDeadline)
			if err := rp.dial(); err != nil {
				for _, w := range workers[:i] {
					w.p.close()
				}
				return nil, fmt.Errorf("connect to %s: %w", s.target.Name, err)
			}
			p = rp
		}
		workers[i] = &worker{p: p}
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			<-start
			w.run(t)
		})
	}
	now := time.Now()
	t.measure = now.Add(s.warmup)
	t.deadline = t.measure.Add(s.window)
	if s.onStart != nil {
		s.onStart()
	}
	close(start)

	pid := s.target.Pid()
	time.Sleep(time.Until(t.measure))
	c0, p0 := benchkit.SelfCPU(), benchkit.ProcCPU(pid)
	m0, st0 := benchkit.MachineCPU()
	time.Sleep(time.Until(t.measure.Add(s.window / 2)))
	rss, _ := benchkit.ProcMem(pid)
	time.Sleep(time.Until(t.deadline))
	c1, p1 := benchkit.SelfCPU(), benchkit.ProcCPU(pid)
	m1, st1 := benchkit.MachineCPU()
	wg.Wait()
	for _, w := range workers {
		w.p.close()
	}

	r := &stepResult{target: s.target.Name, conc: s.conc, window: s.window, rssMiB: rss, errKinds: map[string]int64{}}
	for _, w := range workers {
		r.accepted += w.win
		r.failed += w.errWin
		r.h.merge(&w.h)
		r.allAccepted += w.warm + w.win + w.late
		r.allFailed += w.errAll
		r.unknown += w.unknown
		for k, n := range w.kinds {
			r.errKinds[k] += n
		}
	}
	secs := s.window.Seconds()
	r.clientCPU, r.serverCPU, r.otherCPU, r.stealCPU = -1, -1, -1, -1
	if c0 >= 0 && c1 >= 0 {
		r.clientCPU = (c1 - c0).Seconds() / secs
	}
	if p0 >= 0 && p1 >= 0 {
		r.serverCPU = (p1 - p0).Seconds() / secs
	}
	if m0 >= 0 && m1 >= 0 && r.clientCPU >= 0 && r.serverCPU >= 0 {
		// Busy CPU on the machine that neither the client nor the server
		// used: other processes, and kernel work not charged to either.
		r.otherCPU = max((m1-m0).Seconds()/secs-r.clientCPU-r.serverCPU, 0)
		r.stealCPU = (st1 - st0).Seconds() / secs
	}
	return r, nil
}

// sortedKinds lists failure kinds, most frequent first.
func sortedKinds(m map[string]int64) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	return keys
}

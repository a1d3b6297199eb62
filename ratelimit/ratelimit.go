// Package ratelimit throttles webhook posts with fixed windows, the way Teams
// does: a counter per window length that resets at the window's end.
package ratelimit

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Window allows at most Max requests per Length, counted in fixed windows
// aligned to the Unix epoch.
type Window struct {
	Length time.Duration
	Max    int64
}

// Teams is the per-webhook limit Teams documents: 4 per second, 60 per 30 s,
// 100 per hour, 150 per 2 hours and 1,800 per day.
var Teams = []Window{
	{time.Second, 4},
	{30 * time.Second, 60},
	{time.Hour, 100},
	{2 * time.Hour, 150},
	{24 * time.Hour, 1800},
}

// Parse reads windows written as "4/1s,60/30s,100/1h": count/length pairs.
func Parse(spec string) ([]Window, error) {
	var ws []Window
	for part := range strings.SplitSeq(spec, ",") {
		n, d, ok := strings.Cut(strings.TrimSpace(part), "/")
		if !ok {
			return nil, fmt.Errorf("rate window %q: want count/length, e.g. 4/1s", part)
		}
		max, err := strconv.ParseInt(n, 10, 64)
		if err != nil || max < 1 {
			return nil, fmt.Errorf("rate window %q: count must be a positive integer", part)
		}
		length, err := time.ParseDuration(d)
		if err != nil || length < time.Second || length%time.Second != 0 {
			return nil, fmt.Errorf("rate window %q: length must be whole seconds, e.g. 30s or 1h", part)
		}
		ws = append(ws, Window{length, max})
	}
	if len(ws) == 0 {
		return nil, fmt.Errorf("no rate windows given")
	}
	return ws, nil
}

// Start returns the start of the window of length w that contains t, in Unix
// seconds.
func (w Window) Start(t time.Time) int64 {
	l := int64(w.Length / time.Second)
	return t.Unix() / l * l
}

// RetryAfter returns how long until the window containing t ends, rounded up
// to whole seconds (the unit of the Retry-After header).
func (w Window) RetryAfter(t time.Time) time.Duration {
	end := time.Unix(w.Start(t)+int64(w.Length/time.Second), 0)
	d := end.Sub(t)
	return (d + time.Second - 1).Truncate(time.Second)
}

// Limiter decides whether one more request for key is allowed now. A refused
// request is not counted, so a client that backs off is not punished twice.
type Limiter interface {
	// Allow counts a request and returns 0, or refuses it and returns how
	// long to wait.
	Allow(ctx context.Context, key string, now time.Time) (retryAfter time.Duration, err error)
}

// Memory is a Limiter that keeps counters in this process: right for a
// single node (the SQLite store). Nodes sharing PostgreSQL count in the
// database instead (store.RateLimiter).
type Memory struct {
	windows []Window
	mu      sync.Mutex
	keys    map[string][]counter
	swept   time.Time
}

type counter struct {
	start int64
	n     int64
}

// NewMemory returns an in-process limiter over windows.
func NewMemory(windows []Window) *Memory {
	return &Memory{windows: windows, keys: make(map[string][]counter)}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, now time.Time) (time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	cs, ok := m.keys[key]
	if !ok {
		cs = make([]counter, len(m.windows))
		m.keys[key] = cs
	}
	var wait time.Duration
	for i, w := range m.windows {
		if start := w.Start(now); cs[i].start != start {
			cs[i] = counter{start: start}
		}
		if cs[i].n >= w.Max {
			wait = max(wait, w.RetryAfter(now))
		}
	}
	if wait > 0 {
		return wait, nil
	}
	for i := range cs {
		cs[i].n++
	}
	return 0, nil
}

// sweep drops keys whose every window has ended, at most once per longest
// window, so memory follows the active connections rather than all of them.
func (m *Memory) sweep(now time.Time) {
	longest := m.windows[0]
	for _, w := range m.windows {
		if w.Length > longest.Length {
			longest = w
		}
	}
	if now.Sub(m.swept) < longest.Length {
		return
	}
	m.swept = now
	cur := longest.Start(now)
	for k, cs := range m.keys {
		stale := true
		for i, w := range m.windows {
			if w == longest && cs[i].start == cur {
				stale = false
			}
		}
		if stale {
			delete(m.keys, k)
		}
	}
}

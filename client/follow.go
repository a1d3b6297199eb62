package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"
)

const (
	defaultReconnectDelay = time.Second
	defaultMaxReconnect   = 30 * time.Second
	defaultIdleTimeout    = 45 * time.Second
	// maxEventLine bounds one line of the stream; a message's card is at
	// most a few tens of KB.
	maxEventLine = 8 << 20
)

// Follow calls fn with each new message of a channel, oldest first, until
// ctx ends or fn returns an error, and returns that error (ctx.Err() when
// ctx ends).
//
// lastSeq is the seq of the last message the caller has seen: the server
// first sends every later one. Zero means "from now on": messages already in
// the channel are skipped.
//
// When the stream breaks (the network drops, the server restarts, nothing
// arrives for IdleTimeout), Follow reconnects after ReconnectDelay, doubling
// the wait after each failed attempt, and resumes with Last-Event-ID after
// the last message fn got, so that fn sees every message exactly once and
// in order. Answers that retrying cannot change (a bad token, an unknown
// channel) end Follow with an *APIError.
func (c *Client) Follow(ctx context.Context, channelID string, lastSeq int64, fn func(Message) error) error {
	f := &follower{c: c, channel: channelID, last: lastSeq, fn: fn, baselined: lastSeq > 0}
	var wait time.Duration
	for {
		connected, err := f.stream(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if fe, ok := errors.AsType[*fatalError](err); ok {
			return fe.err
		}
		if permanent(err) {
			return err
		}
		if connected || wait == 0 {
			wait = f.baseDelay()
		} else {
			wait = min(2*wait, f.maxDelay())
		}
		d := wait
		if j := d / 5; j > 0 {
			d += rand.N(j) // spread the reconnections of many clients
		}
		if c.OnFollowError != nil {
			c.OnFollowError(err, d)
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// fatalError ends Follow without a retry.
type fatalError struct{ err error }

func (e *fatalError) Error() string { return e.err.Error() }
func (e *fatalError) Unwrap() error { return e.err }

// follower is the state of one Follow call, kept across its connections.
type follower struct {
	c       *Client
	channel string
	fn      func(Message) error

	last int64 // seq of the last message given to fn (or the caller's lastSeq)
	// baselined is set once last means "everything up to here is old".
	baselined bool
	retry     time.Duration // the server's "retry:" hint
}

func (f *follower) baseDelay() time.Duration {
	switch {
	case f.c.ReconnectDelay > 0:
		return f.c.ReconnectDelay
	case f.retry > 0:
		return f.retry
	}
	return defaultReconnectDelay
}

func (f *follower) maxDelay() time.Duration {
	if f.c.MaxReconnectDelay > 0 {
		return max(f.c.MaxReconnectDelay, f.baseDelay())
	}
	return max(defaultMaxReconnect, f.baseDelay())
}

func (f *follower) idleTimeout() time.Duration {
	if f.c.IdleTimeout > 0 {
		return f.c.IdleTimeout
	}
	return defaultIdleTimeout
}

// deliver gives m to fn unless fn has seen it.
func (f *follower) deliver(m Message) error {
	if m.Seq <= f.last {
		return nil
	}
	if err := f.fn(m); err != nil {
		return &fatalError{err}
	}
	f.last = m.Seq
	return nil
}

// stream runs one connection to the event stream until it ends. connected
// reports whether the server accepted it.
func (f *follower) stream(ctx context.Context) (connected bool, err error) {
	if !f.baselined {
		// "From now on" is pinned to the channel's newest seq once, so that
		// every reconnection resumes from an explicit position.
		ch, err := f.c.Channel(ctx, f.channel)
		if err != nil {
			return false, err
		}
		f.last, f.baselined = ch.MessageCount, true
	}

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := f.c.newRequest(cctx, http.MethodGet, "/channels/"+url.PathEscape(f.channel)+"/events", nil, nil)
	if err != nil {
		return false, &fatalError{err}
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	req.Header.Set("Last-Event-ID", strconv.FormatInt(f.last, 10))
	resp, err := f.c.HTTPClient.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, readError(resp)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return false, &fatalError{fmt.Errorf("client: %s answered with %q, not an event stream; is the URL that of a Herald server?", req.URL.Redacted(), mt)}
	}

	idle := f.idleTimeout()
	var timedOut atomic.Bool
	watchdog := time.AfterFunc(idle, func() {
		timedOut.Store(true)
		cancel()
	})
	defer watchdog.Stop()

	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), maxEventLine)
	sc.Split(lineSplitter())
	var (
		ev    event
		first = true
	)
	for sc.Scan() {
		watchdog.Reset(idle)
		line := sc.Bytes()
		if first {
			line = bytes.TrimPrefix(line, []byte("\ufeff"))
			first = false
		}
		if len(line) > 0 {
			if r := ev.field(line); r > 0 {
				f.retry = r
			}
			continue
		}
		// A blank line dispatches the event.
		if !ev.hasData || (ev.typ != "" && ev.typ != "message") {
			ev = event{}
			continue
		}
		var m Message
		if err := json.Unmarshal(ev.data.Bytes(), &m); err != nil {
			return true, &fatalError{fmt.Errorf("client: event %q of the stream is not a message: %w", ev.id, err)}
		}
		if m.Seq == 0 {
			m.Seq, _ = strconv.ParseInt(ev.id, 10, 64)
		}
		ev = event{}
		// fn may take its time; the connection is not idle meanwhile.
		watchdog.Stop()
		if err := f.deliver(m); err != nil {
			return true, err
		}
		watchdog.Reset(idle)
	}
	err = sc.Err()
	switch {
	case timedOut.Load():
		err = fmt.Errorf("client: the event stream sent nothing for %s", idle)
	case err == nil:
		err = errors.New("client: the server ended the event stream")
	}
	return true, err
}

// event collects the fields of one Server-Sent Event.
type event struct {
	id      string
	typ     string
	data    bytes.Buffer
	hasData bool
}

// field applies one non-empty line of the stream and returns the
// reconnection time of a "retry" field (0 otherwise).
func (e *event) field(line []byte) time.Duration {
	if line[0] == ':' {
		return 0 // a comment: the server's heartbeat
	}
	name, value, _ := bytes.Cut(line, []byte(":"))
	value = bytes.TrimPrefix(value, []byte(" "))
	switch string(name) {
	case "event":
		e.typ = string(value)
	case "data":
		if e.hasData {
			e.data.WriteByte('\n')
		}
		e.data.Write(value)
		e.hasData = true
	case "id":
		if bytes.IndexByte(value, 0) < 0 {
			e.id = string(value)
		}
	case "retry":
		if ms, err := strconv.ParseUint(string(value), 10, 31); err == nil {
			return time.Duration(ms) * time.Millisecond
		}
	}
	return 0
}

// lineSplitter splits a stream into lines ended by "\r\n", "\n" or "\r", as
// the event stream format allows. A lone "\r" ends its line at once rather
// than waiting for the next byte, which may be a heartbeat away.
func lineSplitter() bufio.SplitFunc {
	skipLF := false
	return func(data []byte, atEOF bool) (int, []byte, error) {
		if skipLF && len(data) > 0 {
			skipLF = false
			if data[0] == '\n' {
				return 1, nil, nil
			}
		}
		if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
			skipLF = data[i] == '\r'
			return i + 1, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return len(data), data, nil
		}
		return 0, nil, nil
	}
}

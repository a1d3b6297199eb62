package client_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/client"
)

// proxy is a TCP proxy in front of the server that the test can cut, as a
// network failure would.
type proxy struct {
	ln     net.Listener
	target string

	mu      sync.Mutex
	blocked bool                    // refuse new connections
	conns   map[*proxyConn]struct{} // open connections
	wg      sync.WaitGroup
}

type proxyConn struct {
	client, server net.Conn
	// stalled connections stay open but stop forwarding: the peer sees a
	// silent connection, as when a NAT forgets it.
	stalled atomic.Bool
}

func (c *proxyConn) close() {
	c.client.Close()
	c.server.Close()
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[*proxyConn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(func() {
		ln.Close()
		p.mu.Lock()
		for c := range p.conns {
			c.close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

func (p *proxy) url() string { return "http://" + p.ln.Addr().String() }

func (p *proxy) accept() {
	defer p.wg.Done()
	for {
		cc, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		blocked := p.blocked
		p.mu.Unlock()
		if blocked {
			cc.Close()
			continue
		}
		sc, err := net.Dial("tcp", p.target)
		if err != nil {
			cc.Close()
			continue
		}
		c := &proxyConn{client: cc, server: sc}
		p.mu.Lock()
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(2)
		go p.pipe(c, cc, sc)
		go p.pipe(c, sc, cc)
	}
}

func (p *proxy) pipe(c *proxyConn, dst, src net.Conn) {
	defer p.wg.Done()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 && !c.stalled.Load() {
			if _, err := dst.Write(buf[:n]); err != nil {
				break
			}
		}
		if err != nil {
			break
		}
	}
	c.close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}

// cut closes every connection and refuses new ones until restore.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blocked = true
	for c := range p.conns {
		c.close()
	}
}

func (p *proxy) restore() {
	p.mu.Lock()
	p.blocked = false
	p.mu.Unlock()
}

// stall silences every open connection without closing it.
func (p *proxy) stall() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.stalled.Store(true)
	}
}

// streamWatch is an http.RoundTripper that reports each event stream the
// server accepted: by then the server has subscribed the stream to the
// channel.
type streamWatch struct {
	rt      http.RoundTripper
	streams chan struct{}
}

func (s *streamWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := s.rt.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusOK && strings.HasSuffix(req.URL.Path, "/events") {
		select {
		case s.streams <- struct{}{}:
		default:
		}
	}
	return resp, err
}

// follower runs Client.Follow in the background and collects what it gets.
type follower struct {
	t       *testing.T
	streams chan struct{}
	msgs    chan client.Message
	done    chan error
}

// follow starts Follow through the proxy with quick reconnections.
func follow(t *testing.T, p *proxy, channelID string, lastEventID int64, idle time.Duration) *follower {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	fl := &follower{t: t, streams: make(chan struct{}, 100), msgs: make(chan client.Message, 100), done: make(chan error, 1)}
	c := client.New(p.url(), adminToken)
	c.HTTPClient = &http.Client{Transport: &streamWatch{rt: http.DefaultTransport.(*http.Transport).Clone(), streams: fl.streams}}
	c.ReconnectDelay = 20 * time.Millisecond
	c.MaxReconnectDelay = 100 * time.Millisecond
	c.IdleTimeout = idle
	go func() {
		fl.done <- c.Follow(ctx, channelID, lastEventID, func(m client.Message) error {
			fl.msgs <- m
			return nil
		})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-fl.done; !errors.Is(err, context.Canceled) {
			t.Errorf("Follow returned %v, want context.Canceled", err)
		}
	})
	return fl
}

const wait = 10 * time.Second

// connected waits until the server has accepted a stream.
func (fl *follower) connected() {
	fl.t.Helper()
	select {
	case <-fl.streams:
	case err := <-fl.done:
		fl.t.Fatalf("Follow ended: %v", err)
	case <-time.After(wait):
		fl.t.Fatal("no event stream within", wait)
	}
}

// expect waits for the next messages and checks their summaries, in order.
func (fl *follower) expect(texts ...string) []client.Message {
	fl.t.Helper()
	var got []client.Message
	for _, want := range texts {
		select {
		case m := <-fl.msgs:
			if !strings.Contains(m.Summary, want) {
				fl.t.Fatalf("got message %d %q, want %q (after %d right ones)", m.ID, m.Summary, want, len(got))
			}
			got = append(got, m)
		case err := <-fl.done:
			fl.t.Fatalf("Follow ended: %v", err)
		case <-time.After(wait):
			fl.t.Fatalf("no message %q within %s", want, wait)
		}
	}
	return got
}

// drained checks that no other message is pending.
func (fl *follower) drained() {
	fl.t.Helper()
	select {
	case m := <-fl.msgs:
		fl.t.Fatalf("unexpected message %d %q", m.ID, m.Summary)
	default:
	}
}

// TestFollowResumesAfterDrop cuts the network under a live stream, posts
// while the client cannot connect, and checks that the client gets those
// messages once each, in order, and then the live ones.
func TestFollowResumesAfterDrop(t *testing.T) {
	base := startServer(t)
	f := newFixture(t, base)
	p := newProxy(t, strings.TrimPrefix(base, "http://"))
	post(t, f.conn.WebhookURL, "before") // already there: Follow from 0 skips it

	fl := follow(t, p, f.channel.ID, 0, 0)
	fl.connected()
	post(t, f.conn.WebhookURL, "alpha")
	fl.expect("alpha")

	p.cut()
	post(t, f.conn.WebhookURL, "bravo")
	post(t, f.conn.WebhookURL, "charlie")
	p.restore()
	fl.connected() // a new stream, after at least one refused attempt
	fl.expect("bravo", "charlie")

	post(t, f.conn.WebhookURL, "delta")
	fl.expect("delta")
	fl.drained()
}

// TestFollowEmptyChannelDrop is the same for a channel that had no message
// when Follow started: with no id to resume from, the client catches up by
// itself.
func TestFollowEmptyChannelDrop(t *testing.T) {
	base := startServer(t)
	f := newFixture(t, base)
	p := newProxy(t, strings.TrimPrefix(base, "http://"))

	fl := follow(t, p, f.channel.ID, 0, 0)
	fl.connected()
	p.cut()
	post(t, f.conn.WebhookURL, "alpha")
	post(t, f.conn.WebhookURL, "bravo")
	p.restore()
	fl.connected()
	fl.expect("alpha", "bravo")
	post(t, f.conn.WebhookURL, "charlie")
	fl.expect("charlie")
	fl.drained()
}

// TestFollowSilentConnection stalls the connection without closing it:
// Follow notices nothing arrives, reconnects, and gets what it missed.
func TestFollowSilentConnection(t *testing.T) {
	base := startServer(t)
	f := newFixture(t, base)
	p := newProxy(t, strings.TrimPrefix(base, "http://"))
	post(t, f.conn.WebhookURL, "before")

	fl := follow(t, p, f.channel.ID, 0, 300*time.Millisecond)
	fl.connected()
	post(t, f.conn.WebhookURL, "alpha")
	fl.expect("alpha")
	p.stall()
	post(t, f.conn.WebhookURL, "bravo")
	fl.expect("bravo")
	post(t, f.conn.WebhookURL, "charlie")
	fl.expect("charlie")
	fl.drained()
}

// TestFollowFromID resumes from a known message: the server replays what
// came after it.
func TestFollowFromID(t *testing.T) {
	base := startServer(t)
	f := newFixture(t, base)
	p := newProxy(t, strings.TrimPrefix(base, "http://"))
	for _, text := range []string{"alpha", "bravo", "charlie"} {
		post(t, f.conn.WebhookURL, text)
	}
	msgs, err := f.c.Messages(context.Background(), f.channel.ID, 0, 0)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("Messages = %v, %v", msgs, err)
	}
	fl := follow(t, p, f.channel.ID, msgs[2].ID, 0) // after alpha
	fl.expect("bravo", "charlie")
	post(t, f.conn.WebhookURL, "delta")
	fl.expect("delta")
	fl.drained()
}

// TestFollowCallbackError ends Follow with the callback's error.
func TestFollowCallbackError(t *testing.T) {
	base := startServer(t)
	f := newFixture(t, base)
	post(t, f.conn.WebhookURL, "alpha")
	msgs, err := f.c.Messages(context.Background(), f.channel.ID, 0, 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Messages = %v, %v", msgs, err)
	}
	post(t, f.conn.WebhookURL, "bravo")
	stop := errors.New("enough")
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	err = f.c.Follow(ctx, f.channel.ID, msgs[0].Seq, func(m client.Message) error {
		if !strings.Contains(m.Summary, "bravo") {
			t.Errorf("got %q, want bravo", m.Summary)
		}
		return stop
	})
	if !errors.Is(err, stop) {
		t.Errorf("Follow = %v, want the callback's error", err)
	}
}

// TestFollowCancel returns promptly with ctx.Err() when ctx ends, also
// while waiting to reconnect.
func TestFollowCancel(t *testing.T) {
	base := startServer(t)
	f := newFixture(t, base)
	p := newProxy(t, strings.TrimPrefix(base, "http://"))
	c := client.New(p.url(), adminToken)
	c.ReconnectDelay = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	var failures atomic.Int32
	failed := make(chan struct{}, 1)
	c.OnFollowError = func(err error, d time.Duration) {
		if d < time.Hour {
			t.Errorf("reconnecting in %s, want ReconnectDelay", d)
		}
		if failures.Add(1) == 1 {
			failed <- struct{}{}
		}
	}
	go func() { errc <- c.Follow(ctx, f.channel.ID, 0, func(client.Message) error { return nil }) }()
	p.cut()
	select {
	case <-failed:
	case err := <-errc:
		t.Fatalf("Follow ended: %v", err)
	case <-time.After(wait):
		t.Fatal("Follow did not report the cut")
	}
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Follow = %v, want context.Canceled", err)
		}
	case <-time.After(wait):
		t.Fatal("Follow did not return after cancel")
	}
}

package app_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testenv"
)

// event is one Server-Sent Event.
type event struct {
	id, name string
	msg      message
}

// stream opens the channel's event stream (resuming after lastID when it
// is 0 or more) and delivers its events until ctx ends.
func (n *node) stream(ctx context.Context, channelID string, lastID int64) <-chan event {
	n.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", n.url+"/api/v1/channels/"+channelID+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	if lastID >= 0 {
		req.Header.Set("Last-Event-ID", strconv.FormatInt(lastID, 10))
	}
	resp, err := http.DefaultClient.Do(req)
	testenv.Must(n.t, err, "events")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		n.t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan event, 100)
	go func() {
		defer resp.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var ev event
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					out <- ev
				}
				ev = event{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				json.Unmarshal([]byte(line[6:]), &ev.msg)
			}
		}
	}()
	return out
}

func next(t *testing.T, c <-chan event) event {
	t.Helper()
	select {
	case ev, ok := <-c:
		if !ok {
			t.Fatal("stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return event{}
}

func TestEventsLiveAndResume(t *testing.T) {
	n := start(t, app.Config{})
	ch, c := n.webhook()
	ctx, cancel := context.WithCancel(context.Background())
	events := n.stream(ctx, ch, -1)
	// The stream is subscribed once its headers arrive, so this post is live.
	post(t, c.WebhookURL, "application/json", `{"text":"first"}`)
	ev := next(t, events)
	if ev.name != "message" || ev.id != strconv.FormatInt(ev.msg.Seq, 10) || ev.msg.Seq != 1 || ev.msg.Summary != "first" || ev.msg.ConnectionID != c.ID {
		t.Fatalf("event = %+v", ev)
	}
	cancel() // the client drops; three messages arrive while it is away
	for _, s := range []string{"second", "third", "fourth"} {
		post(t, c.WebhookURL, "application/json", `{"text":"`+s+`"}`)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	events = n.stream(ctx2, ch, ev.msg.Seq)
	for _, want := range []string{"second", "third", "fourth"} {
		if got := next(t, events); got.msg.Summary != want {
			t.Fatalf("resumed event = %q, want %q", got.msg.Summary, want)
		}
	}
	post(t, c.WebhookURL, "application/json", `{"text":"fifth"}`)
	if got := next(t, events); got.msg.Summary != "fifth" {
		t.Fatalf("live after resume = %q", got.msg.Summary)
	}
}

// TestShutdownEndsStreams: a graceful shutdown must not hang on open
// streams, and posts answered before it are stored.
func TestShutdownEndsStreams(t *testing.T) {
	n := start(t, app.Config{})
	ch, c := n.webhook()
	events := n.stream(context.Background(), ch, -1)
	post(t, c.WebhookURL, "application/json", `{"text":"before shutdown"}`)
	next(t, events)
	done := make(chan struct{})
	go func() { n.stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown hung with a stream open")
	}
	for range events {
	}
}

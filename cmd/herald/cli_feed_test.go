package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testserver"
)

// testFeed is an RSS 2.0 feed served on loopback whose items a test adds
// to, and a path that always fails.
type testFeed struct {
	srv   *httptest.Server
	mu    sync.Mutex
	items []string // titles, oldest first
}

func newTestFeed(t *testing.T, titles ...string) *testFeed {
	t.Helper()
	f := &testFeed{items: titles}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed.xml", f.serve)
	mux.HandleFunc("GET /broken.xml", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "the feed generator crashed", http.StatusInternalServerError)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *testFeed) url() string { return f.srv.URL + "/feed.xml" }

func (f *testFeed) add(title string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, title)
}

// serve writes the feed, the newest item first, items a minute apart and
// the newest a minute old.
func (f *testFeed) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	items := append([]string(nil), f.items...)
	f.mu.Unlock()
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Herald test blog</title><link>https://blog.example.com/</link><description>Posts</description>`)
	now := time.Now()
	for i := len(items) - 1; i >= 0; i-- {
		at := now.Add(-time.Duration(len(items)-i) * time.Minute).UTC().Format(time.RFC1123Z)
		fmt.Fprintf(&b, "\n<item><title>%s</title><link>https://blog.example.com/p/%d</link><guid isPermaLink=\"false\">post-%d</guid><pubDate>%s</pubDate><description>About %s.</description></item>",
			items[i], i, i, at, items[i])
	}
	b.WriteString("\n</channel></rss>\n")
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	fmt.Fprint(w, b.String())
}

// startFeedServer runs a node that may fetch feeds from loopback.
func startFeedServer(t *testing.T) string {
	t.Helper()
	return testserver.Start(t, app.Config{BootstrapToken: adminToken, AllowPrivateNetworks: true}).URL
}

// cliFeedConn is a feed connection as `--json` prints it.
type cliFeedConn struct {
	ID                string   `json:"id"`
	WebhookURL        string   `json:"webhook_url"`
	DeliveredCount    int64    `json:"delivered_count"`
	AttentionRequired bool     `json:"attention_required"`
	AttentionReasons  []string `json:"attention_reasons"`
	Config            struct {
		URL        string `json:"url"`
		Interval   string `json:"interval"`
		FirstItems int    `json:"first_items"`
	} `json:"config"`
	Feed *struct {
		Title       string `json:"title"`
		Polls       int64  `json:"polls"`
		LastStatus  string `json:"last_status"`
		LastError   string `json:"last_error"`
		Failures    int    `json:"failures"`
		ItemsPosted int64  `json:"items_posted"`
	} `json:"feed"`
}

// waitFeedPolled runs `connection show --json` until the connection's feed
// has been polled (its status is no longer empty), failing at a deadline.
func waitFeedPolled(t *testing.T, base, id string) cliFeedConn {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		var conn cliFeedConn
		decodeJSON(t, mustHerald(t, base, "connection", "show", id, "--json"), &conn)
		if conn.Feed == nil {
			t.Fatalf("connection %s has no feed state", id)
		}
		if conn.Feed.LastStatus != "" {
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatalf("the feed of %s was not polled within 20s", id)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// summaries returns the summaries of a channel's messages, newest first.
func summaries(t *testing.T, base, channelID string) []string {
	t.Helper()
	var doc struct{ Messages []struct{ Summary string } }
	decodeJSON(t, mustHerald(t, base, "message", "list", "--channel", channelID, "--json"), &doc)
	var out []string
	for _, m := range doc.Messages {
		out = append(out, m.Summary)
	}
	return out
}

func TestFeedConnectionCLI(t *testing.T) {
	feed := newTestFeed(t, "Post 1", "Post 2", "Post 3", "Post 4", "Post 5")
	base := startFeedServer(t)
	_, chID := channelFixture(t, base)

	out := mustHerald(t, base, "connection", "add", "--channel", chID, "--name", "Blog", "--connector", "rss",
		"--feed-url", feed.url(), "--interval", "30m")
	wantMatch(t, "connection add --connector rss", out, `Added rss connection "Blog"`,
		`(?m)^Feed URL:\s+`+regexp.QuoteMeta(feed.url())+`$`, `(?m)^Interval:\s+30m$`,
		`(?m)^First poll:\s+posts the newest 3 items`, `(?m)^Last poll:\s+not yet$`, `herald connection poll [0-9a-f]{32}`)
	if strings.Contains(out, "Webhook URL") || strings.Contains(out, "Delivered:") || teamsURL.MatchString(out) {
		t.Errorf("connection add of a feed printed webhook details:\n%s", out)
	}
	m := idLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("connection add printed no ID line:\n%s", out)
	}
	id := m[1]

	// The first poll runs at once, in the background, and posts the
	// newest three items, oldest first.
	conn := waitFeedPolled(t, base, id)
	if conn.Feed.LastStatus != "ok" || conn.Feed.ItemsPosted != 3 || conn.Feed.Title != "Herald test blog" ||
		conn.Config.Interval != "30m0s" || conn.Config.FirstItems != 3 || conn.WebhookURL != "" {
		t.Fatalf("after the first poll: %+v, feed %+v", conn, *conn.Feed)
	}
	if got, want := strings.Join(summaries(t, base, chID), "|"), "Blog: Post 5|Blog: Post 4|Blog: Post 3"; got != want {
		t.Errorf("messages after the first poll: %s, want %s", got, want)
	}

	out = mustHerald(t, base, "connection", "show", id)
	wantMatch(t, "connection show of a feed", out, `(?m)^Title:\s+Herald test blog$`, `(?m)^Last poll:\s+ok at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(`,
		`(?m)^Next poll:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(in (1[4-9]|[23][0-9]|4[0-5])m\)$`, `(?m)^Items posted:\s+3, the last at `,
		`(?m)^Polls:\s+1$`, `(?m)^Attention:\s+none$`, `herald connection poll `+id+`' polls the feed now`)
	if strings.Contains(out, "First poll:") || strings.Contains(out, "Webhook URL") {
		t.Errorf("connection show of a polled feed:\n%s", out)
	}

	out = mustHerald(t, base, "connection", "list", "--channel", chID)
	wantMatch(t, "connection list with a feed", out, `(?m)^ID\s+NAME\s+CONNECTOR\s+DELIVERED\s+LAST DELIVERY\s+FEED\s+LAST POLL\s+CREATED\s+ATTENTION$`,
		`(?m)^`+id+`\s+Blog\s+rss\s+3\s+\S+ \S+\s+`+regexp.QuoteMeta(feed.url())+`\s+ok, (just now|\S+ ago)\s`, `herald connection poll ID' polls it now`)
	if strings.Contains(out, "webhook URLs") {
		t.Errorf("connection list of feeds only speaks of webhook URLs:\n%s", out)
	}

	// Refresh now: a new item is posted at once.
	feed.add("Post 6")
	out = mustHerald(t, base, "connection", "poll", id)
	wantMatch(t, "connection poll", out, `Polled the feed of connection `+id+` "Blog": 1 new item posted to the channel\.`,
		`(?m)^Last poll:\s+ok at .*, 1 new item posted$`, `(?m)^Polls:\s+2$`, `(?m)^Items posted:\s+4, the last at `)
	if got := summaries(t, base, chID); len(got) != 4 || got[0] != "Blog: Post 6" {
		t.Errorf("messages after connection poll: %q", got)
	}
	out = mustHerald(t, base, "connection", "poll", id)
	wantMatch(t, "connection poll with nothing new", out, `: 0 new items posted to the channel\.`)
	decodeJSON(t, mustHerald(t, base, "connection", "poll", id, "--json"), &conn)
	if conn.Feed.Polls != 4 || conn.Feed.ItemsPosted != 4 || conn.DeliveredCount != 4 {
		t.Errorf("connection poll --json: %+v, feed %+v", conn, *conn.Feed)
	}

	// Settings: the interval changes; the server checks its range.
	out = mustHerald(t, base, "connection", "set", id, "--interval", "2h")
	wantMatch(t, "connection set --interval", out, `Herald polls the feed with them at once`, `(?m)^Interval:\s+2h$`, `(?m)^Feed URL:\s+`+regexp.QuoteMeta(feed.url())+`$`)
	_, errOut, code := herald(t, base, "connection", "set", id, "--interval", "10s")
	wantFailure(t, "connection set --interval 10s", errOut, code, "interval is between", "(invalid)")

	// What a feed has not: a webhook URL to update.
	_, errOut, code = herald(t, base, "connection", "update-url", id)
	wantFailure(t, "connection update-url of a feed", errOut, code, "no URL to update", "(invalid)")

	out = mustHerald(t, base, "connection", "rename", id, "Engineering blog")
	wantMatch(t, "connection rename of a feed", out, `it polls the same feed`)
}

// TestFeedConnectionErrors checks what `connection add` refuses itself,
// what the server refuses, and how failed polls show.
func TestFeedConnectionErrors(t *testing.T) {
	feed := newTestFeed(t, "Only post")
	base := startFeedServer(t)
	_, chID := channelFixture(t, base)
	add := func(args ...string) (string, string, int) {
		return herald(t, base, append([]string{"connection", "add", "--channel", chID, "--name", "Blog"}, args...)...)
	}

	for name, tc := range map[string]struct {
		args []string
		want []string
	}{
		"server: interval too short": {[]string{"--connector", "rss", "--feed-url", feed.url(), "--interval", "30s"},
			[]string{"herald: A feed's interval is between", "30s is not", "(invalid)"}},
		"server: interval too long": {[]string{"--connector", "rss", "--feed-url", feed.url(), "--interval", "48h"},
			[]string{"interval is between", "(invalid)"}},
		"server: too many first items": {[]string{"--connector", "rss", "--feed-url", feed.url(), "--first-items", "50"},
			[]string{"first_items", "(invalid)"}},
		"server: not an http URL": {[]string{"--connector", "rss", "--feed-url", "ftp://example.com/feed.xml"},
			[]string{"feed URL is not valid", "(invalid)"}},
		"local: not a duration": {[]string{"--connector", "rss", "--feed-url", feed.url(), "--interval", "often"},
			[]string{"--interval", "Run 'herald connection add --help'"}},
		"local: no feed URL":       {[]string{"--connector", "rss"}, []string{"herald: a feed connection needs the feed's address: --feed-url URL"}},
		"local: zero interval":     {[]string{"--connector", "rss", "--feed-url", feed.url(), "--interval", "0s"}, []string{"herald: --interval 0s"}},
		"local: zero first items":  {[]string{"--connector", "rss", "--feed-url", feed.url(), "--first-items", "0"}, []string{"herald: --first-items 0"}},
		"local: webhook flags":     {[]string{"--connector", "rss", "--feed-url", feed.url(), "--events", "push"}, []string{"herald: --events", "are for connections that receive webhooks"}},
		"local: feed URL, webhook": {[]string{"--feed-url", feed.url()}, []string{"herald: --feed-url, --interval and --first-items are for feeds: add --connector rss"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := add(tc.args...)
			wantFailure(t, name, errOut, code, tc.want...)
		})
	}
	var list struct{ Connections []struct{ ID string } }
	decodeJSON(t, mustHerald(t, base, "connection", "list", "--channel", chID, "--json"), &list)
	if len(list.Connections) != 0 {
		t.Fatalf("refused adds made connections: %+v", list.Connections)
	}

	// A feed that fails: connection poll prints the state and exits 1;
	// after three failures in a row the connection needs attention.
	var conn cliFeedConn
	decodeJSON(t, mustHerald(t, base, "connection", "add", "--channel", chID, "--name", "Broken", "--connector", "rss",
		"--feed-url", feed.srv.URL+"/broken.xml", "--json"), &conn)
	waitFeedPolled(t, base, conn.ID)
	for range 2 {
		out, errOut, code := herald(t, base, "connection", "poll", conn.ID)
		wantFailure(t, "connection poll of a failing feed", errOut, code, "herald: the feed could not be polled: ", "500")
		wantMatch(t, "connection poll of a failing feed", out, `: the poll failed\.`, `(?m)^Last poll:\s+failed at .*500`,
			`(?m)^Last success:\s+never$`, `(?m)^Failures:\s+\d+ in a row`)
	}
	out := mustHerald(t, base, "connection", "show", conn.ID)
	wantMatch(t, "connection show of a failing feed", out, `(?m)^Attention:\s+required$`, `the feed failed \d+ times in a row`)
	out = mustHerald(t, base, "connection", "list", "--channel", chID)
	wantMatch(t, "connection list of a failing feed", out, `(?m)failed \(\d+ in a row\), (just now|\S+ ago)\s+\S+ \S+\s+required$`)
	out = mustHerald(t, base, "connection", "list", "--attention")
	wantMatch(t, "connection list --attention", out, conn.ID+`\s+Broken\s.*the feed failed \d+ times in a row`)

	// Only feeds poll.
	hook := addConnection(t, base, chID, "CI")
	_, errOut, code := herald(t, base, "connection", "poll", hook.ID)
	wantFailure(t, "connection poll of an incoming webhook", errOut, code, "Only feed connections poll", "(invalid)")
	out = mustHerald(t, base, "connection", "list", "--channel", chID)
	wantMatch(t, "connection list of a feed and a webhook", out, `(?m)^`+hook.ID+`\s+CI\s+incoming-webhook\s+0\s+never\s+-\s+-\s+\S+ \S+\s+-$`,
		`prints a connection's webhook URLs`, `polls it now`)
}

// TestFeedRefusedAddress runs a node without --allow-private-networks: a
// feed on loopback is refused, and that needs attention at once.
func TestFeedRefusedAddress(t *testing.T) {
	feed := newTestFeed(t, "Post")
	base := startServer(t)
	_, chID := channelFixture(t, base)
	var conn cliFeedConn
	decodeJSON(t, mustHerald(t, base, "connection", "add", "--channel", chID, "--name", "Internal", "--connector", "rss",
		"--feed-url", feed.url(), "--json"), &conn)
	if conn = waitFeedPolled(t, base, conn.ID); conn.Feed.LastStatus != "error" || !conn.AttentionRequired {
		t.Fatalf("a feed on loopback without --allow-private-networks: %+v, feed %+v", conn, *conn.Feed)
	}
	out := mustHerald(t, base, "connection", "show", conn.ID)
	wantMatch(t, "connection show of a refused feed", out, `(?m)^Last poll:\s+failed at `,
		`(?m)^Failures:\s+1 in a row; Herald cannot fetch this feed until its URL \(connection set --feed-url\)`,
		`(?m)^Attention:\s+required$`, `Herald cannot fetch this feed until its URL or the server's settings change`)
}

func TestFeedHelp(t *testing.T) {
	for cmd, want := range map[string][]string{
		"serve":           {"--allow-private-networks", "HERALD_ALLOW_PRIVATE_NETWORKS", "loopback", "--poll-workers=64", "HERALD_POLL_WORKERS"},
		"connection":      {"poll", "refresh now", "--connector rss --feed-url URL"},
		"connection add":  {"--feed-url=URL", "--interval=DURATION", "--first-items=N", "RSS, Atom or JSON Feed"},
		"connection poll": {"<id>", "refresh now"},
		"connection set":  {"--feed-url=URL", "--interval=DURATION"},
	} {
		var out, errOut bytes.Buffer
		if code := run(context.Background(), append(strings.Fields(cmd), "--help"), &out, &errOut); code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("herald %s --help lacks %q:\n%s", cmd, w, out.String())
			}
		}
		if cmd == "connection" && strings.Contains(out.String(), "print its webhook URLs") {
			t.Errorf("herald connection --help still says add prints webhook URLs:\n%s", out.String())
		}
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"serve", "--poll-workers", "0"}, &out, &errOut); code != 1 ||
		!strings.HasPrefix(errOut.String(), "herald: --poll-workers 0") {
		t.Errorf("serve --poll-workers 0: exit %d, stderr %q", code, errOut.String())
	}
}

func TestRelative(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		0: "just now", -300 * time.Millisecond: "just now", 300 * time.Millisecond: "now",
		-42 * time.Second: "42s ago", 14*time.Minute + 59*time.Second: "in 14m",
		-(3*time.Hour + 5*time.Minute + 7*time.Second): "3h5m ago", 26 * time.Hour: "in 26h",
		-72 * time.Hour: "3 days ago",
	} {
		if got := relative(now.Add(d), now); got != want {
			t.Errorf("relative(%v) = %q, want %q", d, got, want)
		}
	}
}

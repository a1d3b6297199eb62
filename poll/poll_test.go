package poll_test

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testenv"
	"github.com/heraldhq/herald/internal/testserver"
)

const token = "hrd_polltest_admin_token_0123456789abcdef"

// feedServer serves RSS 2.0 documents the test edits as it goes, with an
// ETag so that unchanged polls are answered 304, and counts what it serves.
type feedServer struct {
	*httptest.Server
	mu      sync.Mutex
	items   map[string][]item // by path
	status  map[string]int    // a forced status by path (0: serve the feed)
	moved   map[string]string // path -> redirect target path
	movedBy int               // the redirect status
	noETag  bool

	requests, notModified, full atomic.Int64
	byPath                      sync.Map // path -> *atomic.Int64
}

type item struct {
	guid, title string
	at          time.Time
}

func newFeedServer(t *testing.T) *feedServer {
	f := &feedServer{items: map[string][]item{}, status: map[string]int{}, moved: map[string]string{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	n, _ := f.byPath.LoadOrStore(r.URL.Path, new(atomic.Int64))
	n.(*atomic.Int64).Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if to, ok := f.moved[r.URL.Path]; ok {
		http.Redirect(w, r, to, f.movedBy)
		return
	}
	if st := f.status[r.URL.Path]; st != 0 {
		if st == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "7200")
		}
		http.Error(w, "down for maintenance", st)
		return
	}
	items, ok := f.items[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Release notes</title><link>https://example.com/</link>`)
	for i := len(items) - 1; i >= 0; i-- { // newest first, as feeds list them
		it := items[i]
		fmt.Fprintf(&b, `<item><guid isPermaLink="false">%s</guid><title>%s</title><link>https://example.com/%s</link><description>About %s.</description><pubDate>%s</pubDate></item>`,
			it.guid, it.title, it.guid, it.title, it.at.UTC().Format(time.RFC1123Z))
	}
	b.WriteString(`</channel></rss>`)
	body := b.String()
	if !f.noETag {
		etag := fmt.Sprintf(`"%x"`, len(body)*31+len(items))
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			f.notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	f.full.Add(1)
	w.Header().Set("Content-Type", "application/rss+xml")
	io.WriteString(w, body)
}

func (f *feedServer) set(path string, items ...item) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[path] = items
}

func (f *feedServer) add(path string, items ...item) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items[path] = append(f.items[path], items...)
}

func (f *feedServer) setStatus(path string, status int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.status[path] = status
}

func (f *feedServer) hits(path string) int64 {
	n, ok := f.byPath.Load(path)
	if !ok {
		return 0
	}
	return n.(*atomic.Int64).Load()
}

// api calls Herald's JSON API and decodes the answer into out.
func api(t *testing.T, base, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %d %s: %v", method, path, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

type feedState struct {
	Title       string     `json:"title"`
	Polls       int64      `json:"polls"`
	LastStatus  string     `json:"last_status"`
	LastError   string     `json:"last_error"`
	Failures    int        `json:"failures"`
	LastPollAt  *time.Time `json:"last_poll_at"`
	NextPollAt  *time.Time `json:"next_poll_at"`
	ItemsPosted int64      `json:"items_posted"`
	LastPosted  int        `json:"last_posted"`
	Stuck       bool       `json:"stuck"`
}

type connection struct {
	ID     string `json:"id"`
	Config struct {
		URL        string `json:"url"`
		Interval   string `json:"interval"`
		FirstItems int    `json:"first_items"`
	} `json:"config"`
	WebhookURL        string     `json:"webhook_url"`
	Feed              *feedState `json:"feed"`
	AttentionRequired bool       `json:"attention_required"`
	AttentionReasons  []string   `json:"attention_reasons"`
	Error             *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

type message struct {
	ID           int64           `json:"id"`
	ConnectionID string          `json:"connection_id"`
	Summary      string          `json:"summary"`
	Format       string          `json:"format"`
	Card         json.RawMessage `json:"card"`
}

// channel makes a team and returns its General channel's id.
func channel(t *testing.T, base string) (teamID, channelID string) {
	t.Helper()
	var team struct{ ID string }
	if st := api(t, base, "POST", "/api/v1/teams", map[string]string{"name": "Feeds " + t.Name()}, &team); st != 201 {
		t.Fatalf("create team: %d", st)
	}
	var chans struct{ Channels []struct{ ID, Name string } }
	api(t, base, "GET", "/api/v1/teams/"+team.ID+"/channels", nil, &chans)
	return team.ID, chans.Channels[0].ID
}

func addFeed(t *testing.T, base, channelID string, config map[string]any) connection {
	t.Helper()
	var c connection
	if st := api(t, base, "POST", "/api/v1/channels/"+channelID+"/connections",
		map[string]any{"connector": "rss", "name": "Releases", "config": config}, &c); st != 201 {
		t.Fatalf("add feed: %d %+v", st, c.Error)
	}
	return c
}

func messages(t *testing.T, base, channelID string) []message {
	t.Helper()
	var out struct{ Messages []message }
	api(t, base, "GET", "/api/v1/channels/"+channelID+"/messages?limit=200", nil, &out)
	return out.Messages
}

// titles returns the channel's message summaries, oldest first.
func titles(t *testing.T, base, channelID string) []string {
	ms := messages(t, base, channelID)
	out := make([]string, len(ms))
	for i, m := range ms {
		out[len(ms)-1-i] = m.Summary
	}
	return out
}

func getConn(t *testing.T, base, id string) connection {
	t.Helper()
	var c connection
	if st := api(t, base, "GET", "/api/v1/connections/"+id, nil, &c); st != 200 {
		t.Fatalf("get connection: %d %+v", st, c.Error)
	}
	return c
}

func pollNow(t *testing.T, base, id string) connection {
	t.Helper()
	var c connection
	if st := api(t, base, "POST", "/api/v1/connections/"+id+"/poll", nil, &c); st != 200 {
		t.Fatalf("poll: %d %+v", st, c.Error)
	}
	return c
}

// waitPolled waits until the connection has been polled n times.
func waitPolled(t *testing.T, base, id string, n int64) connection {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		c := getConn(t, base, id)
		if c.Feed != nil && c.Feed.Polls >= n {
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("connection %s not polled %d times within 20 s: %+v", id, n, c.Feed)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func node(t *testing.T, cfg app.Config) *testserver.Server {
	cfg.BootstrapToken = token
	cfg.AllowPrivateNetworks = true
	return testserver.Start(t, cfg)
}

func TestFeedPollsNewItemsOnceAcrossRestarts(t *testing.T) {
	f := newFeedServer(t)
	now := time.Now()
	f.set("/releases.xml",
		item{"r1", "v1.0", now.Add(-90 * 24 * time.Hour)},
		item{"r2", "v1.1", now.Add(-60 * 24 * time.Hour)},
		item{"r3", "v1.2", now.Add(-40 * 24 * time.Hour)}, // among the newest 3, but too old for a first poll
		item{"r4", "v1.3", now.Add(-2 * 24 * time.Hour)},
		item{"r5", "v1.4", now.Add(-1 * time.Hour)},
	)
	dir := t.TempDir()
	srv := node(t, app.Config{DataDir: dir})
	_, ch := channel(t, srv.URL)
	c := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/releases.xml"})
	if c.WebhookURL != "" {
		t.Errorf("a feed connection shows a webhook URL: %s", c.WebhookURL)
	}
	if c.Config.Interval != "15m0s" || c.Config.FirstItems != 3 {
		t.Errorf("defaults: interval %q, first_items %d; want 15m0s and 3", c.Config.Interval, c.Config.FirstItems)
	}

	// The first poll happens at once, by the scheduler.
	c = waitPolled(t, srv.URL, c.ID, 1)
	if c.Feed.LastStatus != "ok" || c.Feed.ItemsPosted != 2 || c.Feed.Title != "Release notes" {
		t.Fatalf("after the first poll: %+v", c.Feed)
	}
	if gap := c.Feed.NextPollAt.Sub(*c.Feed.LastPollAt); gap < 15*time.Minute/2 || gap > 15*time.Minute*3/2 {
		t.Errorf("next poll %v after the first: want between half and one and a half intervals (the feed's phase)", gap)
	}
	if got, want := titles(t, srv.URL, ch), []string{"Releases: v1.3", "Releases: v1.4"}; !equal(got, want) {
		t.Fatalf("first poll posted %q, want %q", got, want)
	}
	ms := messages(t, srv.URL, ch)
	if ms[0].Format != "rss" || ms[0].ConnectionID != c.ID || !strings.Contains(string(ms[0].Card), "https://example.com/r5") {
		t.Errorf("message: %+v %s", ms[0], ms[0].Card)
	}

	// Unchanged: answered 304 from the ETag, nothing parsed or posted.
	c = pollNow(t, srv.URL, c.ID)
	if c.Feed.LastStatus != "not_modified" || f.notModified.Load() != 1 || f.full.Load() != 1 {
		t.Fatalf("unchanged feed: status %q, 304s %d, full answers %d", c.Feed.LastStatus, f.notModified.Load(), f.full.Load())
	}

	// New items are posted once each, oldest first; the older items the
	// first poll held back are not.
	f.add("/releases.xml", item{"r6", "v1.5", now.Add(time.Minute)}, item{"r7", "v1.6", now.Add(2 * time.Minute)})
	c = pollNow(t, srv.URL, c.ID)
	if c.Feed.LastStatus != "ok" || c.Feed.ItemsPosted != 4 || c.Feed.LastPosted != 2 {
		t.Fatalf("after new items: %+v", c.Feed)
	}
	want := []string{"Releases: v1.3", "Releases: v1.4", "Releases: v1.5", "Releases: v1.6"}
	if got := titles(t, srv.URL, ch); !equal(got, want) {
		t.Fatalf("posted %q, want %q", got, want)
	}

	// A restart keeps what was seen: with validators gone (the server
	// stops sending an ETag) the whole feed is read again and nothing is
	// posted twice.
	srv.App.Close() // the test's cleanup closes it again, harmlessly
	f.mu.Lock()
	f.noETag = true
	f.mu.Unlock()
	srv2 := node(t, app.Config{DataDir: dir})
	c = pollNow(t, srv2.URL, c.ID)
	if c.Feed.LastStatus != "ok" || c.Feed.LastPosted != 0 {
		t.Fatalf("after restart: %+v", c.Feed)
	}
	if got := titles(t, srv2.URL, ch); !equal(got, want) {
		t.Fatalf("after restart: %q, want %q", got, want)
	}
}

func TestFeedFailuresBackOffThenRecover(t *testing.T) {
	f := newFeedServer(t)
	now := time.Now()
	f.set("/flaky.xml", item{"a", "first", now.Add(-time.Hour)})
	srv := node(t, app.Config{})
	_, ch := channel(t, srv.URL)
	c := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/flaky.xml", "interval": "1m"})
	waitPolled(t, srv.URL, c.ID, 1)

	f.setStatus("/flaky.xml", http.StatusInternalServerError)
	var waits []time.Duration
	for i := 1; i <= 3; i++ {
		c = pollNow(t, srv.URL, c.ID)
		if c.Feed.LastStatus != "error" || c.Feed.Failures != i || !strings.Contains(c.Feed.LastError, "500") {
			t.Fatalf("failure %d: %+v", i, c.Feed)
		}
		waits = append(waits, c.Feed.NextPollAt.Sub(*c.Feed.LastPollAt))
		if got := c.AttentionRequired; got != (i >= 3) {
			t.Errorf("after %d failures attention_required = %v", i, got)
		}
	}
	// The interval doubled per failure, less at most a quarter of jitter.
	for i, w := range waits {
		full := time.Minute << i
		if w > full || w < full*3/4 {
			t.Errorf("wait after failure %d: %v, want within [%v, %v]", i+1, w, full*3/4, full)
		}
	}
	if len(c.AttentionReasons) != 1 || !strings.Contains(c.AttentionReasons[0], "failed 3 times in a row") ||
		!strings.Contains(c.AttentionReasons[0], "500") {
		t.Errorf("attention reasons: %q", c.AttentionReasons)
	}
	// It shows among the organization's connections that need attention.
	var list struct{ Connections []connection }
	api(t, srv.URL, "GET", "/api/v1/connections?attention=true", nil, &list)
	if len(list.Connections) != 1 || list.Connections[0].ID != c.ID {
		t.Errorf("attention list: %+v", list.Connections)
	}

	// A server that asks for time gets it: Retry-After beats the backoff.
	f.setStatus("/flaky.xml", http.StatusServiceUnavailable)
	c = pollNow(t, srv.URL, c.ID)
	if w := c.Feed.NextPollAt.Sub(*c.Feed.LastPollAt); w < 2*time.Hour {
		t.Errorf("after 503 with Retry-After: 7200, next poll in %v", w)
	}

	// It recovers by itself when the feed does.
	f.setStatus("/flaky.xml", 0)
	f.add("/flaky.xml", item{"b", "second", now})
	c = pollNow(t, srv.URL, c.ID)
	if c.Feed.LastStatus != "ok" || c.Feed.Failures != 0 || c.AttentionRequired || c.Feed.LastError != "" {
		t.Fatalf("after recovery: %+v attention %v", c.Feed, c.AttentionReasons)
	}
	if got := titles(t, srv.URL, ch); !equal(got, []string{"Releases: first", "Releases: second"}) {
		t.Errorf("posted %q", got)
	}
}

func TestFeedRedirects(t *testing.T) {
	f := newFeedServer(t)
	f.set("/new.xml", item{"a", "moved", time.Now()})
	f.mu.Lock()
	f.moved["/old.xml"], f.moved["/temp.xml"] = "/new.xml", "/new.xml"
	f.movedBy = http.StatusMovedPermanently
	f.mu.Unlock()
	srv := node(t, app.Config{})
	_, ch := channel(t, srv.URL)

	c := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/old.xml"})
	c = waitPolled(t, srv.URL, c.ID, 1)
	if c.Feed.LastStatus != "ok" || c.Config.URL != f.URL+"/new.xml" {
		t.Fatalf("after a 301: status %q, url %q; want the new URL stored", c.Feed.LastStatus, c.Config.URL)
	}
	old := f.hits("/old.xml")
	pollNow(t, srv.URL, c.ID)
	if f.hits("/old.xml") != old {
		t.Errorf("the old URL was asked again after a permanent redirect")
	}

	f.mu.Lock()
	f.movedBy = http.StatusFound
	f.mu.Unlock()
	c2 := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/temp.xml"})
	c2 = waitPolled(t, srv.URL, c2.ID, 1)
	if c2.Feed.LastStatus != "ok" || c2.Config.URL != f.URL+"/temp.xml" {
		t.Fatalf("after a 302: status %q, url %q; want the URL kept", c2.Feed.LastStatus, c2.Config.URL)
	}
}

func TestFeedGuardRefusesPrivateAddressesByDefault(t *testing.T) {
	f := newFeedServer(t)
	f.set("/internal.xml", item{"a", "secret", time.Now()})
	srv := testserver.Start(t, app.Config{BootstrapToken: token}) // no AllowPrivateNetworks
	_, ch := channel(t, srv.URL)
	c := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/internal.xml"})
	c = waitPolled(t, srv.URL, c.ID, 1)
	if c.Feed.LastStatus != "error" || !strings.Contains(c.Feed.LastError, "--allow-private-networks") || !c.Feed.Stuck {
		t.Fatalf("a loopback feed without --allow-private-networks: %+v", c.Feed)
	}
	// Retrying will not help: it needs attention from the first failure.
	if !c.AttentionRequired || len(c.AttentionReasons) != 1 || !strings.Contains(c.AttentionReasons[0], "until its URL or the server's settings change") {
		t.Errorf("attention: %v %q", c.AttentionRequired, c.AttentionReasons)
	}
	if f.requests.Load() != 0 || len(messages(t, srv.URL, ch)) != 0 {
		t.Errorf("the guard let %d requests through", f.requests.Load())
	}
}

func TestFeedSettingsAreValidated(t *testing.T) {
	srv := node(t, app.Config{})
	_, ch := channel(t, srv.URL)
	for _, tc := range []struct {
		config map[string]any
		want   string
	}{
		{map[string]any{}, "needs the feed's address"},
		{map[string]any{"url": "ftp://example.com/feed"}, "not valid"},
		{map[string]any{"url": "https://example.com/feed", "interval": "30s"}, "between 1m and 24h (for example \"15m\"); 30s is not"},
		{map[string]any{"url": "https://example.com/feed", "first_items": 50}, "first_items"},
		{map[string]any{"url": "https://example.com/feed", "events": []string{"push"}}, "settings are url, interval and first_items"},
	} {
		var c connection
		st := api(t, srv.URL, "POST", "/api/v1/channels/"+ch+"/connections",
			map[string]any{"connector": "rss", "name": "x", "config": tc.config}, &c)
		if st != 400 || c.Error == nil || !strings.Contains(c.Error.Message, tc.want) {
			t.Errorf("config %v: %d %+v, want 400 mentioning %q", tc.config, st, c.Error, tc.want)
		}
	}
	var c connection
	st := api(t, srv.URL, "POST", "/api/v1/channels/"+ch+"/connections",
		map[string]any{"connector": "incoming-webhook", "name": "x", "config": map[string]any{"url": "https://example.com/"}}, &c)
	if st != 400 {
		t.Errorf("an Incoming Webhook with a feed URL: %d", st)
	}
	// A feed has neither a URL to update nor a delivery log.
	f := newFeedServer(t)
	f.set("/v.xml", item{"v1", "one", time.Now()})
	feed := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/v.xml"})
	for _, path := range []string{"/url", "/deliveries"} {
		method := "POST"
		if path == "/deliveries" {
			method = "GET"
		}
		var e connection
		if st := api(t, srv.URL, method, "/api/v1/connections/"+feed.ID+path, nil, &e); st != 400 || e.Error == nil || !strings.Contains(e.Error.Message, "feed") && !strings.Contains(e.Error.Message, "polling") {
			t.Errorf("%s %s of a feed: %d %+v", method, path, st, e.Error)
		}
	}
}

func TestFeedPausedWhileConnectorsDisabled(t *testing.T) {
	f := newFeedServer(t)
	f.set("/p.xml", item{"a", "one", time.Now()})
	srv := node(t, app.Config{})
	team, ch := channel(t, srv.URL)
	c := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/p.xml"})
	waitPolled(t, srv.URL, c.ID, 1)
	before := f.requests.Load()

	if st := api(t, srv.URL, "PATCH", "/api/v1/teams/"+team, map[string]any{"connectors_enabled": false}, nil); st != 200 {
		t.Fatalf("disable connectors: %d", st)
	}
	c = pollNow(t, srv.URL, c.ID)
	if c.Feed.LastStatus != "paused" || !strings.Contains(c.Feed.LastError, "Polling is paused") || f.requests.Load() != before {
		t.Fatalf("while disabled: %+v, %d requests", c.Feed, f.requests.Load()-before)
	}
	if st := api(t, srv.URL, "PATCH", "/api/v1/teams/"+team, map[string]any{"connectors_enabled": true}, nil); st != 200 {
		t.Fatalf("enable connectors: %d", st)
	}
	c = pollNow(t, srv.URL, c.ID)
	if c.Feed.LastStatus == "paused" || f.requests.Load() == before {
		t.Fatalf("after enabling: %+v", c.Feed)
	}
}

// Two nodes sharing PostgreSQL poll each feed once per interval between
// them, and a "refresh now" racing the scheduler posts nothing twice.
func TestFeedTwoNodesPollEachFeedOnce(t *testing.T) {
	db := testenv.Postgres(t)
	key := "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	a := node(t, app.Config{DB: db, SecretKey: key})
	b := node(t, app.Config{DB: db, SecretKey: key})
	f := newFeedServer(t)
	_, ch := channel(t, a.URL)
	const feeds = 20
	var ids []string
	for i := range feeds {
		path := fmt.Sprintf("/f%d.xml", i)
		f.set(path, item{fmt.Sprintf("f%d-1", i), fmt.Sprintf("feed %d item 1", i), time.Now().Add(-time.Minute)},
			item{fmt.Sprintf("f%d-2", i), fmt.Sprintf("feed %d item 2", i), time.Now()})
		c := addFeed(t, a.URL, ch, map[string]any{"url": f.URL + path})
		ids = append(ids, c.ID)
	}
	// Race "refresh now" on node b with the scheduler's first polls.
	for _, id := range ids[:5] {
		pollNow(t, b.URL, id)
	}
	for _, id := range ids {
		waitPolled(t, a.URL, id, 1)
	}
	// Let both schedulers run a few more fetch cycles: nothing is due for
	// 15 minutes, so nothing more may be fetched.
	time.Sleep(3 * time.Second)
	for i, id := range ids {
		// A refresh asked before the first poll ran is that poll; one asked
		// after is a second poll. Either way every fetch is one poll.
		max := int64(1)
		if i < 5 {
			max = 2
		}
		c := getConn(t, b.URL, id)
		if got := f.hits(fmt.Sprintf("/f%d.xml", i)); got != c.Feed.Polls || got > max {
			t.Errorf("feed %d fetched %d times in %d polls, want one fetch per poll and at most %d", i, got, c.Feed.Polls, max)
		}
		if c.Feed.ItemsPosted != 2 {
			t.Errorf("feed %d posted %d items, want 2", i, c.Feed.ItemsPosted)
		}
	}
	if n := len(messages(t, b.URL, ch)); n != 2*feeds {
		t.Errorf("%d messages, want %d", n, 2*feeds)
	}
}

// Changing a feed's address makes its next poll, at once, a first poll of
// the new feed: validators of the old one are not sent, and its archive is
// not posted.
func TestFeedNewAddressStartsOver(t *testing.T) {
	f := newFeedServer(t)
	now := time.Now()
	f.set("/a.xml", item{"a1", "old feed", now})
	f.set("/b.xml", item{"b1", "b one", now.Add(-3 * time.Hour)}, item{"b2", "b two", now.Add(-2 * time.Hour)},
		item{"b3", "b three", now.Add(-time.Hour)}, item{"b4", "b four", now})
	srv := node(t, app.Config{})
	_, ch := channel(t, srv.URL)
	c := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/a.xml", "first_items": 2})
	waitPolled(t, srv.URL, c.ID, 1)
	var patched connection
	if st := api(t, srv.URL, "PATCH", "/api/v1/connections/"+c.ID,
		map[string]any{"config": map[string]any{"url": f.URL + "/b.xml", "first_items": 2}}, &patched); st != 200 {
		t.Fatalf("PATCH: %d %+v", st, patched.Error)
	}
	// The new settings are polled at once, not after the old schedule.
	c = waitPolled(t, srv.URL, c.ID, 2)
	want := []string{"Releases: old feed", "Releases: b three", "Releases: b four"}
	if got := titles(t, srv.URL, ch); !equal(got, want) || c.Feed.LastStatus != "ok" {
		t.Fatalf("after moving the feed: %q (%s), want %q", got, c.Feed.LastStatus, want)
	}
}

// Schedules are River jobs in the store: they outlive the process. A feed
// that came due while Herald was down is polled when it is back, without
// anyone asking; and a feed whose job was lost gets a new one at start.
func TestFeedScheduleSurvivesRestart(t *testing.T) {
	f := newFeedServer(t)
	now := time.Now()
	f.set("/due.xml", item{"d1", "due one", now})
	f.set("/lost.xml", item{"l1", "lost one", now})
	dir := t.TempDir()
	srv := node(t, app.Config{DataDir: dir})
	_, ch := channel(t, srv.URL)
	due := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/due.xml", "interval": "1m"})
	waitPolled(t, srv.URL, due.ID, 1)
	lost := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/lost.xml", "interval": "1m"})
	waitPolled(t, srv.URL, lost.ID, 1)
	if err := srv.App.Close(); err != nil {
		t.Fatal(err)
	}

	// While it is down: the minute passes for one feed, and the other's
	// job disappears.
	db, err := sql.Open("sqlite", filepath.Join(dir, "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	res, err := db.Exec(`UPDATE river_job SET scheduled_at = datetime('now', 'subsec', '-1 minute')
		WHERE kind = 'feed_poll' AND state = 'scheduled' AND args ->> 'connection_id' = ?`, due.ID)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("move the due feed's job: %v (%d rows)", err, n)
	}
	res, err = db.Exec(`DELETE FROM river_job WHERE kind = 'feed_poll' AND args ->> 'connection_id' = ?`, lost.ID)
	if n, _ := res.RowsAffected(); err != nil || n != 1 {
		t.Fatalf("delete the lost feed's job: %v (%d rows)", err, n)
	}
	db.Close()

	f.add("/due.xml", item{"d2", "due two", now.Add(time.Second)})
	srv2 := node(t, app.Config{DataDir: dir})
	c := waitPolled(t, srv2.URL, due.ID, 2)
	if c.Feed.LastStatus != "ok" || c.Feed.ItemsPosted != 2 {
		t.Errorf("the due feed after restart: %+v", c.Feed)
	}
	c = waitPolled(t, srv2.URL, lost.ID, 2)
	if c.Feed.LastStatus != "not_modified" {
		t.Errorf("the feed whose job was lost, after restart: %+v", c.Feed)
	}
	want := []string{"Releases: due one", "Releases: lost one", "Releases: due two"}
	if got := titles(t, srv2.URL, ch); !equal(got, want) {
		t.Errorf("messages %q, want %q", got, want)
	}
}

// "Refresh now" polls through the connection's job, so the next poll it
// shows is the one the schedule keeps.
func TestFeedRefreshKeepsTheSchedule(t *testing.T) {
	f := newFeedServer(t)
	f.set("/r.xml", item{"r1", "one", time.Now()})
	dir := t.TempDir()
	srv := node(t, app.Config{DataDir: dir})
	_, ch := channel(t, srv.URL)
	c := addFeed(t, srv.URL, ch, map[string]any{"url": f.URL + "/r.xml", "interval": "1h"})
	waitPolled(t, srv.URL, c.ID, 1)
	c = pollNow(t, srv.URL, c.ID)
	if c.Feed.Polls != 2 || c.Feed.NextPollAt == nil {
		t.Fatalf("after refresh: %+v", c.Feed)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "herald.db")+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var state, at string
		err := db.QueryRow(`SELECT state, scheduled_at FROM river_job WHERE kind = 'feed_poll' AND args ->> 'connection_id' = ?`, c.ID).Scan(&state, &at)
		if err != nil {
			t.Fatal(err)
		}
		if state == "scheduled" {
			job, err := time.Parse(time.RFC3339Nano, at)
			if err != nil {
				t.Fatalf("scheduled_at %q: %v", at, err)
			}
			if d := job.Sub(*c.Feed.NextPollAt); d < -time.Second || d > time.Second {
				t.Errorf("the job is due at %v, the connection says %v", job, c.Feed.NextPollAt)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job is still %s", state)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if got := f.hits("/r.xml"); got != 2 {
		t.Errorf("%d fetches for 2 polls", got)
	}
}

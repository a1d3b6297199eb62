package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testserver"
)

// startFeedHerald is startHerald for feed connections: the node may fetch
// from 127.0.0.1, where the test serves its feeds.
func startFeedHerald(t *testing.T) *server {
	t.Helper()
	ts := testserver.Start(t, app.Config{BootstrapToken: adminToken, SQLiteSync: "normal", AllowPrivateNetworks: true})
	p := startProxy(t, strings.TrimPrefix(ts.URL, "http://"))
	t.Cleanup(p.close) // before the node stops (cleanups run last first)
	return &server{t: t, direct: ts.URL, url: "http://" + p.ln.Addr().String(), proxy: p}
}

// rssFeed serves an RSS 2.0 feed at /feed.xml, with an ETag so that an
// unchanged feed answers 304; fail makes it answer 500 instead.
type rssFeed struct {
	*httptest.Server
	mu       sync.Mutex
	items    []rssItem // oldest first
	version  int
	fail     bool
	requests atomic.Int64
}

type rssItem struct {
	title string
	at    time.Time
}

func newRSSFeed(t *testing.T, items ...rssItem) *rssFeed {
	f := &rssFeed{items: items}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *rssFeed) add(it rssItem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, it)
	f.version++
}

func (f *rssFeed) setFail(fail bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail = fail
}

func (f *rssFeed) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.URL.Path != "/feed.xml" {
		http.NotFound(w, r)
		return
	}
	if f.fail {
		http.Error(w, "the feed's server is down", http.StatusInternalServerError)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, f.version)
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<rss version="2.0"><channel><title>Herald releases</title>` +
		`<link>https://example.com/releases</link><description>New versions of Herald</description>`)
	for i := len(f.items) - 1; i >= 0; i-- { // newest first, as feeds are
		it := f.items[i]
		slug := strings.ToLower(strings.ReplaceAll(it.title, " ", "-"))
		fmt.Fprintf(&b, `<item><title>%s</title><link>https://example.com/releases/%s</link><guid>urn:herald-test:%s</guid><pubDate>%s</pubDate><description>%s</description></item>`,
			html.EscapeString(it.title), slug, slug, it.at.UTC().Format(time.RFC1123Z), html.EscapeString("Notes for "+it.title))
	}
	b.WriteString(`</channel></rss>`)
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	io.WriteString(w, b.String())
}

// feedConnection is what the test reads of a feed connection from the API.
type feedConnection struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Connector string `json:"connector"`
	Config    struct {
		URL        string `json:"url"`
		Interval   string `json:"interval"`
		FirstItems int    `json:"first_items"`
	} `json:"config"`
	Feed *struct {
		Title       string `json:"title"`
		Polls       int64  `json:"polls"`
		LastStatus  string `json:"last_status"`
		LastError   string `json:"last_error"`
		ItemsPosted int64  `json:"items_posted"`
	} `json:"feed"`
	AttentionRequired bool     `json:"attention_required"`
	AttentionReasons  []string `json:"attention_reasons"`
}

// apiError sends a request the server must refuse with 400 and returns the
// message it gives a person.
func (s *server) apiError(method, path string, body any) string {
	s.t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.direct+"/api/v1"+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest || json.Unmarshal(data, &e) != nil || e.Error.Message == "" {
		s.t.Fatalf("%s %s %s: %d %s; want 400 with an error message", method, path, b, res.StatusCode, data)
	}
	return e.Error.Message
}

// An owner adds an RSS feed from the Connectors page: the form shows the
// server's refusals, the first poll posts the newest 3 items, Refresh now
// posts a new one, and the feed's state (up to date, failures with
// Attention required, paused) reads in words.
func TestFeedConnection(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	s := startFeedHerald(t)
	ada := s.user("Ada Lovelace", "ada@example.com", false)
	ch := s.team("Platform", map[string]string{ada.ID: "owner"})
	now := time.Now()
	feed := newRSSFeed(t,
		rssItem{"Herald 1.0", now.Add(-96 * time.Hour)},
		rssItem{"Herald 1.1", now.Add(-72 * time.Hour)},
		rssItem{"Herald 1.2", now.Add(-48 * time.Hour)},
		rssItem{"Herald 1.3", now.Add(-24 * time.Hour)},
	)
	feedURL := feed.URL + "/feed.xml"
	ctx, _ := newTab(t)
	signIn(t, ctx, s, ada.Email)
	connectors := s.url + "/channels/" + ch.ID + "/connectors"
	open(t, ctx, connectors, `#catalog button[data-action=add][data-connector=rss]`)
	if got := eval[string](t, ctx, `document.querySelector('#catalog [data-connector=rss] .badge.kind')?.textContent || ''`); got != "Polls a source" {
		t.Errorf("the RSS entry's badge reads %q, want \"Polls a source\"", got)
	}

	// The form: the feed URL, the interval (15 minutes unless chosen) and
	// the items on the first poll.
	do(t, ctx, stepWait,
		chromedp.Click(chromedp.CSS(`#catalog button[data-action=add][data-connector=rss]`)),
		chromedp.WaitVisible(chromedp.ID("feed-url")),
	)
	if got := eval[string](t, ctx, `[document.querySelector('#feed-url').type, document.querySelector('#feed-url').required, document.querySelector('#feed-interval').value,
		[...document.querySelectorAll('#feed-interval option')].map(o => o.value).join(' '), document.querySelector('#feed-first-items').type].join('|')`); got != "url|true|15m|5m 15m 30m 1h 6h 24h|number" {
		t.Errorf("the form's URL type|required|interval|choices|first items type: %q", got)
	}
	if !eval[bool](t, ctx, `['feed-url', 'feed-interval', 'feed-first-items', 'connection-name'].every(id => document.querySelector('label[for="' + id + '"]'))`) {
		t.Error("a feed field has no label")
	}

	// The server's refusals show in the form, as it words them.
	formErr := `document.querySelector('#add-form .form-error')`
	badURL := "ftp://example.com/feed.xml"
	do(t, ctx, stepWait,
		chromedp.SendKeys(chromedp.ID("connection-name"), "Releases"),
		chromedp.SendKeys(chromedp.ID("feed-url"), badURL),
		chromedp.Click(chromedp.CSS(`#add-form button[type=submit]`)),
	)
	waitFor(t, ctx, stepWait, `!`+formErr+`.hidden && `+formErr+`.textContent !== ''`)
	want := s.apiError("POST", "/channels/"+ch.ID+"/connections", map[string]any{"connector": "rss", "name": "Releases", "config": map[string]any{"url": badURL, "interval": "15m"}})
	if got := eval[string](t, ctx, formErr+`.textContent`); got != want {
		t.Errorf("for a bad URL the form says %q, want the server's %q", got, want)
	}
	// The select offers only what the server takes; a page left open while
	// the limits changed could still send another interval (made so here).
	do(t, ctx, stepWait,
		chromedp.SetValue(chromedp.ID("feed-url"), feedURL),
		chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#feed-interval'); s.add(new Option('Every 30 seconds', '30s')); s.value = '30s'; })()`),
		chromedp.Click(chromedp.CSS(`#add-form button[type=submit]`)),
	)
	want = s.apiError("POST", "/channels/"+ch.ID+"/connections", map[string]any{"connector": "rss", "name": "Releases", "config": map[string]any{"url": feedURL, "interval": "30s"}})
	waitFor(t, ctx, stepWait, formErr+`.textContent === `+js(want))
	if !eval[bool](t, ctx, `document.querySelector('#add-form .form-error').getAttribute('role') === 'alert'`) {
		t.Error("the form's error is not announced (role=alert)")
	}

	// Added: hourly, so that only Refresh now polls after the first poll.
	do(t, ctx, stepWait,
		chromedp.SetValue(chromedp.ID("feed-interval"), "1h"),
		chromedp.Click(chromedp.CSS(`#add-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#created .feed-facts`)),
	)
	if got := eval[string](t, ctx, `document.querySelector('#created .feed-url').textContent`); got != feedURL {
		t.Errorf("the new connection shows feed %q, want %q", got, feedURL)
	}
	if eval[bool](t, ctx, `!!document.querySelector('#created input[id$=webhook-url]')`) {
		t.Error("a feed connection shows a webhook URL")
	}
	var list struct {
		Connections []feedConnection `json:"connections"`
	}
	s.call(adminToken, "GET", "/channels/"+ch.ID+"/connections", nil, 200, &list)
	if len(list.Connections) != 1 || list.Connections[0].Connector != "rss" || list.Connections[0].Config.Interval != "1h0m0s" || list.Connections[0].Config.URL != feedURL {
		t.Fatalf("after the form the channel has %+v", list.Connections)
	}
	id := list.Connections[0].ID
	row := fmt.Sprintf(`#configured li.connection[data-id=%q]`, id)
	do(t, ctx, stepWait,
		chromedp.Click(chromedp.CSS(`#created .dialog-actions .button.primary`)), // Done
		chromedp.WaitVisible(chromedp.CSS(row)),
	)

	// The first poll runs at once, and the page shows it without a reload.
	status := `document.querySelector(` + js(row+" .feed-status") + `)`
	posted := `document.querySelector(` + js(row+" .items-posted") + `)?.dataset.count`
	start := time.Now()
	waitFor(t, ctx, stepWait, status+`?.dataset.status === 'ok' && `+posted+` === '3'`)
	t.Logf("the first poll showed %v after the connection was added", time.Since(start).Round(time.Millisecond))
	for what, cond := range map[string]string{
		"status in words": status + `.querySelector('.status-text').textContent === '3 new items posted'`,
		"items posted":    `document.querySelector(` + js(row+" .items-posted") + `).textContent === '3 items posted'`,
		"title":           `document.querySelector(` + js(row+" .feed-title") + `).textContent === 'Herald releases'`,
		"interval":        `document.querySelector(` + js(row) + `).textContent.includes('every hour')`,
		"next poll":       `document.querySelector(` + js(row) + `).textContent.includes('next poll') && !!document.querySelector(` + js(row+" time[datetime]") + `)`,
		"no webhook URL":  `!document.querySelector('#configured').textContent.includes('webhookb2')`,
		"Refresh now":     `document.querySelector(` + js(row+" button[data-action=refresh]") + `)?.textContent === 'Refresh now'`,
	} {
		if !eval[bool](t, ctx, cond) {
			t.Errorf("the feed's row lacks its %s (%s)\npage %s", what, cond, pageText(ctx))
		}
	}

	// The channel shows the newest 3 items as cards.
	messages := `[...document.querySelectorAll('#messages .message')]`
	has := func(title string) string {
		return messages + `.some(m => m.textContent.includes(` + js(title) + `))`
	}
	open(t, ctx, s.url+"/channels/"+ch.ID, "#stream")
	waitFor(t, ctx, stepWait, has("Herald 1.1")+` && `+has("Herald 1.2")+` && `+has("Herald 1.3"))
	if n := eval[int](t, ctx, messages+`.length`); n != 3 || eval[bool](t, ctx, has("Herald 1.0")) {
		t.Errorf("the stream shows %d messages (or the oldest item), want the newest 3 items", n)
	}
	if !eval[bool](t, ctx, `!!document.querySelector('#messages .message .ac-adaptiveCard')`) {
		t.Error("the feed's items are not rendered as cards")
	}
	waitFor(t, ctx, liveWait, `document.querySelector('#live-status').dataset.state === 'live'`)

	// A new item; Refresh now posts it and the row shows the answer.
	feed.add(rssItem{"Herald 2.0", time.Now()})
	open(t, ctx, connectors, row+" button[data-action=refresh]")
	do(t, ctx, stepWait, chromedp.Click(chromedp.CSS(row+" button[data-action=refresh]")))
	waitFor(t, ctx, stepWait, posted+` === '4' && `+status+`.querySelector('.status-text').textContent === '1 new item posted'`)
	waitFor(t, ctx, stepWait, `document.activeElement === document.querySelector(`+js(row+" button[data-action=refresh]")+`)`)

	// Manage shows the feed instead of URLs; a second refresh finds it
	// unchanged (304).
	do(t, ctx, stepWait,
		chromedp.Click(chromedp.CSS(row+" button[data-action=manage]")),
		chromedp.WaitVisible(chromedp.CSS(`#manage-feed .feed-facts`)),
	)
	facts := `document.querySelector('#manage-feed .feed-facts').textContent`
	for _, want := range []string{feedURL, "Herald releases", "every hour", "1 new item posted", "4 items posted", "Next poll"} {
		if !eval[bool](t, ctx, facts+`.includes(`+js(want)+`)`) {
			t.Errorf("Manage does not show %q: %s", want, eval[string](t, ctx, facts))
		}
	}
	if eval[bool](t, ctx, `!!document.querySelector('#update-url, #manage-webhook-url')`) {
		t.Error("Manage offers a webhook URL or Update URL for a feed")
	}
	if got := eval[string](t, ctx, `document.querySelector('#manage-feed a.feed-url')?.rel || ''`); got != "noopener noreferrer" {
		t.Errorf("the feed's link has rel %q", got)
	}
	screenshot(t, ctx, "feed")
	do(t, ctx, stepWait, chromedp.Click(chromedp.CSS(`#manage-feed button[data-action=refresh]`)))
	waitFor(t, ctx, stepWait, `document.querySelector('#manage-feed .feed-status')?.dataset.status === 'not_modified'`)
	if got := eval[string](t, ctx, `document.querySelector('#manage-feed .feed-status .status-text').textContent + ' / ' + document.querySelector('#poll-result').textContent`); got != "Up to date / Releases: Up to date" {
		t.Errorf("after an unchanged refresh Manage says %q", got)
	}
	if got := eval[string](t, ctx, status+`.querySelector('.status-text').textContent`); got != "Up to date" {
		t.Errorf("behind the dialog the row says %q, want Up to date", got)
	}

	// Its settings can be changed there: the form shows the current ones,
	// and saving polls the feed again at once.
	if got := eval[string](t, ctx, `document.querySelector('#manage-feed-url').value + ' ' + document.querySelector('#manage-feed-interval').value`); got != feedURL+" 1h" {
		t.Errorf("the settings form shows %q", got)
	}
	pollsBefore := eval[string](t, ctx, status+`.dataset.polls`)
	do(t, ctx, stepWait,
		chromedp.SetValue(chromedp.CSS(`#manage-feed-interval`), "6h"),
		chromedp.Click(chromedp.CSS(`#manage-feed-settings button[type=submit]`)))
	waitFor(t, ctx, stepWait, `document.querySelector('#manage-feed .feed-facts').textContent.includes('every 6 hours')`)
	waitFor(t, ctx, stepWait, status+`.dataset.polls !== `+js(pollsBefore))
	do(t, ctx, stepWait, chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS("dialog")))

	// The stream has the new item, once.
	open(t, ctx, s.url+"/channels/"+ch.ID, "#messages .message")
	waitFor(t, ctx, stepWait, has("Herald 2.0"))
	if n := eval[int](t, ctx, messages+`.length`); n != 4 {
		t.Errorf("after the refresh the stream shows %d messages, want 4", n)
	}

	// Three failures in a row: the status says why, and the connection asks
	// for attention.
	feed.setFail(true)
	open(t, ctx, connectors, row+" button[data-action=refresh]")
	polls := func() int64 {
		var c feedConnection
		s.call(adminToken, "GET", "/connections/"+id, nil, 200, &c)
		return c.Feed.Polls
	}
	for i := range 3 {
		before := polls()
		do(t, ctx, stepWait, chromedp.Click(chromedp.CSS(row+" button[data-action=refresh]")))
		waitFor(t, ctx, stepWait, status+`?.dataset.status === 'error' && `+status+`.dataset.polls === '`+fmt.Sprint(before+1)+`'`)
		if i < 2 && eval[bool](t, ctx, `document.querySelector(`+js(row)+`).classList.contains('attention')`) {
			t.Errorf("attention required after %d failures", i+1)
		}
	}
	var failed feedConnection
	s.call(adminToken, "GET", "/connections/"+id, nil, 200, &failed)
	if !failed.AttentionRequired || len(failed.AttentionReasons) == 0 {
		t.Fatalf("after 3 failures the API shows %+v", failed)
	}
	waitFor(t, ctx, stepWait, `document.querySelector(`+js(row)+`).classList.contains('attention')`)
	for what, cond := range map[string]string{
		"Failed: and the error": status + `.querySelector('.status-text').textContent === ` + js("Failed: "+failed.Feed.LastError),
		"the badge":             `document.querySelector(` + js(row+" .badge.warning") + `)?.textContent === 'Attention required'`,
		"the reason":            `document.querySelector(` + js(row+" .attention-reasons li") + `)?.textContent === ` + js(failed.AttentionReasons[0]),
	} {
		if !eval[bool](t, ctx, cond) {
			t.Errorf("after 3 failures the row lacks %s (%s)\npage %s", what, cond, pageText(ctx))
		}
	}
	do(t, ctx, stepWait,
		chromedp.Click(chromedp.CSS(row+" button[data-action=manage]")),
		chromedp.WaitVisible(chromedp.CSS(`#manage-feed .feed-facts`)),
	)
	if !eval[bool](t, ctx, `document.querySelector('dialog.manage .notice.warning')?.textContent.startsWith('Attention required')`) {
		t.Error("Manage does not say Attention required")
	}
	do(t, ctx, stepWait, chromedp.KeyEvent("\x1b"), chromedp.WaitNotPresent(chromedp.CSS("dialog")))

	// Connectors turned off for the team: polling pauses, and says why.
	feed.setFail(false)
	s.call(adminToken, "PATCH", "/teams/"+ch.TeamID, map[string]any{"connectors_enabled": false}, 200, nil)
	open(t, ctx, connectors, row+" button[data-action=refresh]")
	do(t, ctx, stepWait, chromedp.Click(chromedp.CSS(row+" button[data-action=refresh]")))
	waitFor(t, ctx, stepWait, status+`?.dataset.status === 'paused'`)
	var paused feedConnection
	s.call(adminToken, "GET", "/connections/"+id, nil, 200, &paused)
	if got := eval[string](t, ctx, status+`.querySelector('.status-text').textContent`); got != "Paused: "+paused.Feed.LastError {
		t.Errorf("a paused feed says %q, want %q", got, "Paused: "+paused.Feed.LastError)
	}
	if eval[bool](t, ctx, `document.querySelector(`+js(row)+`).classList.contains('attention')`) {
		t.Error("a paused feed still asks for attention")
	}
}

package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/httpapi"
	"github.com/heraldhq/herald/internal/testenv"
	"github.com/heraldhq/herald/ratelimit"
)

const adminToken = "test-admin-token"

// node is one Herald node serving on a random loopback port.
type node struct {
	t    *testing.T
	app  *app.App
	url  string
	stop func()
}

// start runs a node until the test ends. cfg.Addr, BaseURL, DataDir and
// BootstrapToken are filled in when empty.
func start(t *testing.T, cfg app.Config) *node {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err, "listen")
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.BootstrapToken == "" {
		cfg.BootstrapToken = adminToken
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg)
	if err != nil {
		cancel()
		t.Fatalf("open: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
			a.Close()
		})
	}
	t.Cleanup(stop)
	return &node{t: t, app: a, url: cfg.BaseURL, stop: stop}
}

// api calls the JSON API and decodes the answer into out (when not nil),
// failing the test unless the status is want.
func (n *node) api(method, path string, body any, want int, out any) {
	n.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, n.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	testenv.Must(n.t, err, method, " ", path)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		n.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			n.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

type connection struct {
	ID             string `json:"id"`
	ChannelID      string `json:"channel_id"`
	Name           string `json:"name"`
	WebhookURL     string `json:"webhook_url"`
	SlackURL       string `json:"slack_url"`
	DeliveredCount int64  `json:"delivered_count"`
}

type message struct {
	ID           int64           `json:"id"`
	Seq          int64           `json:"seq"`
	ConnectionID string          `json:"connection_id"`
	CreatedAt    time.Time       `json:"created_at"`
	Summary      string          `json:"summary"`
	Format       string          `json:"format"`
	Card         json.RawMessage `json:"card"`
}

// webhook creates a team and an Incoming Webhook in its General channel.
func (n *node) webhook() (channelID string, c connection) {
	n.t.Helper()
	var team struct{ ID string }
	n.api("POST", "/api/v1/teams", map[string]string{"name": "Ops " + strconv.FormatInt(time.Now().UnixNano(), 36)}, 201, &team)
	var chans struct{ Channels []struct{ ID, Name string } }
	n.api("GET", "/api/v1/teams/"+team.ID+"/channels", nil, 200, &chans)
	n.api("POST", "/api/v1/channels/"+chans.Channels[0].ID+"/connections",
		map[string]string{"connector": "incoming-webhook", "name": "CI"}, 201, &c)
	return chans.Channels[0].ID, c
}

type reply struct {
	status int
	body   string
	header http.Header
}

func post(t *testing.T, url, contentType, body string) reply {
	t.Helper()
	resp, err := http.Post(url, contentType, strings.NewReader(body))
	testenv.Must(t, err, "post")
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, string(b), resp.Header}
}

const messageCard = `{"@type":"MessageCard","@context":"https://schema.org/extensions","summary":"Build 42 passed",
 "themeColor":"#00FF00","title":"Build 42","sections":[{"activityTitle":"CI","facts":[{"name":"Branch","value":"main"}]}],
 "potentialAction":[{"@type":"OpenUri","name":"Open","targets":[{"os":"default","uri":"https://ci.example.com/42"}]}]}`

func TestWalkthrough(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			cfg := app.Config{RateLimit: ratelimit.Teams}
			if db == "postgres" {
				cfg.DB = testenv.Postgres(t)
			}
			n := start(t, cfg)

			var team struct{ ID, Name string }
			n.api("POST", "/api/v1/teams", map[string]string{"name": "Platform"}, 201, &team)
			if team.ID == "" || team.Name != "Platform" {
				t.Fatalf("team = %+v", team)
			}
			var chans struct {
				Channels []struct{ ID, TeamID, Name string }
			}
			n.api("GET", "/api/v1/teams/"+team.ID+"/channels", nil, 200, &chans)
			if len(chans.Channels) != 1 || chans.Channels[0].Name != "General" {
				t.Fatalf("new team channels = %+v, want General", chans)
			}
			var ch struct{ ID string }
			n.api("POST", "/api/v1/teams/"+team.ID+"/channels", map[string]string{"name": "deploys"}, 201, &ch)

			var catalog struct {
				Connectors []struct {
					ID, Name, Kind string
					Retired        bool
				}
			}
			n.api("GET", "/api/v1/connectors", nil, 200, &catalog)
			found := false
			for _, c := range catalog.Connectors {
				found = found || c.ID == "incoming-webhook" && c.Kind == "push" && !c.Retired
			}
			if !found {
				t.Fatalf("catalog lacks an available incoming-webhook: %+v", catalog)
			}

			var c connection
			n.api("POST", "/api/v1/channels/"+ch.ID+"/connections", map[string]string{"connector": "incoming-webhook", "name": "Jenkins"}, 201, &c)
			wantPrefix := n.url + "/webhookb2/" + team.ID + "@"
			if !strings.HasPrefix(c.WebhookURL, wantPrefix) || !strings.Contains(c.WebhookURL, "/IncomingWebhook/"+c.ID+"/") ||
				!strings.Contains(c.WebhookURL, "/V2") || !strings.HasPrefix(c.SlackURL, n.url+"/services/T") {
				t.Fatalf("connection URLs = %q, %q", c.WebhookURL, c.SlackURL)
			}

			r := post(t, c.WebhookURL, "application/json", messageCard)
			if r.status != 200 || r.body != "1" || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Fatalf("post: %d %q %q", r.status, r.body, r.header.Get("Content-Type"))
			}
			if r := post(t, c.SlackURL, "application/json", `{"text":"Deployed *api* to <https://prod.example.com|prod>"}`); r.status != 200 || r.body != "ok" {
				t.Fatalf("slack post: %d %q", r.status, r.body)
			}

			var msgs struct{ Messages []message }
			n.api("GET", "/api/v1/channels/"+ch.ID+"/messages", nil, 200, &msgs)
			if len(msgs.Messages) != 2 {
				t.Fatalf("messages = %+v", msgs)
			}
			slackMsg, cardMsg := msgs.Messages[0], msgs.Messages[1] // newest first
			if cardMsg.Summary != "Build 42 passed" || cardMsg.Format != "messagecard" || cardMsg.ConnectionID != c.ID ||
				!bytes.Contains(cardMsg.Card, []byte(`"AdaptiveCard"`)) || !bytes.Contains(cardMsg.Card, []byte("https://ci.example.com/42")) ||
				!bytes.Contains(cardMsg.Card, []byte("Branch")) {
				t.Fatalf("stored card = %+v (%s)", cardMsg, cardMsg.Card)
			}
			if slackMsg.Format != "slack" || !bytes.Contains(slackMsg.Card, []byte("https://prod.example.com")) {
				t.Fatalf("stored slack message = %+v (%s)", slackMsg, slackMsg.Card)
			}
			if time.Since(cardMsg.CreatedAt) > time.Minute {
				t.Fatalf("created_at = %v", cardMsg.CreatedAt)
			}
			var one struct{ Messages []message }
			n.api("GET", "/api/v1/channels/"+ch.ID+"/messages?limit=1&before="+strconv.FormatInt(slackMsg.ID, 10), nil, 200, &one)
			if len(one.Messages) != 1 || one.Messages[0].ID != cardMsg.ID {
				t.Fatalf("paging with before = %+v", one)
			}

			var chGot struct {
				TeamID       string `json:"team_id"`
				MessageCount int64  `json:"message_count"`
			}
			n.api("GET", "/api/v1/channels/"+ch.ID, nil, 200, &chGot)
			if chGot.MessageCount != 2 || chGot.TeamID != team.ID {
				t.Fatalf("message_count = %d, want 2", chGot.MessageCount)
			}
			var got connection
			n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &got)
			if got.WebhookURL != c.WebhookURL || got.SlackURL != c.SlackURL || got.DeliveredCount != 2 {
				t.Fatalf("GET connection = %+v, want URLs of %+v and 2 deliveries", got, c)
			}
			var list struct{ Connections []connection }
			n.api("GET", "/api/v1/channels/"+ch.ID+"/connections", nil, 200, &list)
			if len(list.Connections) != 1 || list.Connections[0].WebhookURL != c.WebhookURL {
				t.Fatalf("connections = %+v", list)
			}

			n.api("DELETE", "/api/v1/connections/"+c.ID, nil, 204, nil)
			if r := post(t, c.WebhookURL, "application/json", `{"text":"late"}`); r.status != 410 {
				t.Fatalf("post to removed webhook: %d %q, want 410", r.status, r.body)
			}
			n.api("GET", "/api/v1/connections/"+c.ID, nil, 404, nil)
			n.api("GET", "/api/v1/channels/"+ch.ID+"/messages", nil, 200, &msgs)
			if len(msgs.Messages) != 2 {
				t.Fatalf("messages after removal = %d, want 2 kept", len(msgs.Messages))
			}
		})
	}
}

func TestWebhookErrors(t *testing.T) {
	n := start(t, app.Config{RateLimit: ratelimit.Teams})
	_, c := n.webhook()
	u := c.WebhookURL
	i := strings.LastIndex(u, "/V2")
	token := u[i+3:]
	flip := func(s string) string { // same length, one character changed
		b := []byte(s)
		if b[len(b)-1] == 'a' {
			b[len(b)-1] = 'b'
		} else {
			b[len(b)-1] = 'a'
		}
		return string(b)
	}
	parts := strings.Split(strings.TrimPrefix(u, n.url+"/"), "/")
	// parts: webhookb2, group, IncomingWebhook, connection, creator, V2token
	withPart := func(k int, v string) string {
		p := append([]string(nil), parts...)
		p[k] = v
		return n.url + "/" + strings.Join(p, "/")
	}
	big := `{"text":"` + strings.Repeat("x", 28_700) + `"}`
	cases := []struct {
		name, url, ctype, body string
		status                 int
		text                   string // exact body, or prefix when it ends with "…"
	}{
		{"wrong token", u[:i+3] + flip(token), "application/json", `{"text":"x"}`, 404, "Webhook not found…"},
		{"no V2 segment", u[:i] + "/" + token, "application/json", `{"text":"x"}`, 404, "Webhook not found…"},
		{"unknown connection", withPart(3, "0123456789abcdef0123456789abcdef"), "application/json", `{"text":"x"}`, 404, "Webhook not found…"},
		{"wrong team", withPart(1, "00000000-0000-4000-8000-000000000000@"+strings.Split(parts[1], "@")[1]), "application/json", `{"text":"x"}`, 404, "Webhook not found…"},
		{"wrong creator", withPart(4, "00000000-0000-4000-8000-000000000000"), "application/json", `{"text":"x"}`, 404, "Webhook not found…"},
		{"legacy /webhook/ alias", withPart(0, "webhook"), "application/json", `{"text":"legacy"}`, 200, "1"},
		{"no summary or text", u, "application/json", `{"@type":"MessageCard","title":"t"}`, 400, "Summary or Text is required."},
		{"bare adaptive card", u, "application/json", `{"type":"AdaptiveCard","version":"1.2","body":[]}`, 400, "Summary or Text is required."},
		{"invalid JSON", u, "application/json", `{"text":`, 400, "…"},
		{"plain text", u, "text/plain", "Disk almost full on db1", 200, "1"},
		{"over 28 KB", u, "application/json", big, 413, "Message too large…"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, tc.url, tc.ctype, tc.body)
			ok := r.status == tc.status
			if p, isPrefix := strings.CutSuffix(tc.text, "…"); isPrefix {
				ok = ok && strings.HasPrefix(r.body, p) && r.body != ""
			} else {
				ok = ok && r.body == tc.text
			}
			if !ok {
				t.Fatalf("%d %q, want %d %q", r.status, r.body, tc.status, tc.text)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

// TestOversizeRefusedBeforeReading sends only the headers of a huge post:
// Herald must answer 413 from Content-Length without waiting for the body.
func TestOversizeRefusedBeforeReading(t *testing.T) {
	n := start(t, app.Config{})
	_, c := n.webhook()
	conn, err := net.Dial("tcp", strings.TrimPrefix(n.url, "http://"))
	testenv.Must(t, err, "dial")
	defer conn.Close()
	path := strings.TrimPrefix(c.WebhookURL, n.url)
	io.WriteString(conn, "POST "+path+" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n{\"text\":\"")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	testenv.Must(t, err, "read response")
	if resp.StatusCode != 413 {
		t.Fatalf("status %d, want 413", resp.StatusCode)
	}
}

func TestRateLimit(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	for _, mode := range []string{httpapi.ErrorModeStrict, httpapi.ErrorModeTeamsCompat} {
		t.Run(mode, func(t *testing.T) {
			n := start(t, app.Config{RateLimit: ratelimit.Teams, Now: clock, ErrorMode: mode})
			ch, c := n.webhook()
			for i := range 4 {
				if r := post(t, c.WebhookURL, "application/json", `{"text":"n`+strconv.Itoa(i)+`"}`); r.status != 200 || r.body != "1" {
					t.Fatalf("post %d: %d %q", i, r.status, r.body)
				}
			}
			r := post(t, c.WebhookURL, "application/json", `{"text":"fifth"}`)
			if mode == httpapi.ErrorModeStrict {
				if r.status != 429 || r.header.Get("Retry-After") != "1" {
					t.Fatalf("5th post in a second: %d Retry-After %q %q", r.status, r.header.Get("Retry-After"), r.body)
				}
			} else if r.status != 200 || !strings.HasPrefix(r.body, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429 with ContextId ") {
				t.Fatalf("teams-compat 5th post: %d %q", r.status, r.body)
			}
			var got struct {
				MessageCount int64 `json:"message_count"`
			}
			n.api("GET", "/api/v1/channels/"+ch, nil, 200, &got)
			if got.MessageCount != 4 {
				t.Fatalf("message_count = %d, want 4 (the throttled post is not stored)", got.MessageCount)
			}
		})
	}
	// The next second opens a new window.
	n := start(t, app.Config{RateLimit: ratelimit.Teams, Now: clock})
	_, c := n.webhook()
	for range 4 {
		post(t, c.WebhookURL, "application/json", `{"text":"x"}`)
	}
	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if r := post(t, c.WebhookURL, "application/json", `{"text":"next second"}`); r.status != 200 {
		t.Fatalf("post in the next second: %d %q", r.status, r.body)
	}
}

func TestRateLimitOff(t *testing.T) {
	n := start(t, app.Config{}) // RateLimit nil: off
	_, c := n.webhook()
	for i := range 20 {
		if r := post(t, c.WebhookURL, "application/json", `{"text":"x"}`); r.status != 200 {
			t.Fatalf("post %d with rate limiting off: %d", i, r.status)
		}
	}
}

func TestTeamsCompatTooLarge(t *testing.T) {
	n := start(t, app.Config{ErrorMode: httpapi.ErrorModeTeamsCompat})
	_, c := n.webhook()
	r := post(t, c.WebhookURL, "application/json", `{"text":"`+strings.Repeat("y", 30_000)+`"}`)
	if r.status != 200 || !strings.HasPrefix(r.body, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 with ContextId ") {
		t.Fatalf("teams-compat oversize: %d %q", r.status, r.body)
	}
	// Payload errors keep their real status even in teams-compat mode.
	if r := post(t, c.WebhookURL, "application/json", `{"title":"no text"}`); r.status != 400 || r.body != "Summary or Text is required." {
		t.Fatalf("teams-compat bad card: %d %q", r.status, r.body)
	}
}

func TestSlackURL(t *testing.T) {
	n := start(t, app.Config{})
	ch, c := n.webhook()
	cases := []struct {
		name, ctype, body string
		status            int
		text              string
	}{
		{"json text", "application/json", `{"text":"hello from slack"}`, 200, "ok"},
		{"form payload", "application/x-www-form-urlencoded", "payload=" + urlQueryEscape(`{"text":"form hello"}`), 200, "ok"},
		{"blocks", "application/json", `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*Deploy* done"}}]}`, 200, "ok"},
		{"not JSON", "application/json", `{"text":`, 400, "invalid_payload"},
		{"nothing to show", "application/json", `{"username":"bot"}`, 400, "no_text"},
	}
	for _, tc := range cases {
		if r := post(t, c.SlackURL, tc.ctype, tc.body); r.status != tc.status || r.body != tc.text {
			t.Errorf("%s: %d %q, want %d %q", tc.name, r.status, r.body, tc.status, tc.text)
		}
	}
	bad := c.SlackURL[:len(c.SlackURL)-1] + "0"
	if bad == c.SlackURL {
		bad = c.SlackURL[:len(c.SlackURL)-1] + "1"
	}
	if r := post(t, bad, "application/json", `{"text":"x"}`); r.status != 404 || r.body != "no_service" {
		t.Errorf("wrong slack token: %d %q", r.status, r.body)
	}
	var msgs struct{ Messages []message }
	n.api("GET", "/api/v1/channels/"+ch+"/messages", nil, 200, &msgs)
	if len(msgs.Messages) != 3 || !bytes.Contains(msgs.Messages[1].Card, []byte("form hello")) {
		t.Fatalf("slack messages stored = %d", len(msgs.Messages))
	}
}

func urlQueryEscape(s string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(strconv.FormatInt(int64(c)|0x100, 16)[1:]))
		}
	}
	return b.String()
}

func TestAPIAuth(t *testing.T) {
	n := start(t, app.Config{})
	for _, auth := range []string{"", "Bearer", "Bearer wrong-token", "Basic " + adminToken} {
		req, _ := http.NewRequest("GET", n.url+"/api/v1/teams", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		testenv.Must(t, err, "get")
		var e struct {
			Error struct{ Code, Message string }
		}
		json.NewDecoder(resp.Body).Decode(&e)
		resp.Body.Close()
		if resp.StatusCode != 401 || e.Error.Code != "unauthorized" || e.Error.Message == "" {
			t.Errorf("Authorization %q: %d %+v", auth, resp.StatusCode, e)
		}
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	n.api("POST", "/api/v1/teams", map[string]string{"name": ""}, 400, &e)
	if e.Error.Code != "invalid" {
		t.Fatalf("empty team name: %+v", e)
	}
	n.api("POST", "/api/v1/teams", map[string]any{"name": "x", "bogus": 1}, 400, nil)
	n.api("GET", "/api/v1/channels/00000000-0000-4000-8000-000000000000", nil, 404, nil)
	n.api("GET", "/api/v1/nope", nil, 404, &e)
	if e.Error.Code != "not_found" {
		t.Fatalf("unknown endpoint: %+v", e)
	}
	ch, _ := n.webhook()
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]string{"connector": "nope", "name": "x"}, 400, nil)
}

func TestBootstrapTokenFile(t *testing.T) {
	dir := t.TempDir()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	ln.Close()
	a, err := app.Open(context.Background(), app.Config{Addr: ln.Addr().String(), DataDir: dir})
	testenv.Must(t, err, "open")
	a.Close()
	fi, err := os.Stat(filepath.Join(dir, "admin.token"))
	testenv.Must(t, err, "admin.token")
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin.token mode %v, want 0600", fi.Mode().Perm())
	}
	tok, _ := os.ReadFile(filepath.Join(dir, "admin.token"))
	// A restart keeps the organization and the token.
	n := start(t, app.Config{DataDir: dir, BootstrapToken: "ignored-on-restart"})
	req, _ := http.NewRequest("GET", n.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	resp, err := http.DefaultClient.Do(req)
	testenv.Must(t, err, "me")
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("admin.token does not authenticate: %d", resp.StatusCode)
	}
}

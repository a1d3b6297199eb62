package app_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testenv"
)

// clock is a settable time source shared by a node and its test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

type connState struct {
	WebhookURL        string   `json:"webhook_url"`
	SlackURL          string   `json:"slack_url"`
	AttentionRequired bool     `json:"attention_required"`
	AttentionReasons  []string `json:"attention_reasons"`
	URLIssuedAt       time.Time
	OldURL            *struct {
		ExpiresAt  time.Time  `json:"expires_at"`
		Calls      int64      `json:"calls"`
		LastUsedAt *time.Time `json:"last_used_at"`
		Callers    []struct {
			Address   string    `json:"address"`
			UserAgent string    `json:"user_agent"`
			LastSeen  time.Time `json:"last_seen"`
		} `json:"callers"`
	} `json:"old_url"`
}

func postAs(t *testing.T, url, ua, body string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", ua)
	resp, err := http.DefaultClient.Do(req)
	testenv.Must(t, err, "post")
	defer resp.Body.Close()
	b := make([]byte, 4096)
	n, _ := resp.Body.Read(b)
	return reply{resp.StatusCode, string(b[:n]), resp.Header}
}

func TestUpdateURLWithGrace(t *testing.T) {
	clk := newClock()
	n := start(t, app.Config{Now: clk.Now})
	_, c := n.webhook()
	oldURL, oldSlack := c.WebhookURL, c.SlackURL

	var rotated connState
	n.api("POST", "/api/v1/connections/"+c.ID+"/url", map[string]string{"grace": "24h"}, 200, &rotated)
	if rotated.WebhookURL == oldURL || rotated.SlackURL == oldSlack || rotated.WebhookURL == "" {
		t.Fatalf("Update URL did not issue new URLs: %+v", rotated)
	}
	if rotated.OldURL == nil || !rotated.OldURL.ExpiresAt.Equal(clk.Now().Add(24*time.Hour)) || rotated.OldURL.Calls != 0 {
		t.Fatalf("old_url after rotation = %+v", rotated.OldURL)
	}

	// Both URLs deliver during the grace period; the old one says it is going.
	if r := postAs(t, rotated.WebhookURL, "new-sender/1.0", `{"text":"new"}`); r.body != "1" || r.header.Get("Deprecation") != "" {
		t.Fatalf("new URL: %d %q, Deprecation %q", r.status, r.body, r.header.Get("Deprecation"))
	}
	r := postAs(t, oldURL, "alertmanager/0.27", `{"text":"old 1"}`)
	wantSunset := clk.Now().Add(24 * time.Hour).Format(http.TimeFormat)
	if r.body != "1" || r.header.Get("Sunset") != wantSunset || !strings.HasPrefix(r.header.Get("Deprecation"), "@") {
		t.Fatalf("old URL in grace: %d %q, Sunset %q (want %q), Deprecation %q", r.status, r.body, r.header.Get("Sunset"), wantSunset, r.header.Get("Deprecation"))
	}
	clk.Add(time.Hour)
	postAs(t, oldURL, "jenkins/2.4", `{"text":"old 2"}`)
	clk.Add(time.Minute)
	if r := postAs(t, oldSlack, "slack-client", `{"text":"old slack"}`); r.body != "ok" || r.header.Get("Sunset") == "" {
		t.Fatalf("old Slack URL in grace: %d %q", r.status, r.body)
	}

	var got connState
	var raw map[string]any
	n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &got)
	n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &raw)
	if got.WebhookURL != rotated.WebhookURL || got.OldURL == nil || got.OldURL.Calls != 3 || len(got.OldURL.Callers) != 3 {
		t.Fatalf("connection after calls to the old URL = %+v", got)
	}
	if c0 := got.OldURL.Callers[0]; c0.UserAgent != "slack-client" || c0.Address != "127.0.0.1" || !c0.LastSeen.Equal(clk.Now()) {
		t.Fatalf("latest caller = %+v", c0)
	}
	if !got.AttentionRequired || len(got.AttentionReasons) != 1 || !strings.HasPrefix(got.AttentionReasons[0], "old URL still in use") {
		t.Fatalf("attention = %v %q", got.AttentionRequired, got.AttentionReasons)
	}
	if s := fmtJSON(raw); strings.Contains(s, oldURL[strings.LastIndex(oldURL, "/V2")+3:]) {
		t.Fatal("the old URL's token appears in the connection's JSON")
	}
	var attn struct{ Connections []struct{ ID string } }
	n.api("GET", "/api/v1/connections?attention=true", nil, 200, &attn)
	if len(attn.Connections) != 1 || attn.Connections[0].ID != c.ID {
		t.Fatalf("attention list = %+v", attn)
	}

	// After the grace period the old URL is gone, with a hint.
	clk.Add(23*time.Hour - time.Minute)
	r = postAs(t, oldURL, "alertmanager/0.27", `{"text":"too late"}`)
	if r.status != 410 || !strings.Contains(r.body, "updated URL") {
		t.Fatalf("old URL after grace: %d %q", r.status, r.body)
	}
	if r := postAs(t, rotated.WebhookURL, "new-sender/1.0", `{"text":"new 2"}`); r.body != "1" {
		t.Fatalf("new URL after grace: %d %q", r.status, r.body)
	}
	n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &got)
	if got.AttentionRequired {
		t.Fatalf("attention after the grace ended: %q", got.AttentionReasons)
	}

	// Grace 0 ends the old URL at once.
	prev := rotated.WebhookURL
	n.api("POST", "/api/v1/connections/"+c.ID+"/url", map[string]string{"grace": "0s"}, 200, &rotated)
	if r := postAs(t, prev, "x", `{"text":"x"}`); r.status != 410 {
		t.Fatalf("old URL with grace 0: %d %q", r.status, r.body)
	}
	if r := postAs(t, oldURL, "x", `{"text":"x"}`); r.status != 404 {
		t.Fatalf("URL from two rotations ago: %d, want 404", r.status)
	}
	n.api("POST", "/api/v1/connections/"+c.ID+"/url", map[string]string{"grace": "2400h"}, 400, nil)
	n.api("POST", "/api/v1/connections/"+c.ID+"/url", map[string]string{"grace": "soon"}, 400, nil)

	var audit struct{ Entries []struct{ Action string } }
	n.api("GET", "/api/v1/audit?action=connection.rotate_url", nil, 200, &audit)
	if len(audit.Entries) != 2 {
		t.Fatalf("rotations audited = %d, want 2", len(audit.Entries))
	}
}

func TestRotationCampaign(t *testing.T) {
	clk := newClock()
	n := start(t, app.Config{Now: clk.Now})
	_, old1 := n.webhook()
	_, old2 := n.webhook()
	clk.Add(time.Hour)
	issuedBefore := clk.Now()
	clk.Add(time.Hour)
	_, fresh := n.webhook()
	var updated connState
	n.api("POST", "/api/v1/connections/"+old2.ID+"/url", map[string]string{"grace": "0s"}, 200, &updated)

	deadline := clk.Now().Add(7 * 24 * time.Hour)
	var campaign struct {
		URLRotation struct{ IssuedBefore, Deadline time.Time } `json:"url_rotation"`
		Pending     int
		Teams       []struct {
			TeamID      string `json:"team_id"`
			Connections []struct{ ID string }
		}
	}
	n.api("POST", "/api/v1/org/url-rotation", map[string]any{"issued_before": issuedBefore, "deadline": deadline}, 200, &campaign)
	if campaign.Pending != 1 || len(campaign.Teams) != 1 || len(campaign.Teams[0].Connections) != 1 || campaign.Teams[0].Connections[0].ID != old1.ID {
		t.Fatalf("campaign = %+v; want exactly the one old, not updated connection", campaign)
	}
	var attn struct {
		Connections []struct {
			ID               string
			AttentionReasons []string `json:"attention_reasons"`
		}
	}
	n.api("GET", "/api/v1/connections?attention=true", nil, 200, &attn)
	if len(attn.Connections) != 1 || attn.Connections[0].ID != old1.ID || !strings.HasPrefix(attn.Connections[0].AttentionReasons[0], "URL update required by "+deadline.Format(time.RFC3339)) {
		t.Fatalf("attention = %+v", attn)
	}
	// Before the deadline every URL still works.
	if r := post(t, old1.WebhookURL, "application/json", `{"text":"x"}`); r.body != "1" {
		t.Fatalf("old URL before the deadline: %d", r.status)
	}
	clk.Add(7*24*time.Hour + time.Second)
	if r := post(t, old1.WebhookURL, "application/json", `{"text":"x"}`); r.status != 410 || !strings.Contains(r.body, "deadline") {
		t.Fatalf("not updated, after the deadline: %d %q", r.status, r.body)
	}
	for name, u := range map[string]string{"updated": updated.WebhookURL, "issued after": fresh.WebhookURL} {
		if r := post(t, u, "application/json", `{"text":"x"}`); r.body != "1" {
			t.Fatalf("%s URL after the deadline: %d %q", name, r.status, r.body)
		}
	}
	// Updating it now brings it back.
	var back connState
	n.api("POST", "/api/v1/connections/"+old1.ID+"/url", nil, 200, &back)
	if r := post(t, back.WebhookURL, "application/json", `{"text":"x"}`); r.body != "1" {
		t.Fatalf("updated after the deadline: %d %q", r.status, r.body)
	}
	n.api("GET", "/api/v1/org/url-rotation", nil, 200, &campaign)
	if campaign.Pending != 0 {
		t.Fatalf("pending after updating all = %d", campaign.Pending)
	}
	n.api("DELETE", "/api/v1/org/url-rotation", nil, 204, nil)
	n.api("POST", "/api/v1/org/url-rotation", map[string]any{"deadline": clk.Now().Add(-time.Hour)}, 400, nil)
}

func TestURLMaxAge(t *testing.T) {
	clk := newClock()
	n := start(t, app.Config{Now: clk.Now})
	_, c := n.webhook()
	var org map[string]any
	n.api("PATCH", "/api/v1/org", map[string]string{"url_max_age": "720h"}, 200, &org)
	if org["url_max_age"] != "720h0m0s" {
		t.Fatalf("org = %v", org)
	}
	var got connState
	n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &got)
	if got.AttentionRequired {
		t.Fatalf("young URL needs attention: %q", got.AttentionReasons)
	}
	clk.Add(721 * time.Hour)
	n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &got)
	if !got.AttentionRequired || !strings.HasPrefix(got.AttentionReasons[0], "URL older than") {
		t.Fatalf("old URL: %v %q", got.AttentionRequired, got.AttentionReasons)
	}
	if r := post(t, c.WebhookURL, "application/json", `{"text":"x"}`); r.body != "1" {
		t.Fatalf("an old URL still delivers (the limit only warns): %d", r.status)
	}
}

// TestRotationOnTwoNodes: a rotation on one node is honoured by the other
// within a second.
func TestRotationOnTwoNodes(t *testing.T) {
	dsn := testenv.Postgres(t)
	key := "c2VjcmV0LWtleS1zaGFyZWQtYnktYm90aC1ub2RlcyE="
	a := start(t, app.Config{DB: dsn, SecretKey: key})
	b := start(t, app.Config{DB: dsn, SecretKey: key})
	_, c := a.webhook()
	onB := func(u string) string { return b.url + u[len(a.url):] }
	if r := post(t, onB(c.WebhookURL), "application/json", `{"text":"cached"}`); r.body != "1" {
		t.Fatalf("before: %d", r.status)
	}
	var rotated connState
	a.api("POST", "/api/v1/connections/"+c.ID+"/url", map[string]string{"grace": "0s"}, 200, &rotated)
	d := waitFor(t, time.Second, "node B refuses the replaced URL", func() bool {
		return post(t, onB(c.WebhookURL), "application/json", `{"text":"x"}`).status == 410
	})
	if r := post(t, onB(rotated.WebhookURL), "application/json", `{"text":"new"}`); r.body != "1" {
		t.Fatalf("new URL on node B: %d %q", r.status, r.body)
	}
	t.Logf("node B honoured the rotation after %v", d.Round(time.Millisecond))
}

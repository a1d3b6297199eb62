package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"github.com/heraldhq/herald/internal/testenv"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// postGitHub posts body to a GitHub connection's URL as GitHub does: the
// event in X-GitHub-Event, signed with secret in X-Hub-Signature-256.
func postGitHub(t *testing.T, webhookURL, event, secret string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, webhookURL, strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", event)
	req.Header.Set("X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958")
	req.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.Corpus(t), "zulip-fixtures", "github", "fixtures", name))
	if err != nil {
		t.Fatalf("GitHub fixture: %v", err)
	}
	return b
}

// cliDelivery is a delivery as `connection deliveries --json` prints it.
type cliDelivery struct {
	Event    string `json:"event"`
	Outcome  string `json:"outcome"`
	Reason   string `json:"reason"`
	Messages int    `json:"messages"`
}

func deliveries(t *testing.T, base, id string) []cliDelivery {
	t.Helper()
	var doc struct{ Deliveries []cliDelivery }
	decodeJSON(t, mustHerald(t, base, "connection", "deliveries", id, "--json"), &doc)
	return doc.Deliveries
}

func TestConnectorRetireRestore(t *testing.T) {
	base := startServer(t)
	_, chID := channelFixture(t, base)

	out := mustHerald(t, base, "connector", "list")
	wantMatch(t, "connector list", out, `(?m)^ID\s+NAME\s+KIND\s+RETIRED\s+EVENTS\s+DESCRIPTION`,
		`(?m)^github\s+GitHub\s+push\s+no\s+\S*push`, `(?m)^trello\s+Trello\s+\S+\s+yes\s`)

	out = mustHerald(t, base, "connector", "retire", "incoming-webhook")
	wantMatch(t, "connector retire", out, `Retired the Incoming Webhook connector`, `(?m)^Retired:\s+yes$`)
	wantMatch(t, "connector list after retire", mustHerald(t, base, "connector", "list"), `(?m)^incoming-webhook\s+.*\s+yes\s`)

	_, errOut, code := herald(t, base, "connection", "add", "--channel", chID, "--name", "CI")
	wantFailure(t, "connection add of a retired connector", errOut, code, "retired", "connector_retired", "herald connector restore ID")

	out = mustHerald(t, base, "connector", "restore", "incoming-webhook")
	wantMatch(t, "connector restore", out, `Restored the Incoming Webhook connector`, `(?m)^Retired:\s+no$`)
	if c := addConnection(t, base, chID, "CI"); c.WebhookURL == "" {
		t.Errorf("connection add after restore: no webhook URL")
	}

	_, errOut, code = herald(t, base, "connector", "restore", "trello")
	wantFailure(t, "connector restore trello", errOut, code, "cannot be restored", "no translator", "(conflict)")

	_, errOut, code = herald(t, base, "connector", "retire", "no-such")
	wantFailure(t, "connector retire no-such", errOut, code, "no connector", "not_found")

	var cn struct {
		ID      string   `json:"id"`
		Retired bool     `json:"retired"`
		Events  []string `json:"events"`
		IconURL string   `json:"icon_url"`
	}
	decodeJSON(t, mustHerald(t, base, "connector", "retire", "github", "--json"), &cn)
	if cn.ID != "github" || !cn.Retired || len(cn.Events) == 0 || cn.IconURL == "" {
		t.Errorf("connector retire --json: %+v", cn)
	}
}

func TestGitHubConnection(t *testing.T) {
	ping, push := readFixture(t, "ping.json"), readFixture(t, "push__1_commit.json")
	base := startServer(t)
	_, chID := channelFixture(t, base)
	const secret = "s3cret webhook value"

	out, errOut, code := heraldAs(t, base, adminToken, strings.NewReader(secret+"\n"),
		"connection", "add", "--channel", chID, "--name", "api repo", "--connector", "github", "--events", "push", "--secret-stdin")
	if code != 0 {
		t.Fatalf("connection add github: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, secret) {
		t.Errorf("connection add printed the secret:\n%s", out)
	}
	wantMatch(t, "connection add github", out, `(?m)^Events:\s+push$`, `(?m)^Branches:\s+all$`, `(?m)^Secret:\s+set \(not shown\)$`)
	webhook := teamsURL.FindString(out)
	m := idLine.FindStringSubmatch(out)
	if webhook == "" || m == nil {
		t.Fatalf("connection add github printed no URL or id:\n%s", out)
	}
	id := m[1]

	if got := postGitHub(t, webhook, "push", "wrong secret", push); got != http.StatusUnauthorized {
		t.Errorf("push with a wrong signature: HTTP %d, want 401", got)
	}
	if got := postGitHub(t, webhook, "ping", secret, ping); got != http.StatusOK {
		t.Errorf("signed ping: HTTP %d, want 200", got)
	}
	if got := postGitHub(t, webhook, "push", secret, push); got != http.StatusOK {
		t.Errorf("signed push: HTTP %d, want 200", got)
	}

	out = mustHerald(t, base, "connection", "deliveries", id)
	wantMatch(t, "connection deliveries", out, `(?m)^TIME\s+EVENT\s+OUTCOME\s+MESSAGES\s+SIZE\s+REASON`,
		`(?m)\spush\s+posted\s+1\s`, `(?m)\sping\s+ignored\s+0\s`)
	if ds := deliveries(t, base, id); len(ds) < 2 || ds[0].Outcome != "posted" {
		t.Errorf("deliveries --json: %+v", ds)
	}

	out = mustHerald(t, base, "connection", "set", id, "--branches", "nomatch")
	wantMatch(t, "connection set", out, `(?m)^Events:\s+push$`, `(?m)^Branches:\s+nomatch$`, `(?m)^Secret:\s+set`)
	if got := postGitHub(t, webhook, "push", secret, push); got != http.StatusOK {
		t.Errorf("signed push after --branches nomatch: HTTP %d, want 200", got)
	}
	ds := deliveries(t, base, id)
	if len(ds) == 0 || ds[0].Outcome != "filtered" || ds[0].Messages != 0 {
		t.Errorf("push on another branch: deliveries %+v, want the newest filtered", ds)
	}
	wantMatch(t, "connection deliveries --limit 1", mustHerald(t, base, "connection", "deliveries", id, "--limit", "1"), `\spush\s+filtered\s+0\s`)

	// The secret can be cleared, and is never a flag value.
	out = mustHerald(t, base, "connection", "set", id, "--clear-secret")
	wantMatch(t, "connection set --clear-secret", out, `(?m)^Secret:\s+not set`, `(?m)^Branches:\s+nomatch$`)
	_, errOut, code = herald(t, base, "connection", "set", id, "--secret-stdin", "--clear-secret")
	wantFailure(t, "--secret-stdin with --clear-secret", errOut, code, "not both")
	_, errOut, code = herald(t, base, "connection", "set", id)
	wantFailure(t, "connection set without changes", errOut, code, "nothing to change")
	_, errOut, code = heraldAs(t, base, adminToken, strings.NewReader(""), "connection", "set", id, "--secret-stdin")
	wantFailure(t, "empty --secret-stdin", errOut, code, "standard input is empty")
	_, errOut, code = herald(t, base, "connection", "set", id, "--events", "no_such_event")
	wantFailure(t, "unknown event", errOut, code, "does not send the event", "(invalid)")
}

func TestGenericPreviewAndTemplate(t *testing.T) {
	base := startServer(t)
	_, chID := channelFixture(t, base)
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "template.json")
	sample := filepath.Join(dir, "sample.json")
	os.WriteFile(tmpl, []byte(`{"title":"{{.check}} is {{.state}}","text":"{{.output}}","link":"{{.url}}","facts":[{"name":"Host","value":"{{.host}}"}]}`), 0o600)
	os.WriteFile(sample, []byte(`{"check":"disk","state":"critical","output":"95% full \u001b[31m","url":"https://mon.example/disk","host":"db-1"}`), 0o600)

	out := mustHerald(t, base, "connector", "preview", "--template", tmpl, "--sample", sample)
	wantMatch(t, "connector preview", out, `(?m)^Summary: disk is critical$`, `(?m)^Card:$`, `"db-1"`, `https://mon.example/disk`)
	if strings.ContainsRune(out, 0x1b) {
		t.Errorf("connector preview printed an escape character:\n%q", out)
	}
	var p struct {
		Summary string `json:"summary"`
		Card    map[string]any
	}
	decodeJSON(t, mustHerald(t, base, "connector", "preview", "--template", tmpl, "--sample", sample, "--json"), &p)
	if p.Summary != "disk is critical" || p.Card["type"] != "AdaptiveCard" {
		t.Errorf("connector preview --json: %+v", p)
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`{"title":"{{.check"}`), 0o600)
	_, errOut, code := herald(t, base, "connector", "preview", "--template", bad, "--sample", sample)
	wantFailure(t, "preview of a broken template", errOut, code, "template is not valid", "(invalid)")
	os.WriteFile(bad, []byte(`{"titel":"x"}`), 0o600)
	_, errOut, code = herald(t, base, "connector", "preview", "--template", bad, "--sample", sample)
	wantFailure(t, "preview of a misspelt template", errOut, code, "is not a template", "titel")
	os.WriteFile(bad, []byte(`{not json`), 0o600)
	_, errOut, code = herald(t, base, "connector", "preview", "--template", tmpl, "--sample", bad)
	wantFailure(t, "preview of a sample that is not JSON", errOut, code, "is not JSON")

	// A Generic JSON connection with the template posts what the preview
	// showed.
	out = mustHerald(t, base, "connection", "add", "--channel", chID, "--name", "monitoring", "--connector", "generic", "--template", tmpl)
	wantMatch(t, "connection add generic", out, `(?m)^Template:\s+title \{\{\.check\}\} is \{\{\.state\}\}$`, `(?m)^Secret:\s+not set`)
	webhook := teamsURL.FindString(out)
	if webhook == "" {
		t.Fatalf("connection add generic printed no URL:\n%s", out)
	}
	body, _ := os.ReadFile(sample)
	resp, err := http.Post(webhook, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("post to the generic connection: HTTP %d", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for out = mustHerald(t, base, "message", "list", "--channel", chID); !strings.Contains(out, "disk is critical"); out = mustHerald(t, base, "message", "list", "--channel", chID) {
		if time.Now().After(deadline) {
			t.Fatalf("message list lacks the generic connection's post:\n%s", out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

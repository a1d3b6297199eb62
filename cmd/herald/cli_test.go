package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testserver"
)

const adminToken = "test-admin-token"

// startServer runs a real Herald node on a random port until the test ends
// and returns its base URL.
func startServer(t *testing.T) string {
	t.Helper()
	return testserver.Start(t, app.Config{BootstrapToken: adminToken}).URL
}

// herald runs the CLI in-process against base with the admin token.
func herald(t *testing.T, base string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	code = run(ctx, append([]string{"--url", base, "--token", adminToken}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// mustHerald is herald for a command that must succeed.
func mustHerald(t *testing.T, base string, args ...string) string {
	t.Helper()
	out, errOut, code := herald(t, base, args...)
	if code != 0 {
		t.Fatalf("herald %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// decodeJSON decodes the output of a --json command.
func decodeJSON(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
}

func post(t *testing.T, webhookURL, text string) (int, string) {
	t.Helper()
	resp, err := http.Post(webhookURL, "application/json", strings.NewReader(`{"text":"`+text+`"}`))
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// syncBuffer is a bytes.Buffer that a running command writes to while the
// test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor polls b until it contains s, failing the test at the deadline.
func waitFor(t *testing.T, b *syncBuffer, s string, done <-chan int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.String(), s) {
		select {
		case code := <-done:
			t.Fatalf("command ended (exit %d) before printing %q:\n%s", code, s, b.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in the output within 10s:\n%s", s, b.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var (
	teamsURL = regexp.MustCompile(`https?://\S+/webhookb2/\S+`)
	slackURL = regexp.MustCompile(`https?://\S+/services/\S+`)
	idLine   = regexp.MustCompile(`(?m)^ID:\s+([0-9a-f]{32})$`)
)

// TestWorkflow goes through the commands as a person would.
func TestWorkflow(t *testing.T) {
	base := startServer(t)

	out := mustHerald(t, base, "team", "create", "Platform Ops")
	if !strings.Contains(out, "Platform Ops") || !strings.HasPrefix(out, "ID") {
		t.Errorf("team create printed:\n%s", out)
	}
	out = mustHerald(t, base, "team", "list")
	if !regexp.MustCompile(`(?m)^ID\s+NAME\s+CREATED$`).MatchString(out) || !strings.Contains(out, "Platform Ops") {
		t.Errorf("team list printed:\n%s", out)
	}
	var teams struct {
		Teams []struct{ ID, Name string }
	}
	decodeJSON(t, mustHerald(t, base, "team", "list", "--json"), &teams)
	if len(teams.Teams) != 1 || teams.Teams[0].Name != "Platform Ops" {
		t.Fatalf("team list --json: %+v", teams)
	}
	teamID := teams.Teams[0].ID

	var ch struct {
		ID     string `json:"id"`
		TeamID string `json:"team_id"`
		Name   string `json:"name"`
	}
	decodeJSON(t, mustHerald(t, base, "channel", "create", "--team", teamID, "deploys", "--json"), &ch)
	if ch.ID == "" || ch.TeamID != teamID || ch.Name != "deploys" {
		t.Fatalf("channel create --json: %+v", ch)
	}
	if out := mustHerald(t, base, "channel", "list", "--team", teamID); !strings.Contains(out, "deploys") || !strings.Contains(out, ch.ID) {
		t.Errorf("channel list printed:\n%s", out)
	}
	if out := mustHerald(t, base, "connector", "list"); !strings.Contains(out, "incoming-webhook") {
		t.Errorf("connector list printed:\n%s", out)
	}

	out = mustHerald(t, base, "connection", "add", "--channel", ch.ID, "--name", "CI")
	webhook := teamsURL.FindString(out)
	if webhook == "" || !strings.HasPrefix(webhook, base) || slackURL.FindString(out) == "" {
		t.Fatalf("connection add printed no webhook and Slack URLs:\n%s", out)
	}
	m := idLine.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("connection add printed no ID line:\n%s", out)
	}
	connID := m[1]
	if status, body := post(t, webhook, "hello"); status != 200 || body != "1" {
		t.Fatalf("POST to the printed URL: %d %q, want 200 \"1\"", status, body)
	}

	if out := mustHerald(t, base, "message", "list", "--channel", ch.ID); !strings.Contains(out, "hello") || !strings.Contains(out, "SUMMARY") {
		t.Errorf("message list printed:\n%s", out)
	}
	var msgs struct {
		Messages []struct {
			ID      int64
			Summary string
			Card    json.RawMessage
		}
	}
	decodeJSON(t, mustHerald(t, base, "message", "list", "--channel", ch.ID, "--json"), &msgs)
	if len(msgs.Messages) != 1 || !strings.Contains(msgs.Messages[0].Summary, "hello") || len(msgs.Messages[0].Card) == 0 {
		t.Errorf("message list --json: %+v", msgs)
	}

	if out := mustHerald(t, base, "connection", "list", "--channel", ch.ID); !strings.Contains(out, connID) || !strings.Contains(out, "CI") {
		t.Errorf("connection list printed:\n%s", out)
	}
	if out := mustHerald(t, base, "connection", "show", connID); !strings.Contains(out, webhook) || !strings.Contains(out, "Delivered:  1 messages") {
		t.Errorf("connection show printed:\n%s", out)
	}

	if out := mustHerald(t, base, "connection", "remove", connID); !strings.Contains(out, "Removed connection "+connID) {
		t.Errorf("connection remove printed:\n%s", out)
	}
	if status, _ := post(t, webhook, "late"); status != http.StatusGone {
		t.Errorf("POST after remove: %d, want 410", status)
	}
	_, errOut, code := herald(t, base, "connection", "show", connID)
	if code != 1 || !strings.HasPrefix(errOut, "herald: ") || !strings.Contains(errOut, "not_found") {
		t.Errorf("connection show after remove: exit %d, stderr %q", code, errOut)
	}
}

// TestFollow starts `message list --follow` and posts after it has printed
// the existing messages.
func TestFollow(t *testing.T) {
	base := startServer(t)
	var ch struct{ ID string }
	var team struct{ ID string }
	decodeJSON(t, mustHerald(t, base, "team", "create", "T", "--json"), &team)
	decodeJSON(t, mustHerald(t, base, "channel", "create", "--team", team.ID, "C", "--json"), &ch)
	var conn struct {
		WebhookURL string `json:"webhook_url"`
	}
	decodeJSON(t, mustHerald(t, base, "connection", "add", "--channel", ch.ID, "--name", "CI", "--json"), &conn)
	post(t, conn.WebhookURL, "earlier")

	for i, asJSON := range []bool{false, true} {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		args := []string{"--url", base, "--token", adminToken, "message", "list", "--channel", ch.ID, "--follow"}
		if asJSON {
			args = append(args, "--json")
		}
		var out, errOut syncBuffer
		done := make(chan int, 1)
		go func() { done <- run(ctx, args, &out, &errOut) }()

		waitFor(t, &out, "earlier", done)
		text := "later-" + map[bool]string{false: "text", true: "json"}[asJSON]
		if status, body := post(t, conn.WebhookURL, text); status != 200 || body != "1" {
			t.Fatalf("POST: %d %q", status, body)
		}
		waitFor(t, &out, text, done)
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("--follow ended with exit %d after Ctrl-C; stderr:\n%s", code, errOut.String())
		}

		// earlier, the messages posted by the earlier rounds, then this one.
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) != 2+i {
			t.Fatalf("--follow printed %d lines, want %d:\n%s", len(lines), 2+i, out.String())
		}
		if asJSON {
			for _, l := range lines {
				var m struct{ ID int64 }
				if err := json.Unmarshal([]byte(l), &m); err != nil || m.ID == 0 {
					t.Errorf("--follow --json line %q: %v", l, err)
				}
			}
		} else if !regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  ` + text + `$`).MatchString(lines[len(lines)-1]) {
			t.Errorf("--follow line %q, want \"TIME  SUMMARY\"", lines[len(lines)-1])
		}
	}
}

// TestUntrustedText checks that a summary cannot put escape sequences on
// the terminal: webhook senders choose it.
func TestUntrustedText(t *testing.T) {
	base := startServer(t)
	var team, ch struct{ ID string }
	decodeJSON(t, mustHerald(t, base, "team", "create", "T", "--json"), &team)
	decodeJSON(t, mustHerald(t, base, "channel", "create", "--team", team.ID, "C", "--json"), &ch)
	var conn struct {
		WebhookURL string `json:"webhook_url"`
	}
	decodeJSON(t, mustHerald(t, base, "connection", "add", "--channel", ch.ID, "--name", "CI", "--json"), &conn)
	if status, body := post(t, conn.WebhookURL, `\u001b[2J\u001b]0;owned\u0007red\u202eevil`); status != 200 || body != "1" {
		t.Fatalf("POST: %d %q", status, body)
	}
	out := mustHerald(t, base, "message", "list", "--channel", ch.ID)
	if strings.ContainsAny(out, "\x1b\x07\u202e") || !strings.Contains(out, "red") {
		t.Errorf("message list printed control characters: %q", out)
	}
}

func TestErrors(t *testing.T) {
	base := startServer(t)
	tests := map[string]struct {
		args []string
		want []string // in stderr
	}{
		"bad token":      {[]string{"--url", base, "--token", "wrong", "team", "list"}, []string{"herald: ", "(unauthorized)", "hint: ", "--token"}},
		"unknown team":   {[]string{"--url", base, "--token", adminToken, "channel", "list", "--team", "nope"}, []string{"herald: Team not found. (not_found)"}},
		"no server":      {[]string{"--url", "http://127.0.0.1:1", "--token", adminToken, "team", "list"}, []string{"herald: ", "hint: is a Herald server running at http://127.0.0.1:1?"}},
		"missing arg":    {[]string{"--url", base, "--token", adminToken, "team", "create"}, []string{"herald: ", "Run 'herald team create --help'"}},
		"missing flag":   {[]string{"--url", base, "--token", adminToken, "channel", "list"}, []string{"herald: ", "--team"}},
		"unknown cmd":    {[]string{"team", "delete", "x"}, []string{"herald: ", "Run 'herald team --help'"}},
		"bad limit":      {[]string{"--url", base, "--token", adminToken, "message", "list", "--channel", "x", "--limit", "0"}, []string{"herald: --limit must be between 1 and 200"}},
		"follow, before": {[]string{"--url", base, "--token", adminToken, "message", "list", "--channel", "x", "-f", "--before", "3"}, []string{"herald: --follow"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errOut)
			if code != 1 {
				t.Errorf("exit %d, want 1", code)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut.String())
				}
			}
			if !strings.HasPrefix(errOut.String(), "herald: ") {
				t.Errorf("stderr does not start with \"herald: \":\n%s", errOut.String())
			}
		})
	}
}

// TestTokenFile runs without --token and HERALD_TOKEN: the token comes from
// ./herald-data/admin.token when there is one, and is never printed.
func TestTokenFile(t *testing.T) {
	base := startServer(t)
	t.Setenv("HERALD_TOKEN", "")
	t.Setenv("HERALD_URL", base)
	t.Chdir(t.TempDir())

	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"team", "list"}, &out, &errOut); code != 1 {
		t.Fatalf("without a token: exit %d, want 1", code)
	}
	if s := errOut.String(); !strings.HasPrefix(s, "herald: no API token") || !strings.Contains(s, "hint: ") {
		t.Errorf("without a token, stderr:\n%s", s)
	}

	if err := os.Mkdir("herald-data", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("herald-data", "admin.token"), []byte(adminToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errOut.Reset()
	if code := run(context.Background(), []string{"team", "create", "FromFile"}, &out, &errOut); code != 0 {
		t.Fatalf("with the token file: exit %d, stderr:\n%s", code, errOut.String())
	}
	all := out.String() + errOut.String()
	if !strings.Contains(all, "FromFile") || strings.Contains(all, adminToken) || strings.Contains(all, "admin.token") {
		t.Errorf("output:\n%s", all)
	}
}

func TestHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for _, w := range []string{"--url", "HERALD_URL", "--token", "HERALD_TOKEN", "--json", "serve", "team create", "team list",
		"channel create", "channel list", "connection add", "connection list", "connection show", "connection remove", "message list",
		"org show", "org set", "team show", "team set", "team member list", "team member add", "team member remove",
		"user list", "user create", "user delete", "token create", "token list", "token revoke", "audit"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("herald --help lacks %q", w)
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"team", "--help"}, &out, &errOut); code != 0 {
		t.Fatalf("team --help: exit %d", code)
	}
	if s := out.String(); !strings.Contains(s, "Create a team.") || !strings.Contains(s, "List the organization's teams.") {
		t.Errorf("herald team --help:\n%s", s)
	}
	out.Reset()
	if code := run(context.Background(), []string{"org", "set", "--help"}, &out, &errOut); code != 0 {
		t.Fatalf("org set --help: exit %d", code)
	}
	for _, w := range []string{"--[no-]connectors-enabled", "--[no-]connectors-enabled-for-teams", "--[no-]connectors-enabled-for-outlook",
		"--[no-]connectors-actionable-messages-enabled", "=false"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("herald org set --help lacks %q:\n%s", w, out.String())
		}
	}
	out.Reset()
	if code := run(context.Background(), []string{"user", "create", "--help"}, &out, &errOut); code != 0 {
		t.Fatalf("user create --help: exit %d", code)
	}
	if s := out.String(); !strings.Contains(s, "--password-stdin") || strings.Contains(s, "--password=") {
		t.Errorf("herald user create --help:\n%s", s)
	}
	out.Reset()
	if code := run(context.Background(), []string{"message", "list", "--help"}, &out, &errOut); code != 0 {
		t.Fatalf("message list --help: exit %d", code)
	}
	for _, w := range []string{"--channel=ID", "--limit=50", "--before=ID", "--follow"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("herald message list --help lacks %q:\n%s", w, out.String())
		}
	}
}

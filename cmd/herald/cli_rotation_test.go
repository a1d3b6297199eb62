package main

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"github.com/heraldhq/herald/client"
)

// cliConn is a connection as `--json` prints it.
type cliConn struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	WebhookURL        string    `json:"webhook_url"`
	SlackURL          string    `json:"slack_url"`
	URLIssuedAt       time.Time `json:"url_issued_at"`
	AttentionRequired bool      `json:"attention_required"`
	AttentionReasons  []string  `json:"attention_reasons"`
}

// channelFixture makes team "Ops" with channel "alerts" and returns their
// ids.
func channelFixture(t *testing.T, base string) (teamID, channelID string) {
	t.Helper()
	var team, ch struct{ ID string }
	decodeJSON(t, mustHerald(t, base, "team", "create", "Ops", "--json"), &team)
	decodeJSON(t, mustHerald(t, base, "channel", "create", "--team", team.ID, "alerts", "--json"), &ch)
	return team.ID, ch.ID
}

func addConnection(t *testing.T, base, channelID, name string) cliConn {
	t.Helper()
	var conn cliConn
	decodeJSON(t, mustHerald(t, base, "connection", "add", "--channel", channelID, "--name", name, "--json"), &conn)
	return conn
}

// postUA posts a text message to a webhook URL as userAgent.
func postUA(t *testing.T, webhookURL, userAgent, text string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, webhookURL, strings.NewReader(`{"text":"`+text+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func wantMatch(t *testing.T, what, out string, res ...string) {
	t.Helper()
	for _, re := range res {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("%s lacks %s:\n%s", what, re, out)
		}
	}
}

func TestConnectionUpdateURL(t *testing.T) {
	base := startServer(t)
	_, chID := channelFixture(t, base)
	conn := addConnection(t, base, chID, "CI")
	quiet := addConnection(t, base, chID, "Quiet")

	out := mustHerald(t, base, "connection", "update-url", conn.ID)
	newURL, newSlack := teamsURL.FindString(out), slackURL.FindString(out)
	if newURL == "" || newURL == conn.WebhookURL || newSlack == "" || newSlack == conn.SlackURL {
		t.Fatalf("update-url printed no new URLs:\n%s", out)
	}
	wantMatch(t, "update-url", out, `Issued new URLs for connection `+conn.ID+` "CI"`,
		`The old URLs keep working until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, then answer 410 Gone\. They are not shown again\.`,
		`'herald connection show `+conn.ID+`' lists those callers`, `keep them secret`)
	if strings.Contains(out, conn.WebhookURL) || strings.Contains(out, conn.SlackURL) {
		t.Errorf("update-url printed the old URL:\n%s", out)
	}

	// Both URLs deliver; the old one says it is going.
	if status, body, h := postUA(t, newURL, "new-sender/1.0", "new"); status != http.StatusOK || body != "1" || h.Get("Sunset") != "" {
		t.Errorf("POST to the new URL: %d %q, Sunset %q", status, body, h.Get("Sunset"))
	}
	status, body, h := postUA(t, conn.WebhookURL, "alertmanager/0.27", "old")
	if status != http.StatusOK || body != "1" || h.Get("Sunset") == "" || !strings.HasPrefix(h.Get("Deprecation"), "@") {
		t.Fatalf("POST to the old URL: %d %q, Sunset %q, Deprecation %q; want 200 \"1\" with both headers", status, body, h.Get("Sunset"), h.Get("Deprecation"))
	}

	out = mustHerald(t, base, "connection", "show", conn.ID)
	wantMatch(t, "connection show", out, `(?m)^Attention:\s+required$`, `(?m)^Delivered:\s+2 messages, last `, `(?m)^URL issued:\s+\d{4}-`,
		`(?m)^Attention required:\n  - old URL still in use: 1 calls`,
		`Old URL \(replaced by Update URL; not shown again\): works until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, then answers 410 Gone\.`,
		`Called 1 time since it was replaced, the last at \d{4}-`,
		`(?m)^  ADDRESS\s+USER AGENT\s+LAST SEEN$`, `(?m)^  127\.0\.0\.1\s+alertmanager/0\.27\s+\d{4}-`)
	if !strings.Contains(out, newURL) || strings.Contains(out, conn.WebhookURL) {
		t.Errorf("connection show prints the wrong URL:\n%s", out)
	}
	if out := mustHerald(t, base, "connection", "show", quiet.ID); !regexp.MustCompile(`(?m)^Attention:\s+none$`).MatchString(out) ||
		strings.Contains(out, "Old URL") || strings.Contains(out, "URL issued:") {
		t.Errorf("connection show of an untouched connection:\n%s", out)
	}

	out = mustHerald(t, base, "connection", "list", "--channel", chID)
	wantMatch(t, "connection list --channel", out, `(?m)^ID\s+NAME\s+CONNECTOR\s+DELIVERED\s+LAST DELIVERY\s+CREATED\s+ATTENTION$`,
		`(?m)^`+conn.ID+`\s+CI\s+.*\srequired$`, `(?m)^`+quiet.ID+`\s+Quiet\s+.*\s-$`,
		`1 of these needs attention: 'herald connection list --attention --channel `+chID+`'`)

	out = mustHerald(t, base, "connection", "list", "--attention")
	wantMatch(t, "connection list --attention", out, `(?m)^ID\s+NAME\s+TEAM\s+CHANNEL\s+LAST DELIVERY\s+REASON$`,
		`(?m)^`+conn.ID+`\s+CI\s+Ops\s+`+chID+`\s+\d{4}-\S+ \S+\s+old URL still in use: 1 calls .* from 127\.0\.0\.1;`)
	if strings.Contains(out, quiet.ID) {
		t.Errorf("connection list --attention lists a connection that needs none:\n%s", out)
	}
	var attn struct{ Connections []cliConn }
	decodeJSON(t, mustHerald(t, base, "connection", "list", "--attention", "--json"), &attn)
	if len(attn.Connections) != 1 || attn.Connections[0].ID != conn.ID || !attn.Connections[0].AttentionRequired || len(attn.Connections[0].AttentionReasons) != 1 {
		t.Errorf("connection list --attention --json = %+v", attn)
	}
	decodeJSON(t, mustHerald(t, base, "connection", "list", "--attention", "--channel", chID, "--json"), &attn)
	if len(attn.Connections) != 1 || attn.Connections[0].ID != conn.ID {
		t.Errorf("connection list --attention --channel --json = %+v", attn)
	}
	_, errOut, code := herald(t, base, "connection", "list")
	wantFailure(t, "connection list without --channel or --attention", errOut, code, "--channel ID", "--attention")

	// --grace 0s ends the URL being replaced at once.
	var rotated struct {
		WebhookURL string `json:"webhook_url"`
		OldURL     struct {
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"old_url"`
	}
	decodeJSON(t, mustHerald(t, base, "connection", "update-url", conn.ID, "--grace", "0s", "--json"), &rotated)
	if rotated.WebhookURL == "" || rotated.WebhookURL == newURL || rotated.OldURL.ExpiresAt.After(time.Now()) {
		t.Fatalf("update-url --grace 0s --json = %+v", rotated)
	}
	if status, _, _ := postUA(t, newURL, "new-sender/1.0", "late"); status != http.StatusGone {
		t.Errorf("POST to a URL replaced with --grace 0s: %d, want 410", status)
	}
	out = mustHerald(t, base, "connection", "update-url", quiet.ID, "--grace=0s")
	wantMatch(t, "update-url --grace=0s", out, `The old URLs no longer work: they answer 410 Gone\.`)

	_, errOut, code = herald(t, base, "connection", "update-url", conn.ID, "--grace", "2400h")
	wantFailure(t, "update-url --grace 2400h", errOut, code, "(invalid)")
	_, errOut, code = herald(t, base, "connection", "update-url", conn.ID, "--grace=-1h")
	wantFailure(t, "update-url --grace=-1h", errOut, code, "--grace cannot be negative")
	_, errOut, code = herald(t, base, "connection", "update-url", "nope")
	wantFailure(t, "update-url of an unknown connection", errOut, code, "(not_found)")

	if out := mustHerald(t, base, "audit", "--action", "connection.rotate_url"); strings.Count(out, "connection.rotate_url") != 3 {
		t.Errorf("audit --action connection.rotate_url printed:\n%s", out)
	}
}

func TestOrgURLRotation(t *testing.T) {
	base := startServer(t)
	_, chID := channelFixture(t, base)

	if out := mustHerald(t, base, "org", "url-rotation"); !strings.Contains(out, "No URL rotation is running") {
		t.Errorf("org url-rotation with none running:\n%s", out)
	}
	old := addConnection(t, base, chID, "Old sender")
	updated := addConnection(t, base, chID, "Updated sender")
	if status, body := post(t, old.WebhookURL, "hello"); status != 200 || body != "1" {
		t.Fatalf("POST: %d %q", status, body)
	}
	time.Sleep(10 * time.Millisecond) // the store keeps milliseconds
	issuedBefore := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(10 * time.Millisecond)
	fresh := addConnection(t, base, chID, "Fresh sender")
	mustHerald(t, base, "connection", "update-url", updated.ID, "--grace", "0s")

	out := mustHerald(t, base, "org", "require-url-update", "--issued-before", issuedBefore, "--deadline", "720h")
	for _, o := range []string{out, mustHerald(t, base, "org", "url-rotation")} {
		wantMatch(t, "require-url-update / url-rotation", o, `(?m)^Issued before:\s+\d{4}-`, `(?m)^Deadline:\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`,
			`(?m)^Pending:\s+1 connection$`, `(?m)^TEAM\s+ID\s+NAME\s+CHANNEL\s+URL ISSUED\s+LAST DELIVERY$`,
			`(?m)^Ops\s+`+old.ID+`\s+Old sender\s+`+chID+`\s+\d{4}-\S+ \S+\s+\d{4}-\S+ \S+$`, `herald connection update-url ID`)
		for _, id := range []string{updated.ID, fresh.ID} {
			if strings.Contains(o, id) {
				t.Errorf("the rotation lists %s, which needs no update:\n%s", id, o)
			}
		}
	}
	if !strings.HasPrefix(out, "Started a URL rotation.") {
		t.Errorf("require-url-update printed:\n%s", out)
	}
	var st struct {
		URLRotation *struct {
			IssuedBefore time.Time `json:"issued_before"`
			Deadline     time.Time `json:"deadline"`
		} `json:"url_rotation"`
		Pending int
		Teams   []struct {
			TeamName    string `json:"team_name"`
			Connections []struct{ ID string }
		}
	}
	decodeJSON(t, mustHerald(t, base, "org", "url-rotation", "--json"), &st)
	if st.URLRotation == nil || st.Pending != 1 || len(st.Teams) != 1 || st.Teams[0].TeamName != "Ops" ||
		len(st.Teams[0].Connections) != 1 || st.Teams[0].Connections[0].ID != old.ID {
		t.Fatalf("org url-rotation --json = %+v", st)
	}
	if d := time.Until(st.URLRotation.Deadline); d < 719*time.Hour || d > 720*time.Hour {
		t.Errorf("--deadline 720h set the deadline %v from now", d)
	}

	out = mustHerald(t, base, "connection", "list", "--attention")
	wantMatch(t, "connection list --attention", out, `(?m)^`+old.ID+`\s+Old sender\s+Ops\s+.*\sURL update required by \d{4}-`)
	wantMatch(t, "org show", mustHerald(t, base, "org", "show"), `(?m)^URL rotation:\s+URLs issued before \d{4}-\S+ \S+ must be updated by \d{4}-`)

	// An RFC 3339 deadline replaces the rotation; without --issued-before,
	// every URL so far is included.
	deadline := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
	decodeJSON(t, mustHerald(t, base, "org", "require-url-update", "--deadline", deadline.Format(time.RFC3339), "--json"), &st)
	if st.URLRotation == nil || !st.URLRotation.Deadline.Equal(deadline) || st.Pending != 3 {
		t.Errorf("require-url-update --deadline RFC3339 --json = %+v", st)
	}

	if out := mustHerald(t, base, "org", "cancel-url-update"); !strings.Contains(out, "Ended the URL rotation") {
		t.Errorf("org cancel-url-update printed:\n%s", out)
	}
	if out := mustHerald(t, base, "org", "url-rotation"); !strings.Contains(out, "No URL rotation is running") {
		t.Errorf("org url-rotation after cancel:\n%s", out)
	}
	wantMatch(t, "org show after cancel", mustHerald(t, base, "org", "show"), `(?m)^URL rotation:\s+none$`)
	if out := mustHerald(t, base, "connection", "list", "--attention"); !strings.Contains(out, "No connection needs attention") {
		t.Errorf("connection list --attention after cancel:\n%s", out)
	}

	tests := map[string]struct {
		args []string
		want []string
	}{
		"no deadline":      {nil, []string{"--deadline"}},
		"bad deadline":     {[]string{"--deadline", "soon"}, []string{`--deadline "soon" is neither an RFC 3339 time`, "720h"}},
		"negative delay":   {[]string{"--deadline=-1h"}, []string{"must be in the future"}},
		"past deadline":    {[]string{"--deadline", "2020-01-01T00:00:00Z"}, []string{"(invalid)"}},
		"bad issued":       {[]string{"--deadline", "720h", "--issued-before", "yesterday"}, []string{`--issued-before "yesterday" is not an RFC 3339 time`}},
		"future issued":    {[]string{"--deadline", "720h", "--issued-before", time.Now().Add(time.Hour).Format(time.RFC3339)}, []string{"(invalid)"}},
		"unknown argument": {[]string{"720h"}, []string{"herald: "}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := herald(t, base, append([]string{"org", "require-url-update"}, tc.args...)...)
			wantFailure(t, name, errOut, code, tc.want...)
		})
	}
}

func TestOrgSetURLMaxAge(t *testing.T) {
	base := startServer(t)
	_, webhook := webhookFixture(t, base)

	wantMatch(t, "org show", mustHerald(t, base, "org", "show"), `(?m)^URL max age:\s+none$`)
	out := mustHerald(t, base, "org", "set", "--url-max-age", "2160h")
	wantMatch(t, "org set --url-max-age 2160h", out, `(?m)^URL max age:\s+2160h \(90 days\): webhook URLs issued longer ago need attention`)
	if got := switches(out); got["connectors_enabled"] != "true" {
		t.Errorf("org set --url-max-age changed a switch:\n%s", out)
	}
	var org struct {
		URLMaxAge         string `json:"url_max_age"`
		ConnectorsEnabled bool   `json:"connectors_enabled"`
	}
	decodeJSON(t, mustHerald(t, base, "org", "show", "--json"), &org)
	if org.URLMaxAge != "2160h0m0s" || !org.ConnectorsEnabled {
		t.Errorf("org show --json = %+v", org)
	}

	// A URL over the limit needs attention but keeps working.
	mustHerald(t, base, "org", "set", "--url-max-age", "1s")
	time.Sleep(time.Second + 50*time.Millisecond)
	out = mustHerald(t, base, "connection", "list", "--attention")
	wantMatch(t, "connection list --attention", out, `URL older than the organization's limit of 1s`)
	if status, body := post(t, webhook, "still works"); status != http.StatusOK || body != "1" {
		t.Errorf("POST to a URL over the age limit: %d %q", status, body)
	}

	out = mustHerald(t, base, "org", "set", "--url-max-age", "0s")
	wantMatch(t, "org set --url-max-age 0s", out, `(?m)^URL max age:\s+none$`)
	decodeJSON(t, mustHerald(t, base, "org", "set", "--url-max-age", "90m", "--json"), &org)
	if org.URLMaxAge != "1h30m0s" {
		t.Errorf("org set --url-max-age 90m --json = %+v", org)
	}
	if out := mustHerald(t, base, "audit", "--action", "org.update"); !strings.Contains(out, `url_max_age: "0s" → "2160h0m0s"`) {
		t.Errorf("audit of the url_max_age changes:\n%s", out)
	}

	_, errOut, code := herald(t, base, "org", "set", "--url-max-age=-1h")
	wantFailure(t, "org set --url-max-age=-1h", errOut, code, "--url-max-age cannot be negative")
	_, errOut, code = herald(t, base, "org", "set", "--url-max-age", "90d")
	wantFailure(t, "org set --url-max-age 90d", errOut, code, "--url-max-age")
	_, errOut, code = herald(t, base, "org", "set")
	wantFailure(t, "org set without flags", errOut, code, "nothing to change", "--url-max-age DURATION")
}

// testPNG returns a small PNG image.
func testPNG(t *testing.T) []byte {
	t.Helper()
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	img.Set(3, 3, color.RGBA{G: 200, A: 255})
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestConnectionRenameAndImage(t *testing.T) {
	base := startServer(t)
	_, chID := channelFixture(t, base)
	conn := addConnection(t, base, chID, "CI")

	out := mustHerald(t, base, "connection", "rename", conn.ID, "Jenkins prod")
	if !strings.Contains(out, "Renamed connection "+conn.ID+` to "Jenkins prod"; its webhook URLs are unchanged.`) {
		t.Errorf("connection rename printed:\n%s", out)
	}
	wantMatch(t, "connection show", mustHerald(t, base, "connection", "show", conn.ID), `(?m)^Name:\s+Jenkins prod$`)
	if status, body := post(t, conn.WebhookURL, "after rename"); status != http.StatusOK || body != "1" {
		t.Errorf("POST after rename: %d %q", status, body)
	}
	var renamed cliConn
	decodeJSON(t, mustHerald(t, base, "connection", "rename", conn.ID, "CI", "--json"), &renamed)
	if renamed.Name != "CI" || renamed.WebhookURL != conn.WebhookURL {
		t.Errorf("connection rename --json = %+v", renamed)
	}
	_, errOut, code := herald(t, base, "connection", "rename", conn.ID, " ")
	wantFailure(t, "rename to a blank name", errOut, code, "(invalid)")

	dir := t.TempDir()
	pic := testPNG(t)
	file := filepath.Join(dir, "jenkins.png")
	if err := os.WriteFile(file, pic, 0o600); err != nil {
		t.Fatal(err)
	}
	out = mustHerald(t, base, "connection", "image", conn.ID, file)
	if !strings.Contains(out, "Set the picture of connection "+conn.ID+" (image/png, ") {
		t.Errorf("connection image printed:\n%s", out)
	}
	cl := client.New(base, adminToken)
	data, typ, err := cl.ConnectionImage(context.Background(), conn.ID)
	if err != nil || typ != "image/png" || !bytes.Equal(data, pic) {
		t.Fatalf("the uploaded picture: %d bytes, %q, %v", len(data), typ, err)
	}
	wantMatch(t, "connection show", mustHerald(t, base, "connection", "show", conn.ID), `(?m)^Image:\s+/api/v1/connections/`+conn.ID+`/image$`)

	// From standard input.
	if out, errOut, code := heraldAs(t, base, adminToken, bytes.NewReader(pic), "connection", "image", conn.ID, "-"); code != 0 || !strings.Contains(out, "Set the picture") {
		t.Errorf("connection image ID -: exit %d\n%s%s", code, out, errOut)
	}

	notImage := filepath.Join(dir, "notes.txt")
	big := filepath.Join(dir, "big.png")
	if err := os.WriteFile(notImage, []byte("<svg onload=alert(1)>"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, append(pic, make([]byte, client.MaxImageSize)...), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		args []string
		want []string
	}{
		"not an image":   {[]string{notImage}, []string{"PNG, JPEG or GIF", "(invalid)"}},
		"too big":        {[]string{big}, []string{"big.png is over 256 KB"}},
		"no such file":   {[]string{filepath.Join(dir, "missing.png")}, []string{"missing.png", "no such file"}},
		"file, --remove": {[]string{file, "--remove"}, []string{"either FILE or --remove"}},
		"nothing":        {nil, []string{"FILE", "--remove"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := herald(t, base, append([]string{"connection", "image", conn.ID}, tc.args...)...)
			wantFailure(t, name, errOut, code, tc.want...)
		})
	}

	if out := mustHerald(t, base, "connection", "image", conn.ID, "--remove"); !strings.Contains(out, "Removed the picture of connection "+conn.ID) {
		t.Errorf("connection image --remove printed:\n%s", out)
	}
	if out := mustHerald(t, base, "connection", "show", conn.ID); strings.Contains(out, "Image:") {
		t.Errorf("connection show after --remove:\n%s", out)
	}
	if _, _, err := cl.ConnectionImage(context.Background(), conn.ID); err == nil {
		t.Error("the picture is still there after --remove")
	}
}

func TestRotationHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	for _, w := range []string{"connection update-url", "connection rename", "connection image", "org require-url-update",
		"org url-rotation", "org cancel-url-update"} {
		if !strings.Contains(out.String(), w) {
			t.Errorf("herald --help lacks %q", w)
		}
	}
	for cmd, want := range map[string][]string{
		"connection update-url":  {"--grace=24h", "410 Gone", "2160h"},
		"connection list":        {"--channel=ID", "--attention"},
		"connection image":       {"[<file>]", "--remove", "standard input"},
		"org require-url-update": {"--deadline=TIME", "RFC 3339", "720h", "--issued-before=TIME"},
		"org set":                {"--url-max-age=DURATION", "0s turns the limit off"},
	} {
		out.Reset()
		if code := run(context.Background(), append(strings.Fields(cmd), "--help"), &out, &errOut); code != 0 {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		for _, w := range want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("herald %s --help lacks %q:\n%s", cmd, w, out.String())
			}
		}
	}
}

// TestEveryCommandHasHelp walks the whole command tree: every command,
// argument and flag says what it is for.
func TestEveryCommandHasHelp(t *testing.T) {
	parser, err := kong.New(&CLI{}, kong.Name("herald"))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(n *kong.Node)
	walk = func(n *kong.Node) {
		if n.Type == kong.CommandNode && strings.TrimSpace(n.Help) == "" {
			t.Errorf("command %q has no help", n.Path())
		}
		for _, f := range n.Flags {
			if strings.TrimSpace(f.Help) == "" && f.Name != "help" {
				t.Errorf("flag --%s of %q has no help", f.Name, n.Path())
			}
		}
		for _, p := range n.Positional {
			if strings.TrimSpace(p.Help) == "" {
				t.Errorf("argument %s of %q has no help", p.Name, n.Path())
			}
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(parser.Model.Node)
}

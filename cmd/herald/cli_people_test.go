package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

// heraldAs runs the CLI in-process against base with token, stdin as its
// standard input.
func heraldAs(t *testing.T, base, token string, stdin io.Reader, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code = runIO(ctx, append([]string{"--url", base, "--token", token}, args...), stdin, &out, &errb)
	return out.String(), errb.String(), code
}

// wantFailure checks that a command failed with exit 1 and each of want in
// its stderr.
func wantFailure(t *testing.T, what string, errOut string, code int, want ...string) {
	t.Helper()
	if code != 1 {
		t.Errorf("%s: exit %d, want 1; stderr:\n%s", what, code, errOut)
	}
	if !strings.HasPrefix(errOut, "herald: ") {
		t.Errorf("%s: stderr does not start with \"herald: \":\n%s", what, errOut)
	}
	for _, w := range want {
		if !strings.Contains(errOut, w) {
			t.Errorf("%s: stderr lacks %q:\n%s", what, w, errOut)
		}
	}
}

// webhookFixture makes a team, a channel and an incoming webhook with the
// CLI and returns the team id and the webhook URL.
func webhookFixture(t *testing.T, base string) (teamID, webhookURL string) {
	t.Helper()
	var team, ch struct{ ID string }
	decodeJSON(t, mustHerald(t, base, "team", "create", "Ops", "--json"), &team)
	decodeJSON(t, mustHerald(t, base, "channel", "create", "--team", team.ID, "alerts", "--json"), &ch)
	var conn struct {
		WebhookURL string `json:"webhook_url"`
	}
	decodeJSON(t, mustHerald(t, base, "connection", "add", "--channel", ch.ID, "--name", "CI", "--json"), &conn)
	return team.ID, conn.WebhookURL
}

// apiStatus sends a request with a bearer token (none when "") and returns
// the status.
func apiStatus(t *testing.T, method, url, token, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

var switchLine = regexp.MustCompile(`(?m)^(connectors_\w+)\s+(true|false)\s`)

// switches parses the switch table of `org show` and `org set`.
func switches(out string) map[string]string {
	m := map[string]string{}
	for _, s := range switchLine.FindAllStringSubmatch(out, -1) {
		m[s[1]] = s[2]
	}
	return m
}

func TestOrgSetRoundTrip(t *testing.T) {
	base := startServer(t)
	_, webhook := webhookFixture(t, base)

	out := mustHerald(t, base, "org", "show")
	if !regexp.MustCompile(`(?m)^Cloud:\s+commercial$`).MatchString(out) {
		t.Errorf("org show prints no cloud profile:\n%s", out)
	}
	want := map[string]string{"connectors_enabled": "true", "connectors_enabled_for_teams": "true",
		"connectors_enabled_for_outlook": "true", "connectors_actionable_messages_enabled": "true"}
	if got := switches(out); !mapsEqual(got, want) {
		t.Errorf("org show switches = %v, want %v:\n%s", got, want, out)
	}

	out = mustHerald(t, base, "org", "set", "--connectors-enabled=false")
	want["connectors_enabled"] = "false"
	if got := switches(out); !mapsEqual(got, want) || !strings.Contains(out, "Updated") {
		t.Errorf("org set --connectors-enabled=false printed switches %v, want %v:\n%s", got, want, out)
	}
	if status, body := post(t, webhook, "refused"); status != http.StatusForbidden || !strings.Contains(body, "connectors_enabled") {
		t.Errorf("POST with connectors off: %d %q; want 403 naming connectors_enabled", status, body)
	}
	var org struct {
		ConnectorsEnabled bool `json:"connectors_enabled"`
		Cloud             string
	}
	decodeJSON(t, mustHerald(t, base, "org", "show", "--json"), &org)
	if org.ConnectorsEnabled || org.Cloud != "commercial" {
		t.Errorf("org show --json = %+v", org)
	}

	mustHerald(t, base, "org", "set", "--connectors-enabled=true")
	if status, body := post(t, webhook, "accepted"); status != http.StatusOK || body != "1" {
		t.Errorf("POST with connectors on again: %d %q; want 200 \"1\"", status, body)
	}

	// --no-X is the same as --X=false, and only the flags given change.
	out = mustHerald(t, base, "org", "set", "--no-connectors-actionable-messages-enabled")
	want["connectors_enabled"], want["connectors_actionable_messages_enabled"] = "true", "false"
	if got := switches(out); !mapsEqual(got, want) {
		t.Errorf("org set --no-connectors-actionable-messages-enabled printed %v, want %v", got, want)
	}

	var audit struct {
		Entries []struct {
			ID            int64
			Action        string
			ActorName     string          `json:"actor_name"`
			Before, After json.RawMessage // the org's switches
		}
	}
	decodeJSON(t, mustHerald(t, base, "audit", "--action", "org.update", "--json"), &audit)
	if len(audit.Entries) != 3 {
		t.Fatalf("audit --action org.update --json: %d entries, want 3", len(audit.Entries))
	}
	first := audit.Entries[2] // newest first
	var before, after struct {
		ConnectorsEnabled bool `json:"connectors_enabled"`
	}
	if json.Unmarshal(first.Before, &before) != nil || json.Unmarshal(first.After, &after) != nil ||
		!before.ConnectorsEnabled || after.ConnectorsEnabled || first.Action != "org.update" || first.ActorName != "admin" {
		t.Errorf("first org.update entry: id %d, %s by %s, before %s, after %s", first.ID, first.Action, first.ActorName, first.Before, first.After)
	}
	out = mustHerald(t, base, "audit", "--action", "org.update")
	if !regexp.MustCompile(`(?m)^ID\s+TIME\s+ACTOR\s+ACTION\s+TARGET\s+CHANGE$`).MatchString(out) ||
		!strings.Contains(out, "connectors_enabled: true → false") || !strings.Contains(out, "connectors_enabled: false → true") {
		t.Errorf("audit table:\n%s", out)
	}
	out = mustHerald(t, base, "audit", "--limit", "1")
	if !strings.Contains(out, "org.update") || !strings.Contains(out, "Older entries: herald audit --before ") {
		t.Errorf("audit --limit 1 printed:\n%s", out)
	}

	_, errOut, code := herald(t, base, "org", "set")
	wantFailure(t, "org set without flags", errOut, code, "nothing to change", "--connectors-enabled,", "--connectors-enabled-for-teams",
		"--connectors-enabled-for-outlook", "--connectors-actionable-messages-enabled")
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func TestTeamSet(t *testing.T) {
	base := startServer(t)
	teamID, webhook := webhookFixture(t, base)

	out := mustHerald(t, base, "team", "show", teamID)
	for _, re := range []string{`(?m)^Name:\s+Ops$`, `(?m)^Connectors enabled:\s+true$`, `(?m)^Members can manage connectors:\s+true$`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("team show lacks %s:\n%s", re, out)
		}
	}

	out = mustHerald(t, base, "team", "set", teamID, "--name", "Platform Ops", "--connectors-enabled=false")
	for _, re := range []string{`(?m)^Name:\s+Platform Ops$`, `(?m)^Connectors enabled:\s+false$`, `(?m)^Members can manage connectors:\s+true$`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("team set lacks %s:\n%s", re, out)
		}
	}
	if status, body := post(t, webhook, "refused"); status != http.StatusForbidden || !strings.Contains(body, "team.connectors_enabled") {
		t.Errorf("POST with the team's connectors off: %d %q", status, body)
	}

	var team struct {
		Name                       string
		ConnectorsEnabled          bool `json:"connectors_enabled"`
		MembersCanManageConnectors bool `json:"members_can_manage_connectors"`
	}
	decodeJSON(t, mustHerald(t, base, "team", "set", teamID, "--connectors-enabled", "--members-can-manage-connectors=false", "--json"), &team)
	if team.Name != "Platform Ops" || !team.ConnectorsEnabled || team.MembersCanManageConnectors {
		t.Errorf("team set --json = %+v", team)
	}
	if status, body := post(t, webhook, "accepted"); status != http.StatusOK || body != "1" {
		t.Errorf("POST with the team's connectors on again: %d %q", status, body)
	}
	if out := mustHerald(t, base, "audit", "--team", teamID, "--action", "team.update"); strings.Count(out, "team.update") != 2 {
		t.Errorf("audit --team --action team.update printed:\n%s", out)
	}

	_, errOut, code := herald(t, base, "team", "set", teamID)
	wantFailure(t, "team set without flags", errOut, code, "nothing to change", "--name", "--connectors-enabled", "--members-can-manage-connectors")
	_, errOut, code = herald(t, base, "team", "show", "nope")
	wantFailure(t, "team show of an unknown team", errOut, code, "(not_found)")
}

func TestMembers(t *testing.T) {
	base := startServer(t)
	teamID, _ := webhookFixture(t, base)
	var bob struct{ ID, Name string }
	decodeJSON(t, mustHerald(t, base, "user", "create", "--name", "Bob", "--json"), &bob)
	if bob.ID == "" || bob.Name != "Bob" {
		t.Fatalf("user create --json: %+v", bob)
	}
	var me struct{ ID string }
	for _, u := range usersOf(t, base) {
		if u.OrgAdmin {
			me.ID = u.ID
		}
	}
	if me.ID == "" {
		t.Fatal("user list shows no organization admin")
	}

	out := mustHerald(t, base, "team", "member", "add", "--team", teamID, "--user", bob.ID)
	if !strings.Contains(out, "Bob ("+bob.ID+") is now a member of team "+teamID) {
		t.Errorf("member add printed:\n%s", out)
	}
	out = mustHerald(t, base, "team", "member", "list", "--team", teamID)
	if !regexp.MustCompile(`(?m)^USER ID\s+NAME\s+EMAIL\s+ROLE\s+ADDED$`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^`+bob.ID+`\s+Bob\s+-\s+member\s`).MatchString(out) ||
		!regexp.MustCompile(`(?m)^`+me.ID+`\s+admin\s+.*\sowner\s`).MatchString(out) {
		t.Errorf("member list printed:\n%s", out)
	}

	_, errOut, code := herald(t, base, "team", "member", "remove", "--team", teamID, "--user", me.ID)
	wantFailure(t, "removing the last owner", errOut, code, "last owner", "(conflict)")
	_, errOut, code = herald(t, base, "team", "member", "add", "--team", teamID, "--user", bob.ID, "--role", "boss")
	wantFailure(t, "an unknown role", errOut, code, `--role must be one of "owner","member","guest"`)

	// Once Bob is an owner too, the admin may go.
	if out := mustHerald(t, base, "team", "member", "add", "--team", teamID, "--user", bob.ID, "--role", "owner"); !strings.Contains(out, "is now an owner") {
		t.Errorf("member add --role owner printed:\n%s", out)
	}
	if out := mustHerald(t, base, "team", "member", "rm", "--team", teamID, "--user", me.ID); !strings.Contains(out, "Removed user "+me.ID) {
		t.Errorf("member remove printed:\n%s", out)
	}
	var list struct {
		Members []struct {
			UserID string `json:"user_id"`
			Role   string
		}
	}
	decodeJSON(t, mustHerald(t, base, "team", "member", "list", "--team", teamID, "--json"), &list)
	if len(list.Members) != 1 || list.Members[0].UserID != bob.ID || list.Members[0].Role != "owner" {
		t.Errorf("member list --json after remove: %+v", list)
	}
	out = mustHerald(t, base, "audit", "--team", teamID)
	for _, re := range []string{`member\.add\s+user ` + bob.ID + `\s+created`, `member\.update\s+user ` + bob.ID + `\s+role: "member" → "owner"`,
		`member\.remove\s+user ` + me.ID + `\s+removed`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("audit --team lacks %s:\n%s", re, out)
		}
	}
}

type cliUser struct {
	ID, Name, Email string
	OrgAdmin        bool `json:"org_admin"`
}

func usersOf(t *testing.T, base string) []cliUser {
	t.Helper()
	var doc struct{ Users []cliUser }
	decodeJSON(t, mustHerald(t, base, "user", "list", "--json"), &doc)
	return doc.Users
}

// signIn posts a sign-in as a browser's page would and returns the status.
func signIn(t *testing.T, base, email, password string) int {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": password})
	return apiStatus(t, http.MethodPost, base+"/api/v1/session", "", string(b))
}

func TestUserCreatePasswordStdin(t *testing.T) {
	base := startServer(t)
	const pw = "correct horse battery"

	out, errOut, code := heraldAs(t, base, adminToken, strings.NewReader(pw+"\n"),
		"user", "create", "--name", "Alice", "--email", "alice@example.com", "--password-stdin", "--org-admin")
	if code != 0 {
		t.Fatalf("user create --password-stdin: exit %d\n%s", code, errOut)
	}
	if strings.Contains(out+errOut, pw) || !strings.Contains(out, "alice@example.com") || !regexp.MustCompile(`(?m)^\S+\s+Alice\s+alice@example.com\s+yes\s`).MatchString(out) {
		t.Errorf("user create printed:\n%s%s", out, errOut)
	}
	if status := signIn(t, base, "alice@example.com", pw); status != http.StatusOK {
		t.Errorf("sign-in with the piped password: %d, want 200", status)
	}
	// Exactly one newline was dropped: the password is not "pw\n".
	if status := signIn(t, base, "alice@example.com", pw+"\n"); status != http.StatusUnauthorized {
		t.Errorf("sign-in with the password and its newline: %d, want 401", status)
	}

	// A CRLF line end counts as one newline; a second newline stays.
	mustRun := func(stdin, email string) {
		t.Helper()
		if _, errOut, code := heraldAs(t, base, adminToken, strings.NewReader(stdin),
			"user", "create", "--name", email, "--email", email, "--password-stdin"); code != 0 {
			t.Fatalf("user create %s: exit %d\n%s", email, code, errOut)
		}
	}
	mustRun(pw+"\r\n", "crlf@example.com")
	if status := signIn(t, base, "crlf@example.com", pw); status != http.StatusOK {
		t.Errorf("sign-in after a CRLF-ended password: %d, want 200", status)
	}
	mustRun(pw+"\n\n", "two@example.com")
	if status := signIn(t, base, "two@example.com", pw+"\n"); status != http.StatusOK {
		t.Errorf("sign-in with the password and one newline: %d, want 200", status)
	}

	users := usersOf(t, base)
	if len(users) != 4 {
		t.Errorf("user list --json: %d users, want 4: %+v", len(users), users)
	}
	if out := mustHerald(t, base, "user", "list"); !regexp.MustCompile(`(?m)^ID\s+NAME\s+EMAIL\s+ORG ADMIN\s+CREATED$`).MatchString(out) ||
		!strings.Contains(out, "crlf@example.com") {
		t.Errorf("user list printed:\n%s", out)
	}

	tests := map[string]struct {
		stdin string
		args  []string
		want  []string
	}{
		"empty stdin":     {"", []string{"--email", "e@example.com", "--password-stdin"}, []string{"standard input is empty"}},
		"only a newline":  {"\n", []string{"--email", "n@example.com", "--password-stdin"}, []string{"standard input is empty"}},
		"no email":        {pw, []string{"--password-stdin"}, []string{"--password-stdin needs --email"}},
		"short password":  {"short\n", []string{"--email", "s@example.com", "--password-stdin"}, []string{"(invalid)", "10 characters"}},
		"password flag":   {"", []string{"--email", "p@example.com", "--password", pw}, []string{"unknown flag --password"}},
		"duplicate email": {"", []string{"--email", "alice@example.com"}, []string{"already exists", "(conflict)"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, errOut, code := heraldAs(t, base, adminToken, strings.NewReader(tc.stdin), append([]string{"user", "create", "--name", "X"}, tc.args...)...)
			wantFailure(t, name, errOut, code, tc.want...)
			if strings.Contains(errOut, pw) {
				t.Errorf("stderr shows the password:\n%s", errOut)
			}
		})
	}
}

var printedToken = regexp.MustCompile(`(?m)^  (hrd_[A-Za-z0-9]+)$`)

func TestTokenLifecycle(t *testing.T) {
	base := startServer(t)
	out := mustHerald(t, base, "token", "create", "laptop")
	m := printedToken.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "cannot be shown again") {
		t.Fatalf("token create printed no token and no warning:\n%s", out)
	}
	secret := m[1]
	idm := regexp.MustCompile(`\(id ([0-9a-f-]+)\)`).FindStringSubmatch(out)
	if idm == nil {
		t.Fatalf("token create printed no id:\n%s", out)
	}
	id := idm[1]
	if status := apiStatus(t, http.MethodGet, base+"/api/v1/me", secret, ""); status != http.StatusOK {
		t.Fatalf("GET /api/v1/me with the printed token: %d, want 200", status)
	}

	out = mustHerald(t, base, "token", "list")
	if !strings.Contains(out, id) || !strings.Contains(out, "laptop") || strings.Contains(out, secret) {
		t.Errorf("token list printed:\n%s", out)
	}
	// The new token works with the CLI too.
	if out, errOut, code := heraldAs(t, base, secret, nil, "team", "list"); code != 0 {
		t.Errorf("team list with the new token: exit %d\n%s%s", code, out, errOut)
	}

	_, errOut, code := herald(t, base, "token", "revoke", secret)
	wantFailure(t, "revoke given the secret", errOut, code, "not its id")
	if strings.Contains(errOut, secret) {
		t.Errorf("stderr shows the secret:\n%s", errOut)
	}

	if out := mustHerald(t, base, "token", "revoke", id); !strings.Contains(out, "Revoked API token "+id) {
		t.Errorf("token revoke printed:\n%s", out)
	}
	if status := apiStatus(t, http.MethodGet, base+"/api/v1/me", secret, ""); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me with the revoked token: %d, want 401", status)
	}
	_, errOut, code = heraldAs(t, base, secret, nil, "team", "list")
	wantFailure(t, "team list with the revoked token", errOut, code, "(unauthorized)", "hint: ")
	_, errOut, code = herald(t, base, "token", "revoke", id)
	wantFailure(t, "revoking twice", errOut, code, "(not_found)")
}

// TestNonAdmin checks what a user who is no organization admin is told.
func TestNonAdmin(t *testing.T) {
	base := startServer(t)
	var bob struct{ ID string }
	decodeJSON(t, mustHerald(t, base, "user", "create", "--name", "Bob", "--json"), &bob)
	var tok struct {
		ID     string
		UserID string `json:"user_id"`
		Token  string
	}
	decodeJSON(t, mustHerald(t, base, "token", "create", "bob-cli", "--user", bob.ID, "--json"), &tok)
	if tok.UserID != bob.ID || !strings.HasPrefix(tok.Token, "hrd_") {
		t.Fatalf("token create --user --json: %+v", tok)
	}
	if out := mustHerald(t, base, "token", "list", "--user", bob.ID); !strings.Contains(out, tok.ID) || !strings.Contains(out, "bob-cli") {
		t.Errorf("token list --user printed:\n%s", out)
	}

	out, errOut, code := heraldAs(t, base, tok.Token, nil, "org", "set", "--connectors-enabled=false")
	wantFailure(t, "org set as a non-admin", errOut, code,
		"herald: Only organization admins can change the organization's settings (org_admin is false). (forbidden)", "hint: ")
	if out != "" {
		t.Errorf("org set as a non-admin printed on stdout:\n%s", out)
	}
	if out := mustHerald(t, base, "org", "show"); !regexp.MustCompile(`(?m)^connectors_enabled\s+true\s`).MatchString(out) {
		t.Errorf("after a refused org set:\n%s", out)
	}
	// Anyone may read the switches.
	if out, errOut, code := heraldAs(t, base, tok.Token, nil, "org", "show"); code != 0 || !strings.Contains(out, "connectors_enabled") {
		t.Errorf("org show as a non-admin: exit %d\n%s%s", code, out, errOut)
	}
	_, errOut, code = heraldAs(t, base, tok.Token, nil, "audit")
	wantFailure(t, "audit as a non-admin", errOut, code, "read the audit log", "(forbidden)")
	_, errOut, code = heraldAs(t, base, tok.Token, strings.NewReader("a long password\n"), "user", "create", "--name", "Eve", "--email", "eve@example.com", "--password-stdin")
	wantFailure(t, "user create as a non-admin", errOut, code, "(forbidden)")

	if out := mustHerald(t, base, "user", "delete", bob.ID); !strings.Contains(out, "Deleted user "+bob.ID) {
		t.Errorf("user delete printed:\n%s", out)
	}
	if status := apiStatus(t, http.MethodGet, base+"/api/v1/me", tok.Token, ""); status != http.StatusUnauthorized {
		t.Errorf("GET /api/v1/me with a deleted user's token: %d, want 401", status)
	}
}

func TestChangeSummary(t *testing.T) {
	tests := map[string]struct {
		before, after string
		want          string
	}{
		"creation":          {"", `{"id":"x"}`, "created"},
		"creation, null":    {"null", `{"id":"x"}`, "created"},
		"removal":           {`{"role":"owner"}`, "", "removed"},
		"one switch":        {`{"a":true,"b":true}`, `{"a":false,"b":true}`, "a: true → false"},
		"sorted, new field": {`{"z":1,"a":"x"}`, `{"a":"y","z":1,"n":null}`, `a: "x" → "y", n: - → null`},
		"same":              {`{"a":1}`, `{ "a" : 1 }`, "no change"},
		"not objects":       {`[1]`, `[2]`, "changed"},
		"nothing":           {"", "", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := changeSummary(json.RawMessage(tc.before), json.RawMessage(tc.after)); got != tc.want {
				t.Errorf("changeSummary(%s, %s) = %q, want %q", tc.before, tc.after, got, tc.want)
			}
		})
	}
}

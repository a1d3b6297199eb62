package app_test

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald/app"
)

func TestConnectorsSwitch(t *testing.T) {
	n := start(t, app.Config{})
	ch, c := n.webhook()
	if r := post(t, c.WebhookURL, "application/json", `{"text":"before"}`); r.body != "1" {
		t.Fatalf("before: %d %q", r.status, r.body)
	}
	var org map[string]any
	n.api("PATCH", "/api/v1/org", map[string]bool{"connectors_enabled": false}, 200, &org)
	if org["connectors_enabled"] != false || org["connectors_enabled_for_teams"] != true || org["cloud"] != "commercial" {
		t.Fatalf("PATCH /org answered %v", org)
	}
	r := post(t, c.WebhookURL, "application/json", `{"text":"while off"}`)
	if r.status != 403 || !strings.Contains(r.body, "connectors_enabled") || r.header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("post while disabled: %d %q", r.status, r.body)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]string{"name": "new"}, 403, &e)
	if e.Error.Code != "forbidden" || !strings.Contains(e.Error.Message, "Cannot add connectors") {
		t.Fatalf("adding a connection while disabled: %+v", e)
	}
	// The connection is kept, and works again once re-enabled.
	n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, nil)
	n.api("PATCH", "/api/v1/org", map[string]bool{"connectors_enabled": true}, 200, nil)
	if r := post(t, c.WebhookURL, "application/json", `{"text":"after"}`); r.status != 200 || r.body != "1" {
		t.Fatalf("after re-enabling: %d %q", r.status, r.body)
	}
	var msgs struct{ Messages []message }
	n.api("GET", "/api/v1/channels/"+ch+"/messages", nil, 200, &msgs)
	if len(msgs.Messages) != 2 || msgs.Messages[0].Summary != "after" || msgs.Messages[1].Summary != "before" {
		t.Fatalf("messages = %+v", msgs.Messages)
	}

	var audit struct {
		Entries []struct {
			Action        string
			Before, After map[string]any
		}
	}
	n.api("GET", "/api/v1/audit?action=org.update", nil, 200, &audit)
	if len(audit.Entries) != 2 || audit.Entries[1].Before["connectors_enabled"] != true || audit.Entries[1].After["connectors_enabled"] != false {
		t.Fatalf("audit = %+v", audit.Entries)
	}
}

func TestCloudProfiles(t *testing.T) {
	for cloud, enabled := range map[string]bool{"commercial": true, "gcc": false, "gcch": false, "dod": true} {
		t.Run(cloud, func(t *testing.T) {
			n := start(t, app.Config{Cloud: cloud})
			var org map[string]any
			n.api("GET", "/api/v1/org", nil, 200, &org)
			if org["cloud"] != cloud || org["connectors_enabled"] != enabled {
				t.Fatalf("org = %v", org)
			}
			var team struct{ ID string }
			n.api("POST", "/api/v1/teams", map[string]string{"name": "T"}, 201, &team)
			var chans struct{ Channels []struct{ ID string } }
			n.api("GET", "/api/v1/teams/"+team.ID+"/channels", nil, 200, &chans)
			want := 201
			if !enabled {
				want = 403
			}
			n.api("POST", "/api/v1/channels/"+chans.Channels[0].ID+"/connections", map[string]string{"name": "x"}, want, nil)
		})
	}
	if _, err := app.Open(t.Context(), app.Config{Cloud: "mars", DataDir: t.TempDir()}); err == nil {
		t.Fatal("an unknown cloud profile was accepted")
	}
}

func TestSignIn(t *testing.T) {
	n := start(t, app.Config{})
	n.api("POST", "/api/v1/users", map[string]any{"name": "Ada", "email": "Ada@example.com", "password": "correct horse battery"}, 201, nil)
	// Sign in as a browser would: the cookie then authenticates, and unsafe
	// requests must come from the same origin.
	jar := newJar()
	login := func(pw string) int {
		req := jsonReq(t, "POST", n.url+"/api/v1/session", map[string]string{"email": "ada@example.com", "password": pw})
		resp, err := jar.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := login("wrong password!"); st != 401 {
		t.Fatalf("wrong password: %d", st)
	}
	if st := login("correct horse battery"); st != 200 {
		t.Fatalf("sign in: %d", st)
	}
	resp, err := jar.Do(jsonReq(t, "GET", n.url+"/api/v1/me", nil))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("me with the session cookie: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	// A cross-site POST carrying the cookie is refused.
	req := jsonReq(t, "POST", n.url+"/api/v1/teams", map[string]string{"name": "csrf"})
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, _ = jar.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-site POST with the session cookie: %d, want 403", resp.StatusCode)
	}
	req = jsonReq(t, "POST", n.url+"/api/v1/teams", map[string]string{"name": "same origin"})
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, _ = jar.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("same-origin POST with the session cookie: %d, want 201", resp.StatusCode)
	}
	resp, _ = jar.Do(jsonReq(t, "DELETE", n.url+"/api/v1/session", nil))
	resp.Body.Close()
	resp, _ = jar.Do(jsonReq(t, "GET", n.url+"/api/v1/me", nil))
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("me after signing out: %d", resp.StatusCode)
	}
}

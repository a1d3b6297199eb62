package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testenv"
	"github.com/heraldhq/herald/ratelimit"
)

// TestTwoNodes runs two nodes on one PostgreSQL database, as a deployment
// behind a load balancer would: a webhook made on one works on the other,
// followers on one see posts made to the other, the rate limit counts posts
// to both, and a removal on one is honoured by the other at once.
func TestTwoNodes(t *testing.T) {
	dsn := testenv.Postgres(t)
	key := "c2VjcmV0LWtleS1zaGFyZWQtYnktYm90aC1ub2RlcyE=" // 32 bytes, shared, as --secret-key
	now := time.Unix(1_800_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	a := start(t, app.Config{DB: dsn, SecretKey: key, RateLimit: ratelimit.Teams, Now: clock})
	b := start(t, app.Config{DB: dsn, SecretKey: key, RateLimit: ratelimit.Teams, Now: clock})

	ch, c := a.webhook()
	var onB connection
	b.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &onB)
	if onB.WebhookURL[len(b.url):] != c.WebhookURL[len(a.url):] {
		t.Fatalf("node B shows URL %q, node A %q", onB.WebhookURL, c.WebhookURL)
	}
	urlOnB := b.url + c.WebhookURL[len(a.url):]

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followA := a.stream(ctx, ch, -1)
	followB := b.stream(ctx, ch, -1)

	// Two posts to each node: four in one second, the Teams limit.
	for i, u := range []string{c.WebhookURL, urlOnB, c.WebhookURL, urlOnB} {
		if r := post(t, u, "application/json", `{"text":"post `+string(rune('0'+i))+`"}`); r.status != 200 || r.body != "1" {
			t.Fatalf("post %d: %d %q", i, r.status, r.body)
		}
	}
	for _, follow := range []<-chan event{followA, followB} {
		for i := range 4 {
			ev := next(t, follow)
			if ev.msg.Seq != int64(i+1) || ev.msg.Summary != "post "+string(rune('0'+i)) {
				t.Fatalf("event %d = seq %d %q; want every post, in order, on both nodes", i, ev.msg.Seq, ev.msg.Summary)
			}
		}
	}
	if r := post(t, urlOnB, "application/json", `{"text":"fifth"}`); r.status != 429 {
		t.Fatalf("5th post in a second across nodes: %d %q, want 429", r.status, r.body)
	}

	mu.Lock()
	now = now.Add(time.Second)
	mu.Unlock()
	if r := post(t, urlOnB, "application/json", `{"text":"cached on B"}`); r.status != 200 {
		t.Fatalf("post: %d", r.status)
	}
	a.api("DELETE", "/api/v1/connections/"+c.ID, nil, 204, nil)
	removed := time.Now()
	deadline := removed.Add(time.Second)
	for {
		r := post(t, urlOnB, "application/json", `{"text":"after removal"}`)
		if r.status == 410 {
			t.Logf("node B answered 410 %v after the removal on node A", time.Since(removed).Round(time.Millisecond))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("node B still answers %d %q a second after the removal on node A", r.status, r.body)
		}
		mu.Lock()
		now = now.Add(time.Second) // keep clear of the rate limit while polling
		mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFor polls until cond holds, and returns how long that took; it fails
// the test after limit.
func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// TestPolicyPropagation flips the organization and team switches on one
// node and measures how soon the other node's webhook follows: within a
// second is the promise (Teams takes up to 24 hours).
func TestPolicyPropagation(t *testing.T) {
	dsn := testenv.Postgres(t)
	key := "c2VjcmV0LWtleS1zaGFyZWQtYnktYm90aC1ub2RlcyE="
	a := start(t, app.Config{DB: dsn, SecretKey: key})
	b := start(t, app.Config{DB: dsn, SecretKey: key})
	ch, c := a.webhook()
	urlOnB := b.url + c.WebhookURL[len(a.url):]
	var team struct {
		TeamID string `json:"team_id"`
	}
	a.api("GET", "/api/v1/channels/"+ch, nil, 200, &team)

	accepted := 0
	postB := func() reply {
		r := post(t, urlOnB, "application/json", `{"text":"probe"}`)
		if r.status == 200 && r.body == "1" {
			accepted++
		}
		return r
	}
	if r := postB(); r.status != 200 {
		t.Fatalf("before: %d %q", r.status, r.body)
	}

	steps := []struct {
		name, node, path string
		body             map[string]bool
		status           int
		reason           string
	}{
		{"org off on A", "a", "/api/v1/org", map[string]bool{"connectors_enabled": false}, 403, "connectors_enabled"},
		{"org on on B", "b", "/api/v1/org", map[string]bool{"connectors_enabled": true}, 200, ""},
		{"for teams off on A", "a", "/api/v1/org", map[string]bool{"connectors_enabled_for_teams": false}, 403, "connectors_enabled_for_teams"},
		{"for teams on on A", "a", "/api/v1/org", map[string]bool{"connectors_enabled_for_teams": true}, 200, ""},
		{"team off on A", "a", "/api/v1/teams/" + team.TeamID, map[string]bool{"connectors_enabled": false}, 403, "team.connectors_enabled"},
		{"team on on A", "a", "/api/v1/teams/" + team.TeamID, map[string]bool{"connectors_enabled": true}, 200, ""},
	}
	for _, st := range steps {
		n := a
		if st.node == "b" {
			n = b
		}
		n.api("PATCH", st.path, st.body, 200, nil)
		var last reply
		d := waitFor(t, time.Second, st.name+": node B's webhook", func() bool {
			last = postB()
			return last.status == st.status
		})
		if st.reason != "" && !strings.Contains(last.body, st.reason) {
			t.Fatalf("%s: 403 body %q does not name %s", st.name, last.body, st.reason)
		}
		t.Logf("%s: node B answered %d after %v", st.name, st.status, d.Round(time.Millisecond))
	}

	// Nothing was lost: every post answered 1 is stored, and the connection
	// survived being disabled.
	var got struct {
		MessageCount int `json:"message_count"`
	}
	b.api("GET", "/api/v1/channels/"+ch, nil, 200, &got)
	if got.MessageCount != accepted {
		t.Fatalf("message_count = %d, want the %d posts answered 1", got.MessageCount, accepted)
	}
}

package app_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testenv"
)

func hmacHex(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// TestThirdPartyDelivery posts a real Gitea push through a Gitea
// connection: signed, filtered by event and branch, logged.
func TestThirdPartyDelivery(t *testing.T) {
	n := start(t, app.Config{})
	ch := n.channel()
	push, err := os.ReadFile(filepath.Join(testenv.Corpus(t), "zulip-fixtures", "gitea", "fixtures", "push__5_commits.json"))
	testenv.Must(t, err, "fixture")
	issue, err := os.ReadFile(filepath.Join(testenv.Corpus(t), "zulip-fixtures", "gitea", "fixtures", "issues__opened.json"))
	testenv.Must(t, err, "fixture")

	var c struct {
		ID         string
		WebhookURL string `json:"webhook_url"`
		SlackURL   string `json:"slack_url"`
	}
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]any{"connector": "gitea", "name": "test repo",
		"config": map[string]any{"events": []string{"push"}, "branches": "main,d"}, "secret": "hush"}, 201, &c)
	if !strings.Contains(c.WebhookURL, "/Gitea/") || c.SlackURL != "" {
		t.Fatalf("connection = %+v", c)
	}
	send := func(event string, body []byte, sig string) reply {
		return postWith(t, c.WebhookURL, map[string]string{"X-Gitea-Event": event, "X-Gitea-Signature": sig}, string(body))
	}
	if r := send("push", push, hmacHex("wrong", push)); r.status != 401 {
		t.Fatalf("wrong signature: %d %q", r.status, r.body)
	}
	if r := send("push", push, hmacHex("hush", push)); r.status != 200 || r.body != "1" {
		t.Fatalf("signed push: %d %q", r.status, r.body)
	}
	if r := send("issues", issue, hmacHex("hush", issue)); r.status != 200 {
		t.Fatalf("issue event (filtered): %d %q", r.status, r.body)
	}
	var msgs struct{ Messages []message }
	n.api("GET", "/api/v1/channels/"+ch+"/messages", nil, 200, &msgs)
	if len(msgs.Messages) != 1 || msgs.Messages[0].Format != "gitea" {
		t.Fatalf("messages = %+v", msgs.Messages)
	}
	card := string(msgs.Messages[0].Card)
	for _, want := range []string{"kostekIV", "https://try.gitea.io/kostekIV/test/compare/21138d2ca0ce18f8e037696fdbe1b3f0c211f630...2ec0c971d04723523aa20f2b378f8b419b47d4ec"} {
		if !strings.Contains(card, want) {
			t.Errorf("card lacks %q: %s", want, card)
		}
	}

	// Only branch main: the push to d is filtered out.
	n.api("PATCH", "/api/v1/connections/"+c.ID, map[string]any{"config": map[string]any{"branches": "main"}}, 200, nil)
	send("push", push, hmacHex("hush", push))
	n.api("GET", "/api/v1/channels/"+ch+"/messages", nil, 200, &msgs)
	if len(msgs.Messages) != 1 {
		t.Fatalf("a push to a filtered branch was posted")
	}
	var log struct {
		Deliveries []struct{ Event, Outcome, Reason string }
	}
	n.api("GET", "/api/v1/connections/"+c.ID+"/deliveries", nil, 200, &log)
	var outcomes []string
	for _, d := range log.Deliveries {
		outcomes = append(outcomes, d.Outcome)
	}
	if strings.Join(outcomes, ",") != "filtered,filtered,posted,rejected" ||
		!strings.Contains(log.Deliveries[0].Reason, "branch d") || !strings.Contains(log.Deliveries[1].Reason, "issues") {
		t.Fatalf("delivery log = %+v", log.Deliveries)
	}
	n.api("PATCH", "/api/v1/connections/"+c.ID, map[string]any{"config": map[string]any{"events": []string{"wiki"}}}, 400, nil)
}

func TestGitHubPingAndSignature(t *testing.T) {
	n := start(t, app.Config{})
	ch := n.channel()
	var c struct {
		ID         string
		WebhookURL string `json:"webhook_url"`
	}
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]any{"connector": "github", "name": "repo", "secret": "gh-secret"}, 201, &c)
	ping := []byte(`{"zen":"Keep it logically awesome.","hook_id":1,"repository":{"full_name":"o/r"}}`)
	hdr := func(event string, body []byte, secret string) map[string]string {
		return map[string]string{"X-GitHub-Event": event, "X-Hub-Signature-256": "sha256=" + hmacHex(secret, body)}
	}
	if r := postWith(t, c.WebhookURL, hdr("ping", ping, "gh-secret"), string(ping)); r.status != 200 {
		t.Fatalf("ping: %d %q", r.status, r.body)
	}
	if r := postWith(t, c.WebhookURL, hdr("ping", ping, "not-it"), string(ping)); r.status != 401 {
		t.Fatalf("forged ping: %d %q", r.status, r.body)
	}
	push, err := os.ReadFile(filepath.Join(testenv.Corpus(t), "zulip-fixtures", "github", "fixtures", "push__1_commit.json"))
	testenv.Must(t, err, "fixture")
	if r := postWith(t, c.WebhookURL, hdr("push", push, "gh-secret"), string(push)); r.status != 200 || r.body != "1" {
		t.Fatalf("push: %d %q", r.status, r.body)
	}
	var msgs struct{ Messages []message }
	n.api("GET", "/api/v1/channels/"+ch+"/messages", nil, 200, &msgs)
	if len(msgs.Messages) != 1 || msgs.Messages[0].Format != "github" {
		t.Fatalf("messages = %+v (the ping must not be posted)", msgs.Messages)
	}
	var log struct {
		Deliveries []struct{ Event, Outcome, Reason string }
	}
	n.api("GET", "/api/v1/connections/"+c.ID+"/deliveries", nil, 200, &log)
	if len(log.Deliveries) != 3 || log.Deliveries[2].Reason != "ping" || log.Deliveries[0].Outcome != "posted" || log.Deliveries[0].Event != "push" {
		t.Fatalf("delivery log = %+v", log.Deliveries)
	}
}

package app_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testenv"
)

// channel creates a team and returns its General channel's id.
func (n *node) channel() string {
	n.t.Helper()
	var team struct{ ID string }
	n.api("POST", "/api/v1/teams", map[string]string{"name": "Ops"}, 201, &team)
	var chans struct{ Channels []struct{ ID string } }
	n.api("GET", "/api/v1/teams/"+team.ID+"/channels", nil, 200, &chans)
	return chans.Channels[0].ID
}

func postWith(t *testing.T, url string, header map[string]string, body string) reply {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	testenv.Must(t, err, "post")
	defer resp.Body.Close()
	b := make([]byte, 4096)
	k, _ := resp.Body.Read(b)
	return reply{resp.StatusCode, string(b[:k]), resp.Header}
}

func TestGenericConnector(t *testing.T) {
	n := start(t, app.Config{})
	ch := n.channel()
	tmpl := map[string]any{"title": "{{.check}} is {{.state}}", "text": "{{.output}}", "link": "{{.url}}",
		"facts": []map[string]string{{"name": "Host", "value": "{{.host}}"}}}
	sample := `{"check":"api-latency","state":"CRITICAL","output":"p99 2.1 s","url":"https://mon.example.com/c/7","host":"web-3"}`

	var preview struct {
		Summary string
		Card    map[string]any
	}
	n.api("POST", "/api/v1/connectors/generic/preview", map[string]any{"template": tmpl, "sample": jsonRaw(sample)}, 200, &preview)
	if preview.Summary != "api-latency is CRITICAL" || !strings.Contains(fmtJSON(preview.Card), "web-3") {
		t.Fatalf("preview = %+v", preview)
	}
	var e struct {
		Error struct{ Code, Message string }
	}
	n.api("POST", "/api/v1/connectors/generic/preview", map[string]any{"template": map[string]string{"title": "{{.x"}, "sample": jsonRaw(`{}`)}, 400, &e)
	if !strings.Contains(e.Error.Message, "not valid") {
		t.Fatalf("bad template preview: %+v", e)
	}
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]any{"connector": "generic", "name": "Nagios"}, 400, &e)
	if !strings.Contains(e.Error.Message, "template") {
		t.Fatalf("generic without template: %+v", e)
	}

	var c struct {
		ID, Name   string
		WebhookURL string `json:"webhook_url"`
		SlackURL   string `json:"slack_url"`
		SecretSet  bool   `json:"secret_set"`
	}
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]any{"connector": "generic", "name": "Nagios",
		"config": map[string]any{"template": tmpl}, "secret": "s3cret"}, 201, &c)
	if !strings.Contains(c.WebhookURL, "/GenericJSON/") || c.SlackURL != "" || !c.SecretSet {
		t.Fatalf("generic connection = %+v", c)
	}
	if r := postWith(t, c.WebhookURL, nil, sample); r.status != 401 {
		t.Fatalf("post without the secret: %d %q", r.status, r.body)
	}
	if r := postWith(t, c.WebhookURL, map[string]string{"Authorization": "Bearer s3cret"}, sample); r.status != 200 || r.body != "1" {
		t.Fatalf("post with the secret: %d %q", r.status, r.body)
	}
	if r := postWith(t, c.WebhookURL, map[string]string{"Authorization": "Bearer s3cret"}, `not json`); r.status != 400 {
		t.Fatalf("non-JSON: %d %q", r.status, r.body)
	}
	var msgs struct{ Messages []message }
	n.api("GET", "/api/v1/channels/"+ch+"/messages", nil, 200, &msgs)
	if len(msgs.Messages) != 1 || msgs.Messages[0].Format != "generic" || msgs.Messages[0].Summary != "api-latency is CRITICAL" {
		t.Fatalf("messages = %+v", msgs.Messages)
	}
	var log struct {
		Deliveries []struct {
			Outcome, Reason, Event string
			Size                   int
			Messages               int
		}
	}
	n.api("GET", "/api/v1/connections/"+c.ID+"/deliveries", nil, 200, &log)
	if len(log.Deliveries) != 3 || log.Deliveries[0].Outcome != "rejected" || log.Deliveries[1].Outcome != "posted" ||
		log.Deliveries[1].Messages != 1 || log.Deliveries[1].Size != len(sample) || log.Deliveries[2].Outcome != "rejected" ||
		!strings.Contains(log.Deliveries[2].Reason, "signature") {
		t.Fatalf("delivery log = %+v", log.Deliveries)
	}
	var raw map[string]any
	n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &raw)
	if strings.Contains(fmtJSON(raw), "s3cret") {
		t.Fatal("the service secret appears in the API")
	}
	// Clearing the secret lets unsigned posts in.
	n.api("PATCH", "/api/v1/connections/"+c.ID, map[string]any{"secret": ""}, 200, nil)
	if r := postWith(t, c.WebhookURL, nil, sample); r.body != "1" {
		t.Fatalf("post after clearing the secret: %d %q", r.status, r.body)
	}
}

func TestRetiredConnectors(t *testing.T) {
	n := start(t, app.Config{})
	ch := n.channel()
	var e struct {
		Error struct{ Code, Message string }
	}
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]any{"connector": "trello", "name": "Board"}, 409, &e)
	if e.Error.Code != "connector_retired" || !strings.Contains(e.Error.Message, "retired") {
		t.Fatalf("retired connector: %+v", e)
	}
	n.api("POST", "/api/v1/connectors/trello/restore", nil, 409, nil) // no translator for it

	// An org admin retires a working connector: new connections are
	// refused, existing ones keep posting.
	var c struct {
		ID         string
		WebhookURL string `json:"webhook_url"`
	}
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]any{"connector": "incoming-webhook", "name": "before"}, 201, &c)
	var got struct{ Retired bool }
	n.api("POST", "/api/v1/connectors/incoming-webhook/retire", nil, 200, &got)
	if !got.Retired {
		t.Fatal("retire answered retired=false")
	}
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]any{"connector": "incoming-webhook", "name": "after"}, 409, &e)
	if e.Error.Code != "connector_retired" {
		t.Fatalf("after retiring: %+v", e)
	}
	if r := post(t, c.WebhookURL, "application/json", `{"text":"still here"}`); r.body != "1" {
		t.Fatalf("existing connection of a retired connector: %d %q", r.status, r.body)
	}
	var catalog struct {
		Connectors []struct {
			ID      string
			Retired bool
			IconURL string `json:"icon_url"`
		}
	}
	n.api("GET", "/api/v1/connectors", nil, 200, &catalog)
	for _, x := range catalog.Connectors {
		if x.ID == "incoming-webhook" && !x.Retired {
			t.Fatal("catalog does not show the org's retirement")
		}
	}
	n.api("POST", "/api/v1/connectors/incoming-webhook/restore", nil, 200, &got)
	n.api("POST", "/api/v1/channels/"+ch+"/connections", map[string]any{"connector": "incoming-webhook", "name": "restored"}, 201, nil)
	st, body, h := n.raw("GET", catalog.Connectors[0].IconURL, "", nil)
	if st != 200 || h.Get("Content-Type") != "image/svg+xml" || !strings.Contains(string(body), "<svg") {
		t.Fatalf("icon: %d %s", st, h.Get("Content-Type"))
	}
	var audit struct{ Entries []struct{ Action string } }
	n.api("GET", "/api/v1/audit?action=connector.retire", nil, 200, &audit)
	if len(audit.Entries) != 1 {
		t.Fatalf("retirements audited: %d", len(audit.Entries))
	}
}

package grafana

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/fixturetest"
)

func TestFixtures(t *testing.T) {
	passed, total := fixturetest.Run(t, "grafana", Translate, map[string]string{})
	if total == 0 || passed*100 < total*95 {
		t.Errorf("grafana: %d of %d fixture cases pass, below 95%%", passed, total)
	}
}

// visible is the card text as a reader sees it: markdown escapes removed.
func visible(cards []connector.Card) string {
	var b strings.Builder
	for _, c := range cards {
		b.WriteString(fixturetest.Text(c))
	}
	return strings.ReplaceAll(b.String(), `\`, "")
}

func translate(t *testing.T, body string) (connector.Output, string) {
	t.Helper()
	out, err := Translate(connector.Delivery{Header: http.Header{}, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return out, visible(out.Cards)
}

var stateColours = map[string]string{"alerting": "#D13438", "ok": "#2DC72D", "no_data": "#FFAA44", "pending": "#FFAA44", "paused": "#6264A7"}

// TestFixtureFacts checks what each fixture says must be on its card: the
// rule's name, its state, its message, every metric with its name, and the
// event and colour that go with the state.
func TestFixtureFacts(t *testing.T) {
	for _, c := range fixturetest.Cases(t, "grafana") {
		t.Run(c.Name, func(t *testing.T) {
			var p struct {
				RuleName    string `json:"ruleName"`
				State       string `json:"state"`
				Message     string `json:"message"`
				EvalMatches []struct {
					Metric string `json:"metric"`
				} `json:"evalMatches"`
			}
			if err := json.Unmarshal(c.Delivery.Body, &p); err != nil {
				t.Fatal(err)
			}
			out, text := translate(t, string(c.Delivery.Body))
			if len(out.Cards) != 1 {
				t.Fatalf("%d cards (ignored %q)", len(out.Cards), out.Ignored)
			}
			if out.Event != "alert."+p.State {
				t.Errorf("event %q, want alert.%s", out.Event, p.State)
			}
			state := strings.ReplaceAll(p.State, "_", " ")
			if !strings.Contains(strings.ToLower(text), state) {
				t.Errorf("the card does not say %q:\n%s", state, text)
			}
			for _, w := range []string{p.RuleName, p.Message} {
				if !strings.Contains(text, w) {
					t.Errorf("the card lacks %q:\n%s", w, text)
				}
			}
			for _, m := range p.EvalMatches {
				if !strings.Contains(text, m.Metric) {
					t.Errorf("the card lacks the metric %q:\n%s", m.Metric, text)
				}
			}
			if col := stateColours[p.State]; !strings.Contains(string(out.Cards[0].Card), col) {
				t.Errorf("state %s without colour %s", p.State, col)
			}
		})
	}
}

// unifiedBody is a Grafana Alerting notification written after the shape
// Grafana documents for its webhook contact point.
const unifiedBody = `{
  "receiver": "herald", "status": "firing", "orgId": 1, "state": "alerting",
  "title": "[FIRING:2] (ops)", "version": "1", "groupKey": "{}:{}", "truncatedAlerts": 0,
  "message": "**Firing**\n\nLabels:\n - alertname = Queue_depth\n",
  "groupLabels": {}, "commonLabels": {"team": "ops", "alertname": "Queue_depth"}, "commonAnnotations": {},
  "externalURL": "https://grafana.example.com/",
  "alerts": [
    {"status": "firing", "labels": {"alertname": "Queue_depth", "team": "ops", "queue": "mail"},
     "annotations": {"summary": "mail queue is deep"},
     "startsAt": "2024-03-01T12:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
     "generatorURL": "https://grafana.example.com/alerting/grafana/r1/view",
     "silenceURL": "https://grafana.example.com/alerting/silence/new?matcher=queue%3Dmail",
     "dashboardURL": "https://grafana.example.com/d/q1", "panelURL": "https://grafana.example.com/d/q1?viewPanel=2",
     "values": {"A": 1234.5678, "C": 1}},
    {"status": "firing", "labels": {"alertname": "Queue_depth", "team": "ops", "queue": "jobs"},
     "annotations": {"description": "jobs queue is deep"},
     "generatorURL": "https://grafana.example.com/alerting/grafana/r1/view",
     "dashboardURL": "https://grafana.example.com/d/q1", "panelURL": "",
     "valueString": "[ var='A' labels={queue=jobs} value=99 ]",
     "imageURL": "https://grafana.example.com/public/img/attachments/x.png"}
  ]
}`

func TestUnifiedGroup(t *testing.T) {
	out, text := translate(t, unifiedBody)
	if out.Event != "alert.alerting" || len(out.Cards) != 1 {
		t.Fatalf("event %q, %d cards", out.Event, len(out.Cards))
	}
	for _, w := range []string{
		"Queue_depth: 2 alerts firing", "team", "ops",
		"mail queue is deep (queue=mail) · A=1234.57, C=1", "jobs queue is deep (queue=jobs) · [ var='A' labels={queue=jobs} value=99 ]",
		"https://grafana.example.com/d/q1?viewPanel=2", "https://grafana.example.com/alerting/grafana/r1/view",
		"https://grafana.example.com/public/img/attachments/x.png", "https://grafana.example.com/",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "Labels:") {
		t.Errorf("Grafana's default message repeated:\n%s", text)
	}
	if !strings.Contains(string(out.Cards[0].Card), "#D13438") {
		t.Error("firing without the attention colour")
	}
}

func TestUnifiedResolvedSingle(t *testing.T) {
	body := `{"status":"resolved","state":"ok","message":"Custom: all good","commonLabels":{"alertname":"Disk"},
	"alerts":[{"status":"resolved","labels":{"alertname":"Disk","host":"db1"},"annotations":{"summary":"disk ok","runbook_url":"https://wiki.example.com/disk"},
	"startsAt":"2024-03-01T12:00:00Z","endsAt":"2024-03-01T12:10:00+01:00","dashboardURL":"https://g.example.com/d/1",
	"silenceURL":"https://g.example.com/silence","values":{"B":0.5}}]}`
	out, text := translate(t, body)
	if out.Event != "alert.ok" {
		t.Errorf("event %q", out.Event)
	}
	for _, w := range []string{"Disk: resolved", "Custom: all good", "B=0.5", "2024-03-01 12:00 UTC", "2024-03-01 11:10 UTC", "host", "db1",
		"https://g.example.com/d/1", "https://wiki.example.com/disk"} {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "https://g.example.com/silence") {
		t.Error("a resolved alert offers a silence")
	}
	if !strings.Contains(string(out.Cards[0].Card), "#2DC72D") {
		t.Error("resolved without the good colour")
	}
}

func TestIgnoredAndErrors(t *testing.T) {
	for _, body := range []string{`{}`, `[]`, `1`, `{"alerts":[]}`, `{"ruleName":"x"}`, `{"state":"<b>"}`} {
		out, err := Translate(connector.Delivery{Body: []byte(body)})
		if err != nil || len(out.Cards) != 0 || out.Ignored == "" {
			t.Errorf("%s: %d cards, ignored %q, err %v", body, len(out.Cards), out.Ignored, err)
		}
	}
	// Fields of unexpected types are skipped, not fatal.
	out, text := translate(t, `{"state":"alerting","ruleName":"R","evalMatches":[{"metric":"m","value":null},{"metric":{},"value":"7"}],"ruleUrl":"javascript:x","tags":[]}`)
	if out.Event != "alert.alerting" || !strings.Contains(text, "R") || strings.Contains(text, "javascript") {
		t.Errorf("event %q:\n%s", out.Event, text)
	}
	if _, err := Translate(connector.Delivery{Body: []byte("state=alerting")}); err == nil {
		t.Error("no error for a body that is not JSON")
	}
}

// checkOutput is what holds for any body: no error for JSON, valid cards,
// and a reason when nothing is posted.
func checkOutput(t *testing.T, body []byte) {
	t.Helper()
	out, err := Translate(connector.Delivery{Header: http.Header{}, Body: body})
	if json.Valid(body) != (err == nil) {
		t.Fatalf("valid JSON %v, err %v", json.Valid(body), err)
	}
	if err != nil {
		return
	}
	if len(out.Cards) == 0 && out.Ignored == "" {
		t.Fatal("no card and no reason")
	}
	for _, c := range out.Cards {
		if !json.Valid(c.Card) {
			t.Fatalf("card is not JSON: %s", c.Card)
		}
	}
}

func TestOtherServicesDoNotPanic(t *testing.T) {
	for _, body := range fixturetest.OtherBodies(t, "grafana") {
		checkOutput(t, body)
	}
}

func FuzzTranslate(f *testing.F) {
	for _, c := range fixturetest.Cases(f, "grafana") {
		f.Add(c.Delivery.Body)
	}
	f.Add([]byte(unifiedBody))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkOutput(t, body)
	})
}

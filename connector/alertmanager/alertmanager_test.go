package alertmanager

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/fixturetest"
	"github.com/heraldhq/herald/internal/testenv"
)

func TestFixtures(t *testing.T) {
	passed, total := fixturetest.Run(t, "alertmanager", Translate, map[string]string{})
	if total == 0 || passed*100 < total*95 {
		t.Errorf("alertmanager: %d of %d fixture cases pass, below 95%%", passed, total)
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

// bodies are the Zulip fixtures and the other Alertmanager body of the
// corpus (prometheus-msteams' test request).
func bodies(t testing.TB) map[string][]byte {
	out := map[string][]byte{}
	for _, c := range fixturetest.Cases(t, "alertmanager") {
		out[c.Name] = c.Delivery.Body
	}
	files, _ := filepath.Glob(filepath.Join(testenv.Corpus(t), "misc-webhooks", "alertmanager", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	if len(out) < 3 {
		t.Fatalf("only %d Alertmanager bodies in the corpus", len(out))
	}
	return out
}

// TestPayloadFacts checks what each payload says must be on its card: the
// alert names, the status, every alert's description or summary, and the
// colour and event that go with the status.
func TestPayloadFacts(t *testing.T) {
	for name, body := range bodies(t) {
		t.Run(name, func(t *testing.T) {
			var p struct {
				Status string `json:"status"`
				Alerts []struct {
					Labels      map[string]string `json:"labels"`
					Annotations map[string]string `json:"annotations"`
				} `json:"alerts"`
			}
			if err := json.Unmarshal(body, &p); err != nil {
				t.Fatal(err)
			}
			out, err := Translate(connector.Delivery{Header: http.Header{}, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Cards) != 1 {
				t.Fatalf("%d cards, want 1 (ignored: %s)", len(out.Cards), out.Ignored)
			}
			if out.Event != "alert."+p.Status {
				t.Errorf("event %q, want alert.%s", out.Event, p.Status)
			}
			text := visible(out.Cards)
			if !strings.Contains(strings.ToLower(text), p.Status) {
				t.Errorf("the card does not say %q:\n%s", p.Status, text)
			}
			for _, a := range p.Alerts {
				want := []string{a.Labels["alertname"], a.Annotations["description"]}
				if want[1] == "" {
					want[1] = a.Annotations["summary"]
				}
				for _, w := range want {
					if w != "" && !strings.Contains(text, w) {
						t.Errorf("the card lacks %q:\n%s", w, text)
					}
				}
			}
			colour := "#D13438"
			if p.Status == "resolved" {
				colour = "#2DC72D"
			}
			if !strings.Contains(string(out.Cards[0].Card), colour) {
				t.Errorf("status %s without colour %s", p.Status, colour)
			}
		})
	}
}

func translate(t *testing.T, body string) (connector.Output, string) {
	t.Helper()
	out, err := Translate(connector.Delivery{Header: http.Header{}, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return out, visible(out.Cards)
}

func TestGroup(t *testing.T) {
	body := `{"version":"4","status":"firing","receiver":"team","groupLabels":{"alertname":"DiskFull"},
	"commonLabels":{"alertname":"DiskFull","severity":"page"},"commonAnnotations":{"summary":"Disk almost full","runbook_url":"https://wiki.example.com/disk"},
	"externalURL":"https://am.example.com","truncatedAlerts":2,"alerts":[
	{"status":"firing","labels":{"alertname":"DiskFull","instance":"db1","severity":"page"},"annotations":{"description":"db1 at 97%"},"generatorURL":"https://prom.example.com/graph?g0.expr=up&g0.tab=1"},
	{"status":"resolved","labels":{"alertname":"DiskFull","instance":"db2","severity":"page"},"annotations":{"description":"db2 at 80%"},"generatorURL":"https://prom.example.com/graph?g0.expr=up&g0.tab=1"},
	{"status":"firing","labels":{"alertname":"DiskFull","instance":"db3","severity":"page"},"annotations":{},"generatorURL":"javascript:alert(1)"}]}`
	out, text := translate(t, body)
	if out.Event != "alert.firing" || len(out.Cards) != 1 {
		t.Fatalf("event %q, %d cards", out.Event, len(out.Cards))
	}
	for _, w := range []string{
		"DiskFull: 2 firing, 1 resolved", "Disk almost full", "severity", "page",
		"db1 at 97% (instance=db1)", "resolved** db2 at 80%", "DiskFull (instance=db3)",
		"https://prom.example.com/graph?g0.expr=up&g0.tab=0", "https://am.example.com", "https://wiki.example.com/disk",
		"and 2 more alerts",
	} {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "javascript:") || strings.Contains(text, "View graph 2") {
		t.Errorf("unsafe or duplicate link:\n%s", text)
	}
}

func TestSingleAlertTimes(t *testing.T) {
	body := `{"status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"Down","job":"api"},
	"startsAt":"2024-05-01T10:00:00+02:00","endsAt":"2024-05-01T10:30:00Z"}]}`
	out, text := translate(t, body)
	if out.Event != "alert.resolved" {
		t.Errorf("event %q", out.Event)
	}
	for _, w := range []string{"Down: resolved", "2024-05-01 08:00 UTC", "2024-05-01 10:30 UTC", "job", "api"} {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
}

func TestGraphURL(t *testing.T) {
	for in, want := range map[string]string{
		"http://p:9090/graph?g0.expr=a%28b%29&g0.tab=1":             "http://p:9090/graph?g0.expr=a%28b%29&g0.tab=0",
		"http://p:9090/prom/graph?g0.tab=1&g1.tab=1#x":              "http://p:9090/prom/graph?g0.tab=0&g1.tab=0#x",
		"https://grafana.example.com/alerting/abc/edit?g0.tab=1":    "https://grafana.example.com/alerting/abc/edit?g0.tab=1",
		"ftp://p/graph?g0.tab=1":                                    "",
		"http://p:9090/graph":                                       "http://p:9090/graph",
		"http://p:9090/graph?g0.expr=rate(x[5m])&g0.tab=1&g0.x=tab": "http://p:9090/graph?g0.expr=rate(x[5m])&g0.tab=0&g0.x=tab",
	} {
		if got := graphURL(in); got != want {
			t.Errorf("graphURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIgnoredAndErrors(t *testing.T) {
	for _, body := range []string{`{}`, `[]`, `"x"`, `{"status":"firing","alerts":[]}`, `{"alerts":"x"}`} {
		out, err := Translate(connector.Delivery{Body: []byte(body)})
		if err != nil || len(out.Cards) != 0 || out.Ignored == "" {
			t.Errorf("%s: %d cards, ignored %q, err %v", body, len(out.Cards), out.Ignored, err)
		}
	}
	// Labels of other types than strings are read as their text.
	out, text := translate(t, `{"alerts":[{"labels":{"alertname":"X","code":500,"ok":true,"o":{}}}]}`)
	if out.Event != "alert.firing" || !strings.Contains(text, "500") || !strings.Contains(text, "true") {
		t.Errorf("event %q:\n%s", out.Event, text)
	}
	if _, err := Translate(connector.Delivery{Body: []byte("{")}); err == nil {
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
	for _, body := range fixturetest.OtherBodies(t, "alertmanager") {
		checkOutput(t, body)
	}
}

func FuzzTranslate(f *testing.F) {
	for _, b := range bodies(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkOutput(t, body)
	})
}

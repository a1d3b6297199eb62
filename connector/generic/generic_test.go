package generic

import (
	"strings"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/connector/fixturetest"
)

func TestRender(t *testing.T) {
	c, err := Compile(herald.Template{
		Title: "{{.alert.name}} is {{upper .alert.state}}",
		Text:  "{{range .alert.hosts}}- {{.}}\n{{end}}",
		Link:  "{{.alert.url}}",
		Facts: []herald.TemplateFact{{Name: "Severity", Value: "{{default \"unknown\" .alert.severity}}"}, {Name: "Empty", Value: "{{.nothing}}"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	card, err := c.Render([]byte(`{"alert":{"name":"Disk *full*","state":"firing","hosts":["db1","db2"],"url":"https://mon.example.com/a/1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	text := fixturetest.Text(card)
	for _, want := range []string{`Disk \*full\* is FIRING`, "- db1\n- db2", "https://mon.example.com/a/1", "Severity", "unknown"} {
		if !strings.Contains(text, want) {
			t.Errorf("card lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "Empty") {
		t.Error("a fact with an empty value was kept")
	}
	if card.Summary != `Disk *full* is FIRING` {
		t.Errorf("summary = %q", card.Summary)
	}
}

func TestUnsafeLinkDropped(t *testing.T) {
	c, _ := Compile(herald.Template{Title: "x", Link: "{{.u}}"})
	card, err := c.Render([]byte(`{"u":"javascript:alert(1)"}`))
	if err != nil || strings.Contains(string(card.Card), "javascript:") {
		t.Fatalf("unsafe link kept: %s %v", card.Card, err)
	}
}

func TestCompileErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		t    herald.Template
		want string
	}{
		"no title":       {herald.Template{}, "needs a title"},
		"syntax":         {herald.Template{Title: "{{.a"}, "title:"},
		"range number":   {herald.Template{Title: "x", Text: "{{range 100000000000}}{{end}}"}, "range"},
		"define":         {herald.Template{Title: `{{define "a"}}x{{end}}y`}, "define"},
		"template call":  {herald.Template{Title: `x{{template "title"}}`}, "template"},
		"unknown func":   {herald.Template{Title: `{{exec "rm"}}`}, "title:"},
		"too many facts": {herald.Template{Title: "x", Facts: make([]herald.TemplateFact, 21)}, "20 facts"},
		"range too deep": {herald.Template{Title: "{{range .a}}{{range $.a}}{{range $.a}}{{range $.a}}x{{end}}{{end}}{{end}}{{end}}"}, "nested"},
	} {
		if _, err := Compile(tc.t); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", name, err, tc.want)
		}
	}
}

func TestRenderBounded(t *testing.T) {
	c, _ := Compile(herald.Template{Title: "{{range .a}}{{range .}}xxxxxxxxxx{{end}}{{end}}"})
	body := `{"a":[` + strings.Repeat(`[1,1,1,1,1,1,1,1,1,1],`, 1000) + `[1]]}`
	if _, err := c.Render([]byte(body)); err == nil || !strings.Contains(err.Error(), "over") {
		t.Fatalf("huge output: err = %v", err)
	}
	if _, err := c.Render([]byte(`not json`)); err == nil {
		t.Fatal("non-JSON body accepted")
	}
}

// TestRenderWorkBounded: nested ranges over a long list cannot run away:
// lists are cut to 100 elements.
func TestRenderWorkBounded(t *testing.T) {
	c, err := Compile(herald.Template{Title: "t", Text: "{{range .a}}{{range $.a}}{{range $.a}}{{end}}{{end}}{{end}}{{len .a}}"})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"a":[` + strings.Repeat(`1,`, 10000) + `1]}`
	card, err := c.Render([]byte(body))
	if err != nil || !strings.Contains(string(card.Card), `"100"`) {
		t.Fatalf("card = %s, %v", card.Card, err)
	}
}

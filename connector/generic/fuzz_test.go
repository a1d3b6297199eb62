package generic

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald"
)

// FuzzRender runs arbitrary templates over arbitrary bodies: compiling may
// refuse, rendering may fail, but nothing panics or hangs, and every card
// made is valid JSON.
func FuzzRender(f *testing.F) {
	f.Add("{{.a}} is {{.b}}", "{{range .list}}- {{.}}\n{{end}}", `{"a":"x","b":1,"list":[1,2]}`)
	f.Add("{{default \"none\" .missing}}", "{{upper .a}}{{lower .a}}", `{"a":"MiXeD"}`)
	f.Add("{{join \", \" .l}}", "{{with .o}}{{.k}}{{end}}", `{"l":["a","b"],"o":{"k":"v"}}`)
	f.Add("{{if .x}}yes{{else}}no{{end}}", "", `null`)
	f.Fuzz(func(t *testing.T, title, text, body string) {
		c, err := Compile(herald.Template{Title: title, Text: text, Link: "{{.url}}",
			Facts: []herald.TemplateFact{{Name: "n", Value: text}}})
		if err != nil {
			return
		}
		card, err := c.Render([]byte(body))
		if err != nil {
			return
		}
		if !json.Valid(card.Card) {
			t.Fatalf("invalid card JSON: %s", card.Card)
		}
	})
}

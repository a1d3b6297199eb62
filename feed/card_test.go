package feed

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCard(t *testing.T) {
	it := Item{
		Key:       "guid:1",
		Title:     "Herald 1.2: *faster* [polls]",
		Link:      "https://blog.example.com/posts/1.2_(final)",
		Summary:   "First paragraph.\n\n- not a list\n1. not a list either\n<b>not a tag</b>",
		Author:    "Ada_Lovelace",
		Published: time.Date(2026, 11, 3, 9, 5, 0, 0, time.UTC),
		Image:     "https://blog.example.com/shot.png",
	}
	summary, card := Card("Herald #blog", it)
	if summary != "Herald #blog: Herald 1.2: *faster* [polls]" {
		t.Errorf("summary %q", summary)
	}
	want := `{"type":"AdaptiveCard","$schema":"http://adaptivecards.io/schemas/adaptive-card.json","version":"1.5","body":[` +
		`{"type":"TextBlock","text":"[Herald 1.2: \\*faster\\* \\[polls\\]](https://blog.example.com/posts/1.2_%28final%29)","weight":"Bolder","size":"Medium","wrap":true},` +
		`{"type":"TextBlock","text":"Herald \\#blog · Ada\\_Lovelace · 2026-11-03 09:05 UTC","isSubtle":true,"spacing":"None","wrap":true},` +
		`{"type":"TextBlock","text":"First paragraph.\n\n\\- not a list\n1\\. not a list either\n\\\u003cb\\\u003enot a tag\\\u003c/b\\\u003e","wrap":true},` +
		`{"type":"Image","url":"https://blog.example.com/shot.png","altText":"Herald 1.2: *faster* [polls]"}],` +
		`"actions":[{"type":"Action.OpenUrl","title":"Open","url":"https://blog.example.com/posts/1.2_(final)"}]}`
	if string(card) != want {
		t.Errorf("card:\n got %s\nwant %s", card, want)
	}
	// The same item always gives the same bytes.
	if _, again := Card("Herald #blog", it); string(again) != string(card) {
		t.Error("card is not deterministic")
	}
}

func TestCardMinimal(t *testing.T) {
	for _, tc := range []struct {
		name, feed string
		it         Item
		summary    string
		texts      []string
		actions    int
	}{
		{"summary only", "Micro", Item{Summary: "Just a thought."}, "Micro: Just a thought.", []string{"Micro", "Just a thought."}, 0},
		{"nothing", "", Item{}, "New feed item", []string{"New feed item"}, 0},
		{"feed name only", "F", Item{Link: "https://x.example/"}, "New item in F", []string{"F"}, 1},
		{"unsafe link", "F", Item{Title: "T", Link: "javascript:alert(1)", Image: "data:image/png;base64,AA"}, "F: T", []string{"T", "F"}, 0},
		{"mailto link", "", Item{Title: "T", Link: "mailto:team@example.com"}, "T", []string{"[T](mailto:team@example.com)"}, 1},
		{"markup in fields is text", "<b>F</b>", Item{Title: "<i>T</i>", Author: "A\nB"}, "<b>F</b>: <i>T</i>", []string{`\<i\>T\</i\>`, `\<b\>F\</b\> · A B`}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			summary, raw := Card(tc.feed, tc.it)
			var c struct {
				Body []struct {
					Type, Text string
				}
				Actions []json.RawMessage
			}
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, b := range c.Body {
				if b.Type != "TextBlock" {
					t.Errorf("unexpected %s element", b.Type)
				}
				texts = append(texts, b.Text)
			}
			if summary != tc.summary || strings.Join(texts, "|") != strings.Join(tc.texts, "|") || len(c.Actions) != tc.actions {
				t.Errorf("summary %q, texts %q, %d actions; want %q, %q, %d\n%s", summary, texts, len(c.Actions), tc.summary, tc.texts, tc.actions, raw)
			}
		})
	}
}

func TestCardSummaryLength(t *testing.T) {
	s, _ := Card(strings.Repeat("F", 150), Item{Title: strings.Repeat("T", 150)})
	if n := len([]rune(s)); n != summaryRunes || !strings.HasSuffix(s, "…") {
		t.Errorf("summary of %d runes: %q", n, s)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a*b_c[d]e` + "`f`" + `~g<h>i#j\k`, `a\*b\_c\[d\]e` + "\\`f\\`" + `\~g\<h\>i\#j\\k`},
		{"[x](javascript:alert(1))", `\[x\](javascript:alert(1))`},
		{"line\nbreak", "line break"},
	} {
		if got := md(tc.in); got != tc.want {
			t.Errorf("md(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := mdBlock("+ plus\n= eq\n12) paren\n10. dot\n2026 was a year"); got != "\\+ plus\n\\= eq\n12\\) paren\n10\\. dot\n2026 was a year" {
		t.Errorf("mdBlock: %q", got)
	}
	if got := mdURL("https://e.example/a (b)<c>"); got != "https://e.example/a%20%28b%29%3Cc%3E" {
		t.Errorf("mdURL: %q", got)
	}
}

// Package cardkit builds the concise cards that third-party connectors post:
// a linked title, who did what, a text, a facts table, a list (commits) and
// link buttons, as one canonical Adaptive Card. Translators fill a Card and
// call Build; escaping and layout live here once.
package cardkit

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald/connector"
)

// Accent colours, shown as the card's accent bar.
const (
	Good      = "good"      // success, merged, resolved
	Attention = "attention" // failure, firing alert
	Warning   = "warning"   // pending, degraded
	Accent    = "accent"    // neutral activity
)

var accents = map[string]string{Good: "#2DC72D", Attention: "#D13438", Warning: "#FFAA44", Accent: "#6264A7"}

// Card is a connector message before layout.
type Card struct {
	Summary  string // plain text for lists and notifications; default Title
	Color    string // one of the accent names, or ""
	Title    string // plain text; linked to TitleURL when set
	TitleURL string
	Subtitle string // markdown: who did what, where
	Text     string // markdown body (comment, description, alert text)
	Facts    []Fact
	Items    []string // markdown lines shown as a list (commits, alerts)
	More     string   // markdown line after Items, e.g. "[and 3 more commits](...)"
	Links    []Button // link buttons
}

// Fact is a row of the facts table.
type Fact struct{ Name, Value string }

// Button opens a URL.
type Button struct{ Title, URL string }

// AddFact appends a fact unless value is empty.
func (c *Card) AddFact(name, value string) {
	if strings.TrimSpace(value) != "" {
		c.Facts = append(c.Facts, Fact{name, value})
	}
}

// AddLink appends a button unless url is empty.
func (c *Card) AddLink(title, url string) {
	if url != "" {
		c.Links = append(c.Links, Button{title, url})
	}
}

// maxItems bounds the list so that a 500-commit push stays readable.
const maxItems = 10

// Build lays the card out as a canonical Adaptive Card.
func (c *Card) Build() connector.Card {
	var body []any
	if c.Title != "" {
		t := MD(c.Title)
		if c.TitleURL != "" {
			t = Link(c.Title, c.TitleURL)
		}
		body = append(body, map[string]any{"type": "TextBlock", "text": t, "weight": "Bolder", "size": "Medium", "wrap": true})
	}
	if c.Subtitle != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": c.Subtitle, "isSubtle": true, "spacing": "None", "wrap": true})
	}
	if c.Text != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": Truncate(c.Text, 2000), "wrap": true})
	}
	if len(c.Facts) > 0 {
		facts := make([]any, len(c.Facts))
		for i, f := range c.Facts {
			facts[i] = map[string]any{"title": f.Name, "value": f.Value}
		}
		body = append(body, map[string]any{"type": "FactSet", "facts": facts})
	}
	if len(c.Items) > 0 {
		items := c.Items
		more := c.More
		if len(items) > maxItems {
			if more == "" {
				more = "and " + itoa(len(items)-maxItems) + " more"
			}
			items = items[:maxItems]
		}
		lines := make([]string, len(items))
		for i, it := range items {
			lines[i] = "- " + it
		}
		body = append(body, map[string]any{"type": "TextBlock", "text": strings.Join(lines, "\n"), "wrap": true})
		if more != "" {
			body = append(body, map[string]any{"type": "TextBlock", "text": more, "isSubtle": true, "spacing": "None", "wrap": true})
		}
	} else if c.More != "" {
		body = append(body, map[string]any{"type": "TextBlock", "text": c.More, "isSubtle": true, "wrap": true})
	}
	card := map[string]any{
		"type":    "AdaptiveCard",
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"version": "1.5",
		"body":    body,
	}
	if len(c.Links) > 0 {
		actions := make([]any, 0, len(c.Links))
		for _, l := range c.Links {
			actions = append(actions, map[string]any{"type": "Action.OpenUrl", "title": l.Title, "url": l.URL})
		}
		card["actions"] = actions
	}
	if hex, ok := accents[c.Color]; ok {
		card["herald"] = map[string]any{"themeColor": hex}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep & and < readable in URLs and text
	enc.Encode(card)
	summary := c.Summary
	if summary == "" {
		summary = c.Title
	}
	return connector.Card{Summary: Truncate(summary, 200), Card: bytes.TrimRight(buf.Bytes(), "\n")}
}

// MD escapes text for Adaptive Card markdown, so that names and titles
// containing *, _, [ or ] are shown as written.
func MD(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '[', ']', '`', '~', '<', '>', '#':
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Link is a markdown link with escaped text; with no URL it is the text.
func Link(text, url string) string {
	if url == "" {
		return MD(text)
	}
	return "[" + MD(text) + "](" + strings.ReplaceAll(strings.ReplaceAll(url, "(", "%28"), ")", "%29") + ")"
}

// Truncate shortens s to at most n runes, ending with "…" when cut.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// FirstLine returns the first line of s (a commit message's subject).
func FirstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(s)
}

func itoa(n int) string {
	var b [20]byte
	i := len(b)
	for n >= 10 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	b[i] = byte('0' + n)
	return string(b[i:])
}

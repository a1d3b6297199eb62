package card

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse: no panic, and every result is either a 400/413 *Error or a valid
// canonical card that holds no unsafe URL and no Action.Submit.
// Seeds: testdata/fuzz/FuzzParse plus the inline ones below.
func FuzzParse(f *testing.F) {
	f.Add("application/json", []byte(`{"text":"Hello World"}`))
	f.Add("application/json", []byte(envelope(`{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"x"}],"msteams":{"width":"full"}}`)))
	f.Add("text/plain", []byte("plain <b>text</b>"))
	f.Add("application/json", []byte(`{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*b* <https://x|y>"}}]}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		m, err := Parse(contentType, body)
		checkResult(t, m, err)
	})
}

// FuzzParseSlack: the same invariants on the Slack-compatible endpoint.
func FuzzParseSlack(f *testing.F) {
	f.Add("application/json", []byte(`{"text":"*hi* <!here> <https://x|y>"}`))
	f.Add("application/x-www-form-urlencoded", []byte(`payload=%7B%22text%22%3A%22hi%22%7D`))
	f.Add("application/json", []byte(`{"attachments":[{"color":"good","title":"t","title_link":"https://t","fields":[{"title":"a","value":"b"}],"ts":1}]}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		m, err := ParseSlack(contentType, body)
		checkResult(t, m, err)
	})
}

func checkResult(t *testing.T, m *Message, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error is %T, not *Error", err)
		}
		if e.Status != 400 && e.Status != 413 {
			t.Fatalf("status %d", e.Status)
		}
		if e.Text == "" || !utf8.ValidString(e.Text) {
			t.Fatalf("error text %q", e.Text)
		}
		if m != nil {
			t.Fatalf("message with an error")
		}
		return
	}
	if m == nil {
		t.Fatal("nil message without error")
	}
	if !json.Valid(m.Card) {
		t.Fatalf("invalid JSON card: %s", m.Card)
	}
	var c map[string]any
	if err := json.Unmarshal(m.Card, &c); err != nil {
		t.Fatalf("card is not an object: %s", m.Card)
	}
	if c["type"] != "AdaptiveCard" || c["$schema"] != "http://adaptivecards.io/schemas/adaptive-card.json" {
		t.Fatalf("card header: %s", m.Card)
	}
	if _, ok := c["version"].(string); !ok {
		t.Fatalf("version: %s", m.Card)
	}
	if _, ok := c["body"].([]any); !ok {
		t.Fatalf("body: %s", m.Card)
	}
	if !utf8.ValidString(m.Summary) || utf8.RuneCountInString(m.Summary) > maxSummaryRunes {
		t.Fatalf("summary %q", m.Summary)
	}
	switch m.Format {
	case FormatAdaptive, FormatMessageCard, FormatSlack, FormatText:
	default:
		t.Fatalf("format %q", m.Format)
	}
	if len(objects(c, "Action.Submit")) > 0 {
		t.Fatalf("Action.Submit survived: %s", m.Card)
	}
	checkURLs(t, c, m.Card)
}

// checkURLs asserts that URL-valued members hold only http(s) (or, for
// links, mailto) URLs.
func checkURLs(t *testing.T, v any, card []byte) {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && urlMember(k) {
				l := strings.ToLower(strings.TrimSpace(s))
				if !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://") && !strings.HasPrefix(l, "mailto:") {
					t.Fatalf("unsafe %s %q in %s", k, s, card)
				}
			}
			checkURLs(t, val, card)
		}
	case []any:
		for _, e := range x {
			checkURLs(t, e, card)
		}
	}
}

package jira

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
	"github.com/heraldhq/herald/connector/fixturetest"
)

func TestFixtures(t *testing.T) {
	passed, total := fixturetest.Run(t, "jira", Translate, nil)
	if total == 0 {
		t.Fatal("no jira fixture cases")
	}
	if passed != total {
		t.Errorf("%d of %d fixture cases pass, want all", passed, total)
	}
}

// payload is the part of a Jira webhook the checks below read, decoded
// here independently of the translator.
type payload struct {
	WebhookEvent string `json:"webhookEvent"`
	EventType    string `json:"issue_event_type_name"`
	User         *user  `json:"user"`
	Issue        *struct {
		Self   string `json:"self"`
		Key    string `json:"key"`
		Fields struct {
			Summary string `json:"summary"`
		} `json:"fields"`
	} `json:"issue"`
	Comment   json.RawMessage `json:"comment"`
	Changelog *struct {
		Items []struct {
			Field    string `json:"field"`
			ToString string `json:"toString"`
		} `json:"items"`
	} `json:"changelog"`
	Transition *struct {
		ToStatus string `json:"to_status"`
	} `json:"transition"`
}

type user struct {
	Name        string `json:"name"`
	DisplayName string `json:"displayName"`
}

type comment struct {
	Body          string `json:"body"`
	Author        user   `json:"author"`
	UpdateAuthor  user   `json:"updateAuthor"`
	Visibility    any    `json:"visibility"`
	ID            string `json:"id"`
	SelfReference string `json:"self"`
}

func contains(text, s string) bool {
	return strings.Contains(text, s) || strings.Contains(text, cardkit.MD(s))
}

// TestFixtureDetails checks, for every fixture case that posts, that the
// card names the actor, the issue (key, summary and browse link), what
// changed and the comment, all as found in the payload.
func TestFixtureDetails(t *testing.T) {
	for _, c := range fixturetest.Cases(t, "jira") {
		if c.Noop {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var p payload
			if err := json.Unmarshal(c.Delivery.Body, &p); err != nil {
				t.Fatal(err)
			}
			var cm *comment
			if len(p.Comment) > 0 && p.Comment[0] == '{' {
				cm = new(comment)
				if err := json.Unmarshal(p.Comment, cm); err != nil {
					t.Fatal(err)
				}
			}
			out, err := Translate(c.Delivery)
			if err != nil {
				t.Fatal(err)
			}
			event := p.WebhookEvent
			if event == "" && p.Transition != nil {
				event = "jira:issue_updated"
			}
			if event == "jira:issue_updated" && p.EventType != "" {
				event += "." + p.EventType
			}
			if out.Event != event {
				t.Errorf("Event = %q, want %q", out.Event, event)
			}
			if len(out.Cards) != 1 {
				t.Fatalf("%d cards, want 1 (ignored: %q)", len(out.Cards), out.Ignored)
			}
			text := fixturetest.Text(out.Cards[0])
			want := func(what, s string) {
				t.Helper()
				if s == "" {
					t.Errorf("fixture has no %s", what)
				} else if !contains(text, s) {
					t.Errorf("card does not show the %s %q:\n%s", what, s, text)
				}
			}

			actor := ""
			if p.User != nil {
				actor = p.User.DisplayName
			}
			switch {
			case p.WebhookEvent == "comment_updated":
				actor = cm.UpdateAuthor.DisplayName
			case strings.HasPrefix(p.WebhookEvent, "comment_"):
				actor = cm.Author.DisplayName
			}
			want("actor", actor)

			if p.Issue != nil {
				want("issue key", p.Issue.Key)
				want("issue summary", p.Issue.Fields.Summary)
				base, _, _ := strings.Cut(p.Issue.Self, "/rest/")
				want("issue link", base+"/browse/"+p.Issue.Key)
			} else if cm != nil {
				// No issue details: the issue id from the comment's link.
				_, rest, _ := strings.Cut(cm.SelfReference, "/issue/")
				id, _, _ := strings.Cut(rest, "/")
				want("issue id", id)
			}
			if p.Changelog != nil {
				for _, it := range p.Changelog.Items {
					if !strings.Contains(strings.ToLower(text), strings.ToLower(it.Field)) {
						t.Errorf("card does not name the changed field %q:\n%s", it.Field, text)
					}
					if it.ToString != "" {
						want("new value", it.ToString)
					}
				}
			}
			if p.Transition != nil {
				want("new status", p.Transition.ToStatus)
			}
			if cm != nil {
				body := strings.ReplaceAll(cm.Body, `\!`, "!")
				deleted := p.WebhookEvent == "comment_deleted" || p.EventType == "issue_comment_deleted"
				words := strings.Fields(body)
				if len(words) > 3 {
					words = words[:3]
				}
				opening := strings.Join(words, " ")
				switch {
				case deleted && strings.Contains(text, body):
					t.Errorf("card reposts the deleted comment:\n%s", text)
				case !deleted:
					want("comment", opening)
				}
			}
		})
	}
}

func translate(t *testing.T, body string) connector.Output {
	t.Helper()
	out, err := Translate(connector.Delivery{Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func cardText(t *testing.T, out connector.Output) string {
	t.Helper()
	if len(out.Cards) != 1 {
		t.Fatalf("%d cards, want 1 (ignored: %q)", len(out.Cards), out.Ignored)
	}
	return fixturetest.Text(out.Cards[0])
}

func themeColor(t *testing.T, c connector.Card) string {
	t.Helper()
	var v struct {
		Herald struct {
			ThemeColor string `json:"themeColor"`
		} `json:"herald"`
	}
	if err := json.Unmarshal(c.Card, &v); err != nil {
		t.Fatal(err)
	}
	return v.Herald.ThemeColor
}

const issueJSON = `"issue": {"self": "https://acme.atlassian.net/rest/api/2/issue/10010", "key": "OPS-7",
	"fields": {"summary": "Renew TLS certificate", "issuetype": {"name": "Task"},
	"status": {"name": "Done", "statusCategory": {"key": "done"}}, "priority": {"name": "High"},
	"assignee": {"displayName": "Rui Costa"}}}`

func TestTransitionToDone(t *testing.T) {
	out := translate(t, `{"webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_generic",
		"user": {"displayName": "Rui Costa"}, `+issueJSON+`,
		"changelog": {"items": [
			{"field": "resolution", "fromString": null, "toString": "Done"},
			{"field": "status", "fromString": "In Progress", "toString": "Done"},
			{"field": "timespent", "from": null, "to": "5400", "fromString": null, "toString": "5400"}]}}`)
	if out.Event != "jira:issue_updated.issue_generic" {
		t.Errorf("Event = %q", out.Event)
	}
	text := cardText(t, out)
	for _, s := range []string{"OPS-7: Renew TLS certificate", "https://acme.atlassian.net/browse/OPS-7", "Rui Costa", "In Progress → Done", "none → Done", "none → 1h 30m"} {
		if !contains(text, s) {
			t.Errorf("card does not show %q:\n%s", s, text)
		}
	}
	if got := themeColor(t, out.Cards[0]); got != "#2DC72D" {
		t.Errorf("colour %s, want good", got)
	}
}

func TestRestrictedComment(t *testing.T) {
	out := translate(t, `{"webhookEvent": "comment_created", `+issueJSON+`,
		"comment": {"self": "https://acme.atlassian.net/rest/api/2/issue/10010/comment/3", "id": "3",
		"author": {"displayName": "Rui Costa"}, "body": "The root password is hunter2",
		"visibility": {"type": "role", "value": "Administrators"}}}`)
	text := cardText(t, out)
	if strings.Contains(text, "hunter2") {
		t.Errorf("card shows a restricted comment:\n%s", text)
	}
	if !contains(text, "Comment restricted to Administrators") {
		t.Errorf("card does not say the comment is restricted:\n%s", text)
	}
	if !contains(text, "https://acme.atlassian.net/browse/OPS-7?focusedCommentId=3") {
		t.Errorf("card does not link the comment:\n%s", text)
	}
}

func TestADFComment(t *testing.T) {
	out := translate(t, `{"webhookEvent": "comment_created", `+issueJSON+`,
		"comment": {"id": "4", "author": {"displayName": "Rui Costa"}, "body": {"type": "doc", "version": 1, "content": [
			{"type": "paragraph", "content": [
				{"type": "text", "text": "Renewed, see "},
				{"type": "text", "text": "the runbook", "marks": [{"type": "link", "attrs": {"href": "https://wiki.acme.example/tls"}}]},
				{"type": "text", "text": " — "},
				{"type": "text", "text": "done", "marks": [{"type": "strong"}]}]},
			{"type": "bulletList", "content": [{"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "prod"}]}]}]}]}}}`)
	text := cardText(t, out)
	for _, s := range []string{"Renewed, see [the runbook](https://wiki.acme.example/tls) — **done**", "- prod"} {
		if !strings.Contains(text, s) {
			t.Errorf("card does not show %q:\n%s", s, text)
		}
	}
}

func TestIgnored(t *testing.T) {
	tests := map[string]string{
		"empty object":       `{}`,
		"array":              `[1]`,
		"null":               `null`,
		"number":             `42`,
		"sprint started":     `{"timestamp": 1, "webhookEvent": "sprint_started", "sprint": {"id": 5, "self": "https://acme.atlassian.net/rest/agile/1.0/sprint/5", "state": "active", "name": "Sprint 12"}}`,
		"sprint closed":      `{"webhookEvent": "sprint_closed", "sprint": {"id": 5, "name": "Sprint 12"}}`,
		"worklog updated":    `{"webhookEvent": "jira:worklog_updated", ` + issueJSON + `}`,
		"worklog created":    `{"webhookEvent": "worklog_created", "worklog": {"timeSpentSeconds": 3600}}`,
		"version released":   `{"webhookEvent": "jira:version_released", "version": {"name": "2.0", "released": true}}`,
		"attachment created": `{"webhookEvent": "attachment_created"}`,
		"issue link created": `{"webhookEvent": "issuelink_created"}`,
		"unknown issue kind": `{"webhookEvent": "jira:issue_unknown", ` + issueJSON + `}`,
		"no issue":           `{"webhookEvent": "jira:issue_created", "user": {"displayName": "Rui Costa"}}`,
		"no changes":         `{"webhookEvent": "jira:issue_updated", "issue_event_type_name": "issue_generic", ` + issueJSON + `, "changelog": {"items": []}}`,
		"comment not object": `{"webhookEvent": "comment_created", "comment": "hello"}`,
		"anomalous":          `{"accountId": "1234", "username": "someone"}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			out := translate(t, body)
			if len(out.Cards) != 0 || out.Ignored == "" {
				t.Errorf("cards %d, ignored %q; want none and a reason", len(out.Cards), out.Ignored)
			}
			var p payload
			if json.Unmarshal([]byte(body), &p) == nil && p.WebhookEvent != "" && !strings.HasPrefix(out.Event, p.WebhookEvent) {
				t.Errorf("Event = %q, want %q", out.Event, p.WebhookEvent)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	for _, body := range []string{"", "webhookEvent=jira:issue_created", `{"webhookEvent":`, "{} x"} {
		if _, err := Translate(connector.Delivery{Body: []byte(body)}); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

func TestWikiToMarkdown(t *testing.T) {
	tests := []struct{ in, want string }{
		{"*bold* and _italic_", "**bold** and _italic_"},
		{"snake_case_name and 2*3*4", `snake\_case\_name and 2\*3\*4`},
		{"[Docs|https://docs.example/a_b] and [https://x.example]", "[Docs](https://docs.example/a_b) and [https://x.example](https://x.example)"},
		{"see https://x.example/path.", "see [https://x.example/path](https://x.example/path)."},
		{"ping [~jsmith] and [~accountid:5b10a2844c20165700ede21g]", "ping @jsmith and @user"},
		{"blocked by [OPS-12]", "blocked by [OPS-12](https://j.example/browse/OPS-12)"},
		{"[not a link]", `\[not a link\]`},
		{"{{mono_space}} text", `mono\_space text`},
		{"{code:go}\nx := *p\n{code}", `x := \*p`},
		{"{noformat}a_b{noformat}", `a\_b`},
		{"{quote}\nwise words\n{quote}", `\> wise words`},
		{"bq. quoted", `\> quoted`},
		{"h2. Title", "**Title**"},
		{"* one\n** two\n# first", "- one\n  - two\n1. first"},
		{`ASAP\! \*not bold\*`, `ASAP! \*not bold\*`},
		{"{color:red}red{color}", "red"},
		{"!screen.png|thumbnail!", `(image: screen.png)`},
		{"Wow! Great!", "Wow! Great!"},
		{"||a||b||\n|1|2|", "**a** | **b**\n1 | 2"},
		{"----", "―――"},
		{"[mail|mailto:a@b.example]", "[mail](mailto:a@b.example)"},
	}
	for _, tt := range tests {
		if got := wikiToMarkdown(tt.in, "https://j.example"); got != tt.want {
			t.Errorf("wikiToMarkdown(%q)\n got %q\nwant %q", tt.in, got, tt.want)
		}
	}
}

// seeds are the fixture bodies and a few shapes beyond them.
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, c := range fixturetest.Cases(t, "jira") {
		out = append(out, c.Delivery.Body)
	}
	for _, s := range []string{
		`{"webhookEvent": "comment_created", "comment": {"body": {"type": "doc", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "x"}]}]}}}`,
		`{"webhookEvent": "jira:issue_updated", "issue": {"key": "A-1"}, "changelog": {"items": [{"field": "timespent", "to": "60"}]}}`,
		`{"issue": {"key": "A-1"}, "transition": {"from_status": "a", "to_status": "b"}, "comment": "*done*"}`,
	} {
		out = append(out, []byte(s))
	}
	return out
}

// check states what holds for any body: no error for JSON, an error for
// anything else, valid cards, and a reason whenever nothing is posted.
func check(t *testing.T, body []byte) {
	t.Helper()
	fixturetest.Invariants(t, Translate, connector.Delivery{Body: body})
}

func FuzzTranslate(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		check(t, body)
	})
}

// FuzzWiki checks that any text converts without panicking into a card
// that is valid JSON.
func FuzzWiki(f *testing.F) {
	for _, s := range []string{"*a* _b_ [c|https://d.example] {code}e{code}", "{quote}\nq\n{quote}", "!x.png!", `\`, "[~u]", "{{"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		md := wikiToMarkdown(s, "https://j.example")
		card := cardkit.Card{Text: md}
		if !json.Valid(card.Build().Card) {
			t.Fatalf("card for %q is not valid JSON", s)
		}
	})
}

func TestOtherServicesDoNotPanic(t *testing.T) {
	bodies := fixturetest.OtherBodies(t, "jira")
	if len(bodies) == 0 {
		t.Fatal("no bodies of other services")
	}
	for _, b := range bodies {
		check(t, b)
	}
}

func TestLongFieldChange(t *testing.T) {
	long := strings.Repeat("word ", 40)
	out := translate(t, `{"webhookEvent": "jira:issue_updated", "user": {"displayName": "Rui Costa"}, `+issueJSON+`,
		"changelog": {"items": [{"field": "description", "fromString": "`+long+`old", "toString": "`+long+`new"}]}}`)
	text := cardText(t, out)
	if !contains(text, "changed") || strings.Contains(text, long) {
		t.Errorf("a long description change is not shown as changed:\n%s", text)
	}
}

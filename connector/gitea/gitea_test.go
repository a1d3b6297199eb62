package gitea

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/fixturetest"
)

func TestFixtures(t *testing.T) {
	passed, total := fixturetest.Run(t, "gitea", Translate, nil)
	if total == 0 || passed != total {
		t.Errorf("gitea: %d of %d fixture cases pass", passed, total)
	}
}

// Gogs sends the payloads Gitea was forked from: the same translator reads
// them (X-Gogs-Event).
func TestGogsFixtures(t *testing.T) {
	passed, total := fixturetest.Run(t, "gogs", Translate, nil)
	if total == 0 || passed != total {
		t.Errorf("gogs: %d of %d fixture cases pass", passed, total)
	}
}

// fixturePayload is what the checks read from a fixture, independently of
// the translator's own types.
type fixturePayload struct {
	Ref     string            `json:"ref"`
	Commits []json.RawMessage `json:"commits"`
	Sender  struct {
		Login    string `json:"login"`
		Username string `json:"username"`
	} `json:"sender"`
	Issue *struct {
		Number int    `json:"number"`
		Title  string `json:"title"`
	} `json:"issue"`
	PullRequest *struct {
		Number     int    `json:"number"`
		Title      string `json:"title"`
		BaseBranch string `json:"base_branch"`
		Base       struct {
			Ref string `json:"ref"`
		} `json:"base"`
	} `json:"pull_request"`
	Release *struct {
		TagName string `json:"tag_name"`
	} `json:"release"`
}

// visible is the card text as a reader sees it: markdown escapes removed.
func visible(cards []connector.Card) string {
	var b strings.Builder
	for _, c := range cards {
		b.WriteString(fixturetest.Text(c))
	}
	return strings.ReplaceAll(b.String(), `\`, "")
}

// TestFixtureFacts checks, for every expected case of Gitea and Gogs, what
// the payload says must be on the card: who, which issue or pull request,
// which branch and how many commits.
func TestFixtureFacts(t *testing.T) {
	for _, svc := range []string{"gitea", "gogs"} {
		for _, c := range fixturetest.Cases(t, svc) {
			if c.Noop {
				continue
			}
			t.Run(svc+"/"+c.Name, func(t *testing.T) {
				var p fixturePayload
				if err := json.Unmarshal(c.Delivery.Body, &p); err != nil {
					t.Fatal(err)
				}
				out, err := Translate(c.Delivery)
				if err != nil {
					t.Fatal(err)
				}
				if len(out.Cards) != 1 {
					t.Fatalf("%d cards, want 1 (ignored: %s)", len(out.Cards), out.Ignored)
				}
				event := c.Delivery.Header.Get("X-Gitea-Event") + c.Delivery.Header.Get("X-Gogs-Event")
				if out.Event != event && !strings.HasPrefix(out.Event, event+".") {
					t.Errorf("event %q, want %q or %q.<action>", out.Event, event, event)
				}
				text := visible(out.Cards)
				want := []string{}
				actor := p.Sender.Login
				if actor == "" {
					actor = p.Sender.Username
				}
				want = append(want, actor)
				switch {
				case event == "push":
					branch := strings.TrimPrefix(p.Ref, "refs/heads/")
					if out.Branch != branch {
						t.Errorf("branch %q, want %q", out.Branch, branch)
					}
					n := len(p.Commits)
					if !regexp.MustCompile(fmt.Sprintf(`\b%d\b[^\n]* commits?\b`, n)).MatchString(text) {
						t.Errorf("the card does not say %d commits:\n%s", n, text)
					}
					want = append(want, branch)
				case p.Issue != nil:
					want = append(want, fmt.Sprintf("#%d", p.Issue.Number), p.Issue.Title)
				case p.PullRequest != nil:
					want = append(want, fmt.Sprintf("#%d", p.PullRequest.Number), p.PullRequest.Title)
					base := p.PullRequest.Base.Ref
					if base == "" {
						base = p.PullRequest.BaseBranch
					}
					if out.Branch != base {
						t.Errorf("branch %q, want the base %q", out.Branch, base)
					}
					want = append(want, base)
				case p.Release != nil:
					want = append(want, p.Release.TagName)
				case event == "create":
					want = append(want, p.Ref)
				}
				for _, w := range want {
					if w != "" && !strings.Contains(text, w) {
						t.Errorf("the card lacks %q:\n%s", w, text)
					}
				}
			})
		}
	}
}

func delivery(event, typ, body string) connector.Delivery {
	h := http.Header{}
	if event != "" {
		h.Set("X-Gitea-Event", event)
	}
	if typ != "" {
		h.Set("X-Gitea-Event-Type", typ)
	}
	return connector.Delivery{Header: h, Body: []byte(body)}
}

func translate(t *testing.T, d connector.Delivery) (connector.Output, string) {
	t.Helper()
	out, err := Translate(d)
	if err != nil {
		t.Fatal(err)
	}
	return out, visible(out.Cards)
}

const repoJSON = `"repository":{"full_name":"org/app","html_url":"https://git.example.com/org/app"},"sender":{"login":"alice"}`

func TestPushTruncated(t *testing.T) {
	var commits []string
	for i := range 25 {
		commits = append(commits, fmt.Sprintf(`{"id":"%040d","message":"change %d\n\nbody","url":"https://git.example.com/org/app/commit/%040d","author":{"name":"Alice"}}`, i, i, i))
	}
	body := `{"ref":"refs/heads/feature/x","before":"1111111111111111111111111111111111111111","after":"2222222222222222222222222222222222222222",` +
		`"compare_url":"https://git.example.com/org/app/compare/1...2","total_commits":25,"commits":[` + strings.Join(commits, ",") + `],` + repoJSON + `}`
	out, text := translate(t, delivery("push", "push", body))
	if out.Event != "push" || out.Branch != "feature/x" {
		t.Errorf("event %q branch %q", out.Event, out.Branch)
	}
	for _, w := range []string{"25 new commits on feature/x", "change 9", "and 15 more commits", "https://git.example.com/org/app/compare/1...2", "alice"} {
		if !strings.Contains(text, w) {
			t.Errorf("lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(text, "change 10") || strings.Contains(text, "body") {
		t.Errorf("more than 10 commits or a commit body shown:\n%s", text)
	}
}

func TestPushIgnored(t *testing.T) {
	for name, body := range map[string]string{
		"tag":        `{"ref":"refs/tags/v1","after":"2222222222222222222222222222222222222222",` + repoJSON + `}`,
		"deleted":    `{"ref":"refs/heads/x","before":"2222222222222222222222222222222222222222","after":"0000000000000000000000000000000000000000",` + repoJSON + `}`,
		"new branch": `{"ref":"refs/heads/x","before":"0000000000000000000000000000000000000000","after":"2222222222222222222222222222222222222222","commits":[],` + repoJSON + `}`,
	} {
		out, _ := translate(t, delivery("push", "", body))
		if len(out.Cards) != 0 || out.Ignored == "" {
			t.Errorf("%s: posted %d cards, ignored %q", name, len(out.Cards), out.Ignored)
		}
	}
}

func TestEvents(t *testing.T) {
	pr := `"pull_request":{"number":7,"title":"Add *stars*","html_url":"https://git.example.com/org/app/pulls/7","merged":false,` +
		`"base":{"ref":"main","repo":{"full_name":"org/app"}},"head":{"ref":"topic","repo":{"full_name":"bob/app"}}}`
	tests := []struct {
		name, event, typ, body string
		wantEvent, branch      string
		want                   []string
		color                  string
	}{
		{"review approved", "pull_request_approved", "pull_request_review_approved",
			`{"action":"reviewed",` + pr + `,"review":{"type":"pull_request_review_approved","content":"LGTM"},` + repoJSON + `}`,
			"pull_request_review.approved", "main", []string{"alice approved pull request #7", "LGTM", "Add *stars*", "bob/app:topic → main"}, "#2DC72D"},
		{"review rejected", "pull_request_rejected", "",
			`{"action":"reviewed",` + pr + `,"review":{"type":"pull_request_review_rejected","content":"no"},` + repoJSON + `}`,
			"pull_request_review.rejected", "main", []string{"requested changes on pull request #7"}, "#D13438"},
		{"review comment", "pull_request_comment", "pull_request_review_comment",
			`{"action":"reviewed",` + pr + `,"review":{"type":"pull_request_review_comment","content":"nit"},` + repoJSON + `}`,
			"pull_request_review.comment", "main", []string{"reviewed pull request #7", "nit"}, ""},
		{"review requested", "pull_request", "pull_request_review_request",
			`{"action":"review_requested","number":7,` + pr + `,"requested_reviewer":{"login":"carol"},` + repoJSON + `}`,
			"pull_request.review_requested", "main", []string{"requested a review from carol on pull request #7"}, ""},
		{"synchronized", "pull_request", "pull_request_sync",
			`{"action":"synchronized",` + pr + `,` + repoJSON + `}`,
			"pull_request.synchronized", "main", []string{"pushed new commits to pull request #7"}, ""},
		{"label", "issues", "issue_label",
			`{"action":"label_updated","issue":{"number":3,"title":"Crash","html_url":"https://git.example.com/org/app/issues/3","labels":[{"name":"bug"},{"name":"p1"}]},` + repoJSON + `}`,
			"issues.label_updated", "", []string{"updated the labels of issue #3", "bug, p1", "https://git.example.com/org/app/issues/3"}, ""},
		{"milestone", "issues", "issue_milestone",
			`{"action":"milestoned","issue":{"number":3,"title":"Crash","milestone":{"title":"1.0"}},` + repoJSON + `}`,
			"issues.milestoned", "", []string{"added issue #3 to milestone 1.0", "https://git.example.com/org/app/issues/3"}, ""},
		{"release", "release", "",
			`{"action":"published","release":{"tag_name":"v1.2.0","name":"Spring","body":"notes","html_url":"https://git.example.com/org/app/releases/tag/v1.2.0","target_commitish":"main","prerelease":true},` + repoJSON + `}`,
			"release.published", "", []string{"alice published pre-release Spring", "v1.2.0", "notes", "https://git.example.com/org/app/releases/tag/v1.2.0"}, ""},
		{"fork", "fork", "",
			`{"forkee":{"full_name":"org/app","html_url":"https://git.example.com/org/app"},"repository":{"full_name":"alice/app","html_url":"https://git.example.com/alice/app","fork":true},"sender":{"login":"alice"}}`,
			"fork", "", []string{"alice forked org/app to alice/app", "https://git.example.com/alice/app"}, ""},
		{"repository", "repository", "",
			`{"action":"created",` + repoJSON + `}`,
			"repository.created", "", []string{"alice created repository org/app"}, ""},
		{"delete tag", "delete", "",
			`{"ref":"v1","ref_type":"tag","pusher_type":"user",` + repoJSON + `}`,
			"delete", "", []string{"alice deleted tag v1", "Tag v1 deleted"}, ""},
		{"create branch", "create", "",
			`{"ref":"release/1.0","ref_type":"branch",` + repoJSON + `}`,
			"create", "release/1.0", []string{"https://git.example.com/org/app/src/release/1.0"}, ""},
		{"comment on pr", "issue_comment", "pull_request_comment",
			`{"action":"created","is_pull":true,"issue":{"number":7,"title":"Add","html_url":"https://git.example.com/org/app/pulls/7","pull_request":{}},"comment":{"html_url":"https://git.example.com/org/app/pulls/7#issuecomment-1","body":"ok"},` + repoJSON + `}`,
			"issue_comment.created", "", []string{"alice commented on pull request #7", "ok", "#issuecomment-1"}, ""},
		{"forgejo", "", "",
			`{"action":"opened","issue":{"number":1,"title":"x"},` + repoJSON + `}`,
			"issues.opened", "", []string{"alice opened issue #1"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := delivery(tc.event, tc.typ, tc.body)
			if tc.name == "forgejo" {
				d.Header.Set("X-Forgejo-Event", "issues")
			}
			out, text := translate(t, d)
			if out.Event != tc.wantEvent || out.Branch != tc.branch {
				t.Errorf("event %q branch %q, want %q %q", out.Event, out.Branch, tc.wantEvent, tc.branch)
			}
			if len(out.Cards) != 1 {
				t.Fatalf("%d cards (ignored %q)", len(out.Cards), out.Ignored)
			}
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("lacks %q:\n%s", w, text)
				}
			}
			if tc.color != "" && !strings.Contains(string(out.Cards[0].Card), tc.color) {
				t.Errorf("colour %s missing: %s", tc.color, out.Cards[0].Card)
			}
		})
	}
}

func TestIgnoredAndErrors(t *testing.T) {
	for _, tc := range []struct{ event, body string }{
		{"wiki", `{"action":"created"}`},
		{"", `{"ref":"refs/heads/main"}`},
		{"push", `[]`},
		{"issues", `{"action":"opened"}`},
		{"pull_request", `{"pull_request":"x"}`},
		{"release", `{"action":"published","release":{"tag_name":"v1","draft":true}}`},
		{"push\n<x>", `{"ref":"refs/heads/main"}`},
	} {
		out, err := Translate(delivery(tc.event, "", tc.body))
		if err != nil || len(out.Cards) != 0 || out.Ignored == "" {
			t.Errorf("%s %s: %d cards, ignored %q, err %v", tc.event, tc.body, len(out.Cards), out.Ignored, err)
		}
	}
	out, _ := translate(t, delivery("issues", "", `{"action":"Opened <b>`+strings.Repeat("x", 100)+`","issue":{"number":1,"title":"t"}}`))
	if out.Event != "issues" || len(out.Cards) != 1 {
		t.Errorf("an action that is not a name: event %q, %d cards", out.Event, len(out.Cards))
	}
	if _, err := Translate(delivery("push", "", "not json")); err == nil {
		t.Error("no error for a body that is not JSON")
	}
}

func TestUnsafeLinksDropped(t *testing.T) {
	body := `{"action":"opened","issue":{"number":1,"title":"x","html_url":"javascript:alert(1)"},"repository":{"full_name":"o/r","html_url":"javascript:alert(2)"},"sender":{"login":"a"}}`
	out, _ := translate(t, delivery("issues", "", body))
	if len(out.Cards) != 1 || strings.Contains(string(out.Cards[0].Card), "javascript:") {
		t.Fatalf("unsafe link kept: %s", out.Cards[0].Card)
	}
}

var fuzzEvents = []string{"push", "create", "delete", "issues", "issue_comment", "pull_request", "pull_request_approved",
	"pull_request_rejected", "pull_request_comment", "release", "fork", "repository", "wiki"}

// checkOutput is what holds for any delivery: no error for JSON, valid
// cards, and a reason when nothing is posted.
func checkOutput(t *testing.T, d connector.Delivery) {
	t.Helper()
	out, err := Translate(d)
	if json.Valid(d.Body) != (err == nil) {
		t.Fatalf("valid JSON %v, err %v", json.Valid(d.Body), err)
	}
	if err != nil {
		return
	}
	if len(out.Cards) == 0 && out.Ignored == "" {
		t.Fatalf("no card and no reason")
	}
	for _, c := range out.Cards {
		if !json.Valid(c.Card) {
			t.Fatalf("card is not JSON: %s", c.Card)
		}
	}
}

func TestOtherServicesDoNotPanic(t *testing.T) {
	bodies := fixturetest.OtherBodies(t, "gitea")
	for _, ev := range fuzzEvents {
		t.Run(ev, func(t *testing.T) {
			t.Parallel()
			for _, body := range bodies {
				checkOutput(t, delivery(ev, "", string(body)))
			}
		})
	}
}

func FuzzTranslate(f *testing.F) {
	for _, svc := range []string{"gitea", "gogs"} {
		for _, c := range fixturetest.Cases(f, svc) {
			ev := c.Delivery.Header.Get("X-Gitea-Event") + c.Delivery.Header.Get("X-Gogs-Event")
			f.Add(ev, "", c.Delivery.Body)
		}
	}
	f.Fuzz(func(t *testing.T, event, typ string, body []byte) {
		checkOutput(t, delivery(event, typ, string(body)))
	})
}

package azuredevops

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
	"github.com/heraldhq/herald/connector/fixturetest"
)

func TestFixtures(t *testing.T) {
	passed, total := fixturetest.Run(t, "azuredevops", Translate, nil)
	if total == 0 {
		t.Fatal("no azuredevops fixture cases")
	}
	if passed != total {
		t.Errorf("%d of %d fixture cases pass, want all", passed, total)
	}
}

// TestBranchFilteredPush states Zulip's two branch-filter cases directly:
// the push to main passes "main,dev" and is dropped by "development".
func TestBranchFilteredPush(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(fixturetest.Dir(t, "azuredevops"), "fixtures", "code_push.json"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Translate(connector.Delivery{Body: body})
	if err != nil || len(out.Cards) != 1 {
		t.Fatalf("err %v, %d cards", err, len(out.Cards))
	}
	if !connector.BranchAllowed("main,dev", out.Branch) {
		t.Errorf("branch %q is dropped by main,dev", out.Branch)
	}
	if connector.BranchAllowed("development", out.Branch) {
		t.Errorf("branch %q passes development", out.Branch)
	}
}

// payload is the part of a service hook the checks below read, decoded
// here independently of the translator.
type payload struct {
	EventType string `json:"eventType"`
	Resource  struct {
		PushedBy   identity `json:"pushedBy"`
		RefUpdates []struct {
			Name string `json:"name"`
		} `json:"refUpdates"`
		Commits []struct {
			CommitID string `json:"commitId"`
		} `json:"commits"`
		Repository struct {
			Name string `json:"name"`
		} `json:"repository"`
		PullRequestID int      `json:"pullRequestId"`
		Title         string   `json:"title"`
		CreatedBy     identity `json:"createdBy"`
		ClosedBy      identity `json:"closedBy"`
		TargetRefName string   `json:"targetRefName"`
	} `json:"resource"`
}

type identity struct {
	DisplayName string `json:"displayName"`
}

// contains reports whether a card's text shows s, as written or escaped
// for markdown.
func contains(text, s string) bool {
	return strings.Contains(text, s) || strings.Contains(text, cardkit.MD(s))
}

// TestFixtureDetails checks, for every fixture case that posts, that the
// card names the actor and the object, and for pushes the branch and the
// commits.
func TestFixtureDetails(t *testing.T) {
	for _, c := range fixturetest.Cases(t, "azuredevops") {
		if c.Noop {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			var p payload
			if err := json.Unmarshal(c.Delivery.Body, &p); err != nil {
				t.Fatal(err)
			}
			out, err := Translate(c.Delivery)
			if err != nil {
				t.Fatal(err)
			}
			if out.Event != p.EventType {
				t.Errorf("Event = %q, want %q", out.Event, p.EventType)
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
			r := p.Resource
			switch {
			case p.EventType == "git.push":
				want("pusher", r.PushedBy.DisplayName)
				want("repository", r.Repository.Name)
				branch := strings.TrimPrefix(r.RefUpdates[0].Name, "refs/heads/")
				if out.Branch != branch {
					t.Errorf("Branch = %q, want %q", out.Branch, branch)
				}
				want("branch", branch)
				n := len(r.Commits)
				if n > 0 {
					want("commit count", fmt.Sprintf("%d commit", n))
				}
				for i, cm := range r.Commits {
					if i == 10 {
						want("rest of the commits", fmt.Sprintf("%d more commits", n-10))
						break
					}
					want("commit", cm.CommitID[:7])
				}
			case strings.HasPrefix(p.EventType, "git.pullrequest."):
				want("pull request number", "PR #"+strconv.Itoa(r.PullRequestID))
				want("pull request title", r.Title)
				actor := r.CreatedBy.DisplayName
				if p.EventType == "git.pullrequest.merged" {
					actor = r.ClosedBy.DisplayName
				}
				want("actor", actor)
				want("repository", r.Repository.Name)
				if target := strings.TrimPrefix(r.TargetRefName, "refs/heads/"); out.Branch != target {
					t.Errorf("Branch = %q, want the target %q", out.Branch, target)
				}
			default:
				t.Errorf("no checks for %s", p.EventType)
			}
		})
	}
}

func load(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
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

var hex = map[string]string{cardkit.Good: "#2DC72D", cardkit.Attention: "#D13438", cardkit.Warning: "#FFAA44", cardkit.Accent: "#6264A7"}

// TestEvents covers the event types the Zulip corpus has no fixture for,
// with payloads shaped after Microsoft's service hook samples.
func TestEvents(t *testing.T) {
	tests := []struct {
		file   string
		color  string
		branch string
		shows  []string
		hides  []string
	}{
		{"build_complete.json", cardkit.Attention, "release/2.1",
			[]string{"20240301.4", "failed", "Shop-CI", "Ada Okafor", "release/2.1", "9f1c2b7", "3m 26s", "https://dev.azure.com/contoso/Shop/_build/results?buildId=77"}, nil},
		{"build_complete_xaml.json", cardkit.Good, "master",
			[]string{"Inventory_20150407.2", "succeeded", "Bo Lindqvist", "https://contoso.visualstudio.com/web/build.aspx?pcguid=2"}, nil},
		{"workitem_updated.json", cardkit.Good, "",
			[]string{"Bug 42: Checkout button ignores coupons", "Mei Tanaka", "Active → Resolved", "Ada Okafor → Mei Tanaka", "2 → 1", "coupons apply again & totals match",
				"https://dev.azure.com/contoso/web/wi.aspx?pcguid=3&id=42"},
			[]string{"mei@contoso.example", "System.Rev", "Changed Date", "<div>"}},
		{"workitem_commented.json", cardkit.Accent, "",
			[]string{"Task 9: Rotate signing keys", "Bo Lindqvist", "Keys rotated in staging; production next week.", "https://dev.azure.com/contoso/web/wi.aspx?pcguid=3&id=9"},
			[]string{"<i>"}},
		{"workitem_created.json", cardkit.Accent, "",
			[]string{"User Story 101: Export invoices as CSV", "Ada Okafor", "Unassigned", "Finance needs a monthly export.", "https://dev.azure.com/contoso/_workitems/edit/101"}, nil},
		{"workitem_deleted.json", cardkit.Warning, "",
			[]string{"Bug 5: Duplicate of #4", "Mei Tanaka"}, []string{"Ada Okafor"}},
		{"deployment_completed.json", cardkit.Attention, "",
			[]string{"Release-12", "Production", "rejected", "Shop-CD", "Bo Lindqvist", "https://dev.azure.com/contoso/Shop/_release?releaseId=12&_a=release-summary"}, nil},
		{"run_completed.json", cardkit.Good, "main",
			[]string{"shop-deploy", "20240302.1", "succeeded", "7m 5s", "https://dev.azure.com/contoso/Shop/_build/results?buildId=90"}, nil},
		{"tfvc_checkin.json", cardkit.Accent, "",
			[]string{"Changeset 18: Add invoice exporter", "Bo Lindqvist", "Also adds a CSV writer.", "https://dev.azure.com/contoso/web/cs.aspx?pcguid=3&cs=18"}, nil},
		{"pullrequest_comment.json", cardkit.Accent, "main",
			[]string{"PR #17: Drop legacy checkout flag", "Mei Tanaka", "Could we keep the old *flag* for one release?", "https://dev.azure.com/contoso/Shop/_git/shop/pullrequest/17"},
			[]string{"contoso@dev.azure.com"}},
		{"unknown_with_message.json", cardkit.Accent, "",
			[]string{"Ada Okafor created repository payments", "https://dev.azure.com/contoso/Shop/_git/payments"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body := load(t, tt.file)
			var p payload
			json.Unmarshal(body, &p)
			out, err := Translate(connector.Delivery{Body: body})
			if err != nil {
				t.Fatal(err)
			}
			if out.Event != p.EventType {
				t.Errorf("Event = %q, want %q", out.Event, p.EventType)
			}
			if len(out.Cards) != 1 {
				t.Fatalf("%d cards, want 1 (ignored: %q)", len(out.Cards), out.Ignored)
			}
			if out.Branch != tt.branch {
				t.Errorf("Branch = %q, want %q", out.Branch, tt.branch)
			}
			if got := themeColor(t, out.Cards[0]); got != hex[tt.color] {
				t.Errorf("colour %s, want %s (%s)", got, hex[tt.color], tt.color)
			}
			text := fixturetest.Text(out.Cards[0])
			for _, s := range tt.shows {
				if !contains(text, s) {
					t.Errorf("card does not show %q:\n%s", s, text)
				}
			}
			for _, s := range tt.hides {
				if strings.Contains(text, s) {
					t.Errorf("card shows %q:\n%s", s, text)
				}
			}
		})
	}
}

func TestIgnored(t *testing.T) {
	tests := map[string]string{
		"empty object":       `{}`,
		"array":              `[1, 2]`,
		"null":               `null`,
		"string":             `"git.push"`,
		"eventType not text": `{"eventType": {"a": 1}}`,
		"unknown, no text":   `{"eventType": "ms.vss-test.nothing"}`,
		"push without refs":  `{"eventType": "git.push", "resource": {}}`,
		"run in progress":    string(load(t, "run_in_progress.json")),
		"stage running":      `{"eventType": "ms.vss-pipelines.stage-state-changed-event", "resource": {"stage": {"name": "Build", "state": "running"}}}`,
		"system PR comment":  `{"eventType": "ms.vss-code.git-pullrequest-comment-event", "resource": {"comment": {"commentType": "system", "content": "voted 10"}, "pullRequest": {"pullRequestId": 3}}}`,
		"work item, no item": `{"eventType": "workitem.updated", "resource": {}}`,
		"PR, no PR":          `{"eventType": "git.pullrequest.created", "resource": {"pullRequestId": null}}`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			out, err := Translate(connector.Delivery{Body: []byte(body)})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Cards) != 0 || out.Ignored == "" {
				t.Errorf("cards %d, ignored %q; want none and a reason", len(out.Cards), out.Ignored)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	for _, body := range []string{"", "eventType=git.push", `{"eventType": "git.push"`, "{}{}"} {
		if _, err := Translate(connector.Delivery{Body: []byte(body)}); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

func TestPushTagAndBranchURL(t *testing.T) {
	body := `{"eventType": "git.push", "resource": {
		"refUpdates": [{"name": "refs/tags/v1.2", "oldObjectId": "0000000000000000000000000000000000000000", "newObjectId": "1111111111111111111111111111111111111111"}],
		"repository": {"name": "shop", "remoteUrl": "https://contoso@dev.azure.com/contoso/Shop/_git/shop"},
		"pushedBy": {"displayName": "Ada Okafor"}}}`
	out, err := Translate(connector.Delivery{Body: []byte(body)})
	if err != nil || len(out.Cards) != 1 {
		t.Fatalf("err %v, %d cards", err, len(out.Cards))
	}
	if out.Branch != "" {
		t.Errorf("a tag push has Branch %q", out.Branch)
	}
	text := fixturetest.Text(out.Cards[0])
	for _, s := range []string{"Ada Okafor created tag v1.2", "https://dev.azure.com/contoso/Shop/_git/shop?version=GTv1.2"} {
		if !contains(text, s) {
			t.Errorf("card does not show %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "contoso@") {
		t.Errorf("card shows the remote URL's user name:\n%s", text)
	}
}

func TestHelpers(t *testing.T) {
	for in, want := range map[string]string{
		"individualCI":       "individual CI",
		"partiallySucceeded": "partially succeeded",
		"pullRequest":        "pull request",
		"manual":             "manual",
	} {
		if got := humanize(in); got != want {
			t.Errorf("humanize(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"Microsoft.VSTS.Scheduling.StoryPoints":              "Story Points",
		"System.AssignedTo":                                  "Assigned To",
		"WEF_EB329F44FE5F4A94ACB1DA153FDF38BA_Kanban.Column": "Board Column",
		"Custom.URLField":                                    "URL Field",
	} {
		if got := fieldLabel(in); got != want {
			t.Errorf("fieldLabel(%q) = %q, want %q", in, got, want)
		}
	}
	if got := duration("2024-03-01T10:00:00Z", "2024-03-01T11:05:09Z"); got != "1h 5m" {
		t.Errorf("duration = %q", got)
	}
	if got := duration("0001-01-01T00:00:00", "2024-03-01T11:05:09Z"); got != "" {
		t.Errorf("duration from an unset start = %q", got)
	}
	if got := stripUserinfo("https://org@dev.azure.com/org/p/_git/r"); got != "https://dev.azure.com/org/p/_git/r" {
		t.Errorf("stripUserinfo = %q", got)
	}
	if got := person(node{V: "Jamal Hartnett <jamal@example.com>"}); got != "Jamal Hartnett" {
		t.Errorf("person = %q", got)
	}
}

// seeds are the fixture bodies and the test payloads.
func seeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, c := range fixturetest.Cases(t, "azuredevops") {
		out = append(out, c.Delivery.Body)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
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

func TestOtherServicesDoNotPanic(t *testing.T) {
	bodies := fixturetest.OtherBodies(t, "azuredevops")
	if len(bodies) == 0 {
		t.Fatal("no bodies of other services")
	}
	for _, b := range bodies {
		check(t, b)
	}
}

func TestLongFieldChange(t *testing.T) {
	long := strings.Repeat("word ", 40)
	body := `{"eventType": "workitem.updated", "resource": {"workItemId": 8, "revisedBy": {"displayName": "Mei Tanaka"},
		"fields": {"System.Description": {"oldValue": "<p>` + long + `old</p>", "newValue": "<p>` + long + `new</p>"}},
		"revision": {"fields": {"System.WorkItemType": "Bug", "System.Title": "Slow search"}}}}`
	out, err := Translate(connector.Delivery{Body: []byte(body)})
	if err != nil || len(out.Cards) != 1 {
		t.Fatalf("err %v, %d cards (ignored %q)", err, len(out.Cards), out.Ignored)
	}
	text := fixturetest.Text(out.Cards[0])
	if !strings.Contains(text, "changed") || strings.Contains(text, long) {
		t.Errorf("a long description change is not shown as changed:\n%s", text)
	}
}

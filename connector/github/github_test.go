package github_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/fixturetest"
	"github.com/heraldhq/herald/connector/github"
)

// known lists the fixture cases Herald cannot match, and why.
var known = map[string]string{
	"GitHubWebhookTest.test_ping_event/ping":                            "ping is answered (Output.Ping) and never posted; Zulip posts a 'webhook configured' message",
	"GitHubWebhookTest.test_ping_organization_event/ping__organization": "ping is answered (Output.Ping) and never posted; Zulip posts a 'webhook configured' message",
	"GitHubWebhookTest.test_team_edited_with_unsupported_keys":          "Zulip's test builds this payload in code (a team edit with bogus keys); the corpus holds only {} for it, which names no team, so nothing is posted",
}

func TestFixtures(t *testing.T) {
	passed, total := fixturetest.Run(t, "github", github.Translate, known)
	if passed*100 < total*95 {
		t.Errorf("pass rate %d/%d is below 95%%", passed, total)
	}
}

// want is what a fixture's card must say, read from the payload by hand.
type want struct {
	actor  string // the sender's login
	object string // the number (#N) or name of what the event is about
	branch string // Output.Branch: pushes and pull requests
	count  string // pushes: the commit count as the card says it
}

var wants = map[string]want{
	"check_run__completed":                  {actor: "octocat", object: "randscape", branch: "master"},
	"commit_comment":                        {actor: "baxterthehacker", object: "9049f12"},
	"create":                                {actor: "baxterthehacker", object: "0.0.1"},
	"delete":                                {actor: "baxterthehacker", object: "simple-tag"},
	"deployment":                            {actor: "baxterthehacker", object: "production"},
	"deployment_status":                     {actor: "baxterthehacker", object: "production"},
	"discussion":                            {actor: "Codertocat", object: "#90"},
	"discussion_comment":                    {actor: "Codertocat", object: "#90"},
	"fork":                                  {actor: "baxterandthehackers", object: "baxterandthehackers/public-repo"},
	"gollum__wiki_pages":                    {actor: "jasonrudolph", object: "Home"},
	"issue_comment":                         {actor: "baxterthehacker", object: "#2"},
	"issue_comment__deleted":                {actor: "eeshangarg", object: "#5"},
	"issues":                                {actor: "baxterthehacker", object: "#2"},
	"member":                                {actor: "baxterthehacker", object: "octocat"},
	"membership":                            {actor: "baxterthehacker", object: "Contractors"},
	"membership__removal":                   {actor: "baxterthehacker", object: "Contractors"},
	"page_build":                            {actor: "baxterthehacker", object: "GitHub Pages"},
	"page_build__errored":                   {actor: "baxterthehacker", object: "Something went wrong."},
	"public":                                {actor: "baxterthehacker", object: "baxterthehacker/public-repo"},
	"pull_request__assigned":                {actor: "baxterthehacker", object: "#1", branch: "master"},
	"pull_request__auto_merge_disabled":     {actor: "tushar912", object: "#1", branch: "main"},
	"pull_request__auto_merge_enabled":      {actor: "tushar912", object: "#1", branch: "main"},
	"pull_request__closed":                  {actor: "baxterthehacker", object: "#1", branch: "master"},
	"pull_request__edited":                  {actor: "baxterthehacker", object: "#1", branch: "master"},
	"pull_request__edited_with_body_change": {actor: "cozyrohan", object: "#1", branch: "main"},
	"pull_request__locked":                  {actor: "tushar912", object: "#1", branch: "main"},
	"pull_request__merged":                  {actor: "baxterthehacker", object: "#1", branch: "master"},
	"pull_request__opened":                  {actor: "baxterthehacker", object: "#1", branch: "master"},
	"pull_request__opened_with_preassigned_assignee": {actor: "eeshangarg", object: "#4", branch: "master"},
	"pull_request__ready_for_review":                 {actor: "Hypro999", object: "#2", branch: "master"},
	"pull_request__review_requested":                 {actor: "eeshangarg", object: "#1", branch: "master"},
	"pull_request__review_requested_team_reviewer":   {actor: "singhsourabh", object: "#4", branch: "master"},
	"pull_request__synchronized":                     {actor: "baxterthehacker", object: "#1", branch: "master"},
	"pull_request__synchronized_with_body":           {actor: "baxterthehacker", object: "#1", branch: "master"},
	"pull_request__unassigned":                       {actor: "eeshangarg", object: "#1", branch: "master"},
	"pull_request__unlocked":                         {actor: "tushar912", object: "#1", branch: "main"},
	"pull_request_review":                            {actor: "baxterthehacker", object: "#1", branch: "master"},
	"pull_request_review_comment":                    {actor: "baxterthehacker", object: "#1", branch: "master"},
	"push__1_commit":                                 {actor: "baxterthehacker", object: "changes", branch: "changes", count: "1 commit"},
	"push__1_commit_without_username":                {actor: "eeshangarg", object: "changes", branch: "changes", count: "1 commit"},
	"push__50_commits":                               {actor: "baxterthehacker", object: "changes", branch: "changes", count: "50 commits"},
	"push__delete_branch":                            {actor: "eeshangarg", object: "feature", branch: "feature"},
	"push__local_branch_without_commits":             {actor: "eeshangarg", object: "feature", branch: "feature"},
	"push__multiple_committers":                      {actor: "baxterthehacker", object: "changes", branch: "changes", count: "6 commits"},
	"push__multiple_committers_with_others":          {actor: "baxterthehacker", object: "changes", branch: "changes", count: "10 commits"},
	"push__tag":                                      {actor: "baxterthehacker", object: "abc"}, // a tag is no branch
	"release":                                        {actor: "baxterthehacker", object: "0.0.1"},
	"release__with_name":                             {actor: "baxterthehacker", object: "0.0.1"},
	"repository":                                     {actor: "baxterthehacker", object: "baxterandthehackers/public-repo"},
	"star":                                           {actor: "Codertocat", object: "Codertocat/Hello-World"},
	"status":                                         {actor: "baxterthehacker", object: "9049f12"},
	"status__with_target_url":                        {actor: "baxterthehacker", object: "9049f12"},
	"team__edited_description":                       {actor: "Hypro999", object: "Testing"},
	"team__edited_name":                              {actor: "Hypro999", object: "Testing Team"},
	"team__edited_privacy_secret":                    {actor: "Hypro999", object: "secret"},
	"team_add":                                       {actor: "baxterandthehackers", object: "github"},
	"watch__repository":                              {actor: "baxterthehacker", object: "baxterthehacker/public-repo"},
}

// TestFixtureFacts checks that each card says who did what: the actor, the
// object, and for pushes the branch and how many commits.
func TestFixtureFacts(t *testing.T) {
	for _, c := range fixturetest.Cases(t, "github") {
		if c.Noop || known[c.Name] != "" {
			continue
		}
		_, fixture, _ := strings.Cut(c.Name, "/")
		w, ok := wants[fixture]
		if !ok {
			t.Errorf("%s: no expectation for fixture %q", c.Name, fixture)
			continue
		}
		out, err := github.Translate(c.Delivery)
		if err != nil || len(out.Cards) != 1 {
			t.Errorf("%s: %d cards, error %v (ignored: %q)", c.Name, len(out.Cards), err, out.Ignored)
			continue
		}
		text := fixturetest.Text(out.Cards[0])
		for what, s := range map[string]string{"actor": w.actor, "object": w.object, "branch": w.branch, "commit count": w.count} {
			if s != "" && !strings.Contains(text, s) {
				t.Errorf("%s: card does not name the %s %q:\n%s", c.Name, what, s, text)
			}
		}
		if out.Branch != w.branch {
			t.Errorf("%s: Branch = %q, want %q", c.Name, out.Branch, w.branch)
		}
	}
}

// deliver makes a delivery of a fixture, or of body when it is not empty.
func deliver(t *testing.T, event, fixture string) connector.Delivery {
	t.Helper()
	body, err := os.ReadFile(filepath.Join(fixturetest.Dir(t, "github"), "fixtures", fixture+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return delivery(event, body)
}

func delivery(event string, body []byte) connector.Delivery {
	h := http.Header{}
	h.Set("X-GitHub-Event", event)
	h.Set("Content-Type", "application/json")
	return connector.Delivery{Header: h, Body: body}
}

// edit changes a fixture's JSON: set receives the decoded object.
func edit(t *testing.T, d connector.Delivery, set func(map[string]any)) connector.Delivery {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(d.Body, &m); err != nil {
		t.Fatal(err)
	}
	set(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	d.Body = b
	return d
}

func translate(t *testing.T, d connector.Delivery) (connector.Output, string) {
	t.Helper()
	out, err := github.Translate(d)
	if err != nil {
		t.Fatalf("Translate: %v", err)
	}
	var text strings.Builder
	for _, c := range out.Cards {
		text.WriteString(fixturetest.Text(c))
	}
	return out, text.String()
}

func TestEventNames(t *testing.T) {
	tests := map[string]struct{ event, fixture, want string }{
		"push":           {"push", "push__1_commit", "push"},
		"merged":         {"pull_request", "pull_request__merged", "pull_request.closed"},
		"header case":    {"Pull_Request", "pull_request__opened", "pull_request.opened"},
		"review":         {"pull_request_review", "pull_request_review", "pull_request_review.submitted"},
		"check run":      {"check_run", "check_run__completed", "check_run.rerequested"},
		"no action":      {"fork", "fork", "fork"},
		"ping":           {"ping", "ping", "ping"},
		"not covered":    {"label", "issues", "label.opened"},
		"issue":          {"issues", "issues", "issues.opened"},
		"team edited":    {"team", "team__edited_name", "team.edited"},
		"membership":     {"membership", "membership__removal", "membership.removed"},
		"deployment":     {"deployment_status", "deployment_status", "deployment_status"},
		"repository":     {"repository", "repository", "repository.created"},
		"comment":        {"issue_comment", "issue_comment__deleted", "issue_comment.deleted"},
		"discussion":     {"discussion", "discussion", "discussion.created"},
		"wiki":           {"gollum", "gollum__wiki_pages", "gollum"},
		"commit comment": {"commit_comment", "commit_comment", "commit_comment.created"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, _ := translate(t, deliver(t, tc.event, tc.fixture))
			if out.Event != tc.want {
				t.Errorf("Event = %q, want %q", out.Event, tc.want)
			}
		})
	}
}

// TestEventsCatalog checks that Events names every event that posts.
func TestEventsCatalog(t *testing.T) {
	for _, c := range fixturetest.Cases(t, "github") {
		out, err := github.Translate(c.Delivery)
		if err != nil {
			continue
		}
		event, _, _ := strings.Cut(out.Event, ".")
		if len(out.Cards) > 0 && !slices.Contains(github.Events, event) {
			t.Errorf("%s: event %q is not in Events", c.Name, event)
		}
	}
	seen := map[string]bool{}
	for _, e := range github.Events {
		if seen[e] {
			t.Errorf("Events lists %q twice", e)
		}
		seen[e] = true
		out, err := github.Translate(delivery(e, []byte(`{}`)))
		if err != nil || strings.HasPrefix(out.Ignored, "event not covered") {
			t.Errorf("Events lists %q, which Translate does not cover (%v, %q)", e, err, out.Ignored)
		}
	}
}

func TestPing(t *testing.T) {
	for _, fixture := range []string{"ping", "ping__organization"} {
		out, _ := translate(t, deliver(t, "ping", fixture))
		if !out.Ping || out.Event != "ping" || len(out.Cards) != 0 {
			t.Errorf("%s: got %+v, want a ping with no cards", fixture, out)
		}
	}
}

func TestIgnored(t *testing.T) {
	tests := map[string]struct {
		d       connector.Delivery
		ignored string
	}{
		"check run in progress": {deliver(t, "check_run", "check_run__in_progress"), "check run in progress"},
		"event not covered":     {delivery("label", []byte(`{"action":"created"}`)), "event not covered: label"},
		"no header":             {connector.Delivery{Body: []byte(`{}`)}, "no X-GitHub-Event header"},
		"pr labeled":            {edit(t, deliver(t, "pull_request", "pull_request__opened"), func(m map[string]any) { m["action"] = "labeled" }), "label changes are not posted"},
		"pr action unknown":     {delivery("pull_request", []byte(`{"action":"approved"}`)), "no pull request in the payload"},
		"status pending":        {edit(t, deliver(t, "status", "status"), func(m map[string]any) { m["state"] = "pending" }), "commit status pending"},
		"release created":       {edit(t, deliver(t, "release", "release"), func(m map[string]any) { m["action"] = "created" }), "release.created is posted as release.published"},
		"workflow in progress":  {delivery("workflow_run", []byte(`{"action":"in_progress","workflow_run":{"name":"CI","status":"in_progress"}}`)), "workflow run in progress"},
		"vulnerability alert":   {deliver(t, "repository_vulnerability_alert", "repository_vulnerability_alert"), "event not covered: repository_vulnerability_alert"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, _ := translate(t, tc.d)
			if len(out.Cards) != 0 || out.Ignored != tc.ignored {
				t.Errorf("got %d cards, Ignored %q; want none, %q", len(out.Cards), out.Ignored, tc.ignored)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	for _, body := range []string{"", "not json", "<xml/>", `{"action":`, "payload=%7B%7D"} {
		if _, err := github.Translate(delivery("push", []byte(body))); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
	// Valid JSON of another shape is not an error: nothing to post.
	for _, body := range []string{`[]`, `null`, `"push"`, `{"action":{"x":1},"pull_request":[1,2]}`} {
		out, err := github.Translate(delivery("pull_request", []byte(body)))
		if err != nil || len(out.Cards) != 0 || out.Ignored == "" {
			t.Errorf("%q: got %+v, %v; want ignored", body, out, err)
		}
	}
}

// TestFormBody reads the payload field of a form-encoded delivery, GitHub's
// other content type.
func TestFormBody(t *testing.T) {
	d := deliver(t, "issues", "issues")
	d.Body = []byte(url.Values{"payload": {string(d.Body)}}.Encode())
	d.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	out, text := translate(t, d)
	if len(out.Cards) != 1 || !strings.Contains(text, "https://github.com/baxterthehacker/public-repo/issues/2") {
		t.Errorf("form body: got %+v", out)
	}
	d.Body = []byte("other=1")
	if _, err := github.Translate(d); err == nil {
		t.Error("form body without payload: no error")
	}
}

func TestHeaderNotCanonical(t *testing.T) {
	d := deliver(t, "push", "push__1_commit")
	d.Header = http.Header{"x-github-event": {"push"}}
	if out, _ := translate(t, d); out.Event != "push" || len(out.Cards) != 1 {
		t.Errorf("got %+v", out)
	}
}

func TestPush(t *testing.T) {
	push50 := deliver(t, "push", "push__50_commits")
	t.Run("truncated", func(t *testing.T) {
		out, text := translate(t, push50)
		if n := strings.Count(text, "- ["); n != 10 {
			t.Errorf("lists %d commits, want 10", n)
		}
		if !strings.Contains(text, "[and 40 more commits](https://github.com/baxterthehacker/public-repo/compare/9049f1265b7d...0d1a26e67d8f)") {
			t.Errorf("no link to the 40 more commits:\n%s", text)
		}
		if out.Branch != "changes" {
			t.Errorf("Branch = %q", out.Branch)
		}
	})
	t.Run("forced", func(t *testing.T) {
		_, text := translate(t, edit(t, push50, func(m map[string]any) { m["forced"] = true }))
		if !strings.Contains(text, "force-pushed 50 commits") {
			t.Errorf("does not say force-pushed:\n%s", text)
		}
	})
	t.Run("tag deleted", func(t *testing.T) {
		d := edit(t, push50, func(m map[string]any) {
			m["ref"], m["deleted"], m["commits"] = "refs/tags/v1.0", true, []any{}
		})
		out, text := translate(t, d)
		if out.Branch != "" || !strings.Contains(text, "deleted tag v1.0") {
			t.Errorf("Branch %q, text:\n%s", out.Branch, text)
		}
	})
	t.Run("filtered", func(t *testing.T) {
		out, _ := translate(t, push50)
		if connector.BranchAllowed("master,development", out.Branch) || !connector.BranchAllowed("release/*,changes", out.Branch) {
			t.Errorf("branch filter on %q", out.Branch)
		}
	})
}

func TestPullRequestColors(t *testing.T) {
	tests := map[string]struct{ fixture, color string }{
		"merged":          {"pull_request__merged", "#2DC72D"},
		"closed unmerged": {"pull_request__closed", "#D13438"},
		"opened":          {"pull_request__opened", "#6264A7"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			out, _ := translate(t, deliver(t, "pull_request", tc.fixture))
			if !strings.Contains(string(out.Cards[0].Card), tc.color) {
				t.Errorf("card is not %s: %s", tc.color, out.Cards[0].Card)
			}
		})
	}
}

// TestHostilePayload checks that names are escaped and links are web links.
func TestHostilePayload(t *testing.T) {
	d := edit(t, deliver(t, "pull_request", "pull_request__opened"), func(m map[string]any) {
		pr := m["pull_request"].(map[string]any)
		pr["title"] = "[click](javascript:alert(1)) *bold*"
		pr["html_url"] = "javascript:alert(1)"
		m["sender"].(map[string]any)["login"] = "a_b*c"
	})
	out, text := translate(t, d)
	shown := strings.TrimPrefix(text, out.Cards[0].Summary) // the summary is plain text, not markdown
	if regexp.MustCompile(`[^\\]\]\(javascript:`).MatchString(shown) || strings.Contains(string(out.Cards[0].Card), `"url":"javascript:`) {
		t.Errorf("card links to javascript:\n%s", shown)
	}
	if !strings.Contains(text, `\[click\]`) || !strings.Contains(text, `**a\_b\*c**`) {
		t.Errorf("markdown not escaped:\n%s", text)
	}
}

// TestShortSHAs feeds SHAs shorter than GitHub's to the code that
// abbreviates them.
func TestShortSHAs(t *testing.T) {
	d := edit(t, deliver(t, "pull_request", "pull_request__synchronized"), func(m map[string]any) {
		m["before"], m["after"] = "abcdef0", "1234567"
	})
	_, text := translate(t, d)
	if !strings.Contains(text, "/compare/abcdef0...1234567") {
		t.Errorf("no compare link:\n%s", text)
	}
}

func TestWorkflowRun(t *testing.T) {
	body := `{"action":"completed","workflow_run":{"name":"CI","run_number":42,"status":"completed","conclusion":"failure",
		"html_url":"https://github.com/o/r/actions/runs/1","head_branch":"main","head_sha":"0123456789abcdef0123456789abcdef01234567",
		"event":"push","display_title":"Fix the build","triggering_actor":{"login":"octocat"}},
		"repository":{"full_name":"o/r","html_url":"https://github.com/o/r"},"sender":{"login":"octocat"}}`
	out, text := translate(t, delivery("workflow_run", []byte(body)))
	for _, s := range []string{"CI #42 failed", "https://github.com/o/r/actions/runs/1", "octocat", "Fix the build", "https://github.com/o/r/commit/0123456789abcdef0123456789abcdef01234567", "#D13438"} {
		if !strings.Contains(text+string(out.Cards[0].Card), s) {
			t.Errorf("card lacks %q:\n%s", s, text)
		}
	}
	if out.Branch != "main" || out.Event != "workflow_run.completed" {
		t.Errorf("Branch %q, Event %q", out.Branch, out.Event)
	}
}

package gitlab

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/fixturetest"
	"github.com/heraldhq/herald/internal/testenv"
)

// known lists the fixture cases Herald answers differently from Zulip, by
// design or because the case as extracted cannot be met. Each is checked
// for what Herald does instead in TestKnownDifferences.
var known = map[string]string{
	// Zulip posts "Webhook for public-repo has been configured
	// successfully!" for a test hook. Herald's contract makes test events
	// pings, answered and never posted (connector.Output.Ping), so there
	// is no card to compare.
	"GitlabHookTests.test_issue_type_test_payload/test_hook__issue_test_payload": "test hook is a ping: answered, never posted",
	// The extracted query has branches="topic=Specific topic": Zulip's
	// test overrode the topic (its expected message has the
	// "[[my-awesome-project](...)]" prefix Zulip adds then, as in the
	// topic=notifications cases), and the extraction recorded that as the
	// branch filter. Herald's push is on branch "tomek", which that
	// "filter" rejects, so the harness drops the card.
	"GitlabHookTests.test_push_event_specified_topic/push_hook": "corpus artefact: a topic override recorded as the branches filter",
}

func TestFixtures(t *testing.T) {
	passed, total := fixturetest.Run(t, "gitlab", Translate, known)
	if total == 0 {
		t.Fatal("no fixture cases")
	}
	// every case outside known passes (Run fails the others); the known
	// ones are listed with their reasons above
	if passed < total-len(known) {
		t.Errorf("%d of %d fixture cases pass, fewer than the %d outside known", passed, total, total-len(known))
	}
}

// TestKnownDifferences checks what Herald does for each known case.
func TestKnownDifferences(t *testing.T) {
	byName := map[string]fixturetest.Case{}
	for _, c := range fixturetest.Cases(t, "gitlab") {
		byName[c.Name] = c
	}
	for name := range known {
		if _, ok := byName[name]; !ok {
			t.Errorf("known case %s is not in the corpus any more", name)
		}
	}
	ping := byName["GitlabHookTests.test_issue_type_test_payload/test_hook__issue_test_payload"]
	out, err := Translate(ping.Delivery)
	if err != nil || !out.Ping || len(out.Cards) != 0 {
		t.Errorf("test hook: got %+v, %v; want a ping without cards", out, err)
	}
	// and the pushes Zulip ignores for their branches=master,development
	// query are dropped by that filter
	for _, name := range []string{
		"GitlabHookTests.test_push_event_message_filtered_by_branches_ignore/ignored",
		"GitlabHookTests.test_push_commits_more_than_limit_message_filtered_by_branches_ignore/ignored",
		"GitlabHookTests.test_push_event_specified_topic/push_hook",
	} {
		out, err := Translate(byName[name].Delivery)
		if err != nil || len(out.Cards) != 1 {
			t.Fatalf("%s: got %+v, %v; want one card", name, out, err)
		}
		if out.Branch != "tomek" {
			t.Errorf("%s: branch %q, want tomek", name, out.Branch)
		}
		if connector.BranchAllowed("master,development", out.Branch) {
			t.Errorf("%s: a master,development branch filter lets the push on %q through", name, out.Branch)
		}
	}
}

// expectation is what a card must show, derived from the payload alone.
type expectation struct {
	texts  []string // each must appear in the card's text
	branch string   // Output.Branch
}

// expect reads a fixture's payload, independently of the translator, for
// the actor, the object's reference and, for pushes, the branch and the
// number of commits.
func expect(t *testing.T, body []byte) expectation {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	s := func(m map[string]any, keys ...string) string {
		var v any = m
		for _, k := range keys {
			mm, _ := v.(map[string]any)
			v = mm[k]
		}
		switch x := v.(type) {
		case string:
			return x
		case float64:
			return fmt.Sprint(int64(x))
		}
		return ""
	}
	kind := s(p, "object_kind")
	if kind == "" {
		kind = s(p, "event_name")
	}
	var e expectation
	add := func(v ...string) {
		for _, x := range v {
			if x != "" {
				e.texts = append(e.texts, x)
			}
		}
	}
	switch kind {
	case "push":
		e.branch = strings.TrimPrefix(s(p, "ref"), "refs/heads/")
		add(s(p, "user_name"), e.branch)
		n := int(p["total_commits_count"].(float64))
		if c, _ := p["commits"].([]any); len(c) > n {
			n = len(c) // a fixture lists more commits than it counts
		}
		if n > 0 && strings.Trim(s(p, "after"), "0") != "" {
			add(fmt.Sprintf("%d commit", n))
		}
	case "tag_push":
		add(s(p, "user_name"), strings.TrimPrefix(s(p, "ref"), "refs/tags/"))
	case "merge_request":
		e.branch = s(p, "object_attributes", "target_branch")
		add(s(p, "user", "name"), "!"+s(p, "object_attributes", "iid"))
	case "issue":
		add(s(p, "user", "name"), "#"+s(p, "object_attributes", "iid"), s(p, "object_attributes", "title"))
	case "note":
		add(s(p, "user", "name"))
		switch s(p, "object_attributes", "noteable_type") {
		case "MergeRequest":
			e.branch = s(p, "merge_request", "target_branch")
			add("!"+s(p, "merge_request", "iid"), s(p, "merge_request", "title"))
		case "Issue":
			add("#"+s(p, "issue", "iid"), s(p, "issue", "title"))
		case "Commit":
			add(s(p, "commit", "id")[:7])
		case "Snippet":
			add(s(p, "snippet", "title"))
		}
		add(s(p, "object_attributes", "note"))
	case "wiki_page":
		add(s(p, "user", "name"), s(p, "object_attributes", "title"))
	case "pipeline":
		e.branch = s(p, "object_attributes", "ref")
		add(s(p, "user", "name"), s(p, "object_attributes", "id"), e.branch)
	case "build":
		e.branch = s(p, "ref")
		add(s(p, "user", "name"), s(p, "build_name"), s(p, "build_stage"))
	default:
		t.Fatalf("no expectation for a %q payload", kind)
	}
	return e
}

// TestFixtureCards checks, for every case with an expected message, that
// the card names the actor and the object, and for pushes the branch and
// the commit count.
func TestFixtureCards(t *testing.T) {
	for _, c := range fixturetest.Cases(t, "gitlab") {
		if c.Noop || known[c.Name] != "" {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			out, err := Translate(c.Delivery)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Cards) != 1 {
				t.Fatalf("got %d cards (ignored: %q), want 1", len(out.Cards), out.Ignored)
			}
			text := fixturetest.Text(out.Cards[0])
			e := expect(t, c.Delivery.Body)
			for _, want := range e.texts {
				if !strings.Contains(text, want) {
					t.Errorf("card lacks %q:\n%s", want, text)
				}
			}
			if out.Branch != e.branch {
				t.Errorf("branch %q, want %q", out.Branch, e.branch)
			}
			if out.Event == "" {
				t.Error("no event name")
			}
		})
	}
}

func corpusHeader(event string) http.Header {
	h := http.Header{}
	h.Set("X-Gitlab-Event", event)
	return h
}

// TestGitLabDocsCorpus runs every payload of GitLab's documentation under
// its X-Gitlab-Event header: each makes a card, except the few that are
// ignored on purpose.
func TestGitLabDocsCorpus(t *testing.T) {
	dir := filepath.Join(testenv.Corpus(t), "gitlab-webhooks")
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Files map[string]struct {
			Event string `json:"X-Gitlab-Event"`
		} `json:"files"`
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatal(err)
	}
	if len(manifest.Files) == 0 {
		t.Fatal("empty manifest")
	}
	wantIgnored := map[string]bool{
		"systemhooks/repository_update.json": true, // the push of the same change is posted
	}
	for file, m := range manifest.Files {
		body, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		// "Job Hook (older GitLab: Build Hook)" names two headers
		headers := []string{m.Event}
		if cur, old, ok := strings.Cut(m.Event, " (older GitLab: "); ok {
			headers = []string{cur, strings.TrimSuffix(old, ")")}
		}
		for _, h := range headers {
			t.Run(file+"/"+h, func(t *testing.T) {
				out, err := Translate(connector.Delivery{Header: corpusHeader(h), Body: body})
				if err != nil {
					t.Fatal(err)
				}
				if out.Event == "" {
					t.Error("no event name")
				}
				switch {
				case wantIgnored[file]:
					if len(out.Cards) != 0 || out.Ignored == "" {
						t.Errorf("want ignored with a reason, got %d cards, ignored %q", len(out.Cards), out.Ignored)
					}
				case len(out.Cards) != 1:
					t.Errorf("got %d cards (ignored: %q), want 1", len(out.Cards), out.Ignored)
				default:
					if !json.Valid(out.Cards[0].Card) {
						t.Error("card is not valid JSON")
					}
					t.Logf("%s: %s", out.Event, out.Cards[0].Summary)
				}
			})
		}
	}
}

// headers are the X-Gitlab-Event values Translate reads, with a missing
// and an unknown one.
var headers = []string{
	"Push Hook", "Tag Push Hook", "Issue Hook", "Confidential Issue Hook", "Note Hook",
	"Confidential Note Hook", "Merge Request Hook", "Wiki Page Hook", "Pipeline Hook", "Job Hook",
	"Build Hook", "Deployment Hook", "Release Hook", "Feature Flag Hook", "Emoji Hook", "Milestone Hook",
	"Resource Access Token Hook", "Member Hook", "Subgroup Hook", "Project Hook", "System Hook",
	"Service Hook", "Test Hook", "", "Vulnerability Hook",
}

// checkOutput is what every translation must satisfy.
func checkOutput(t *testing.T, out connector.Output, err error, body []byte) {
	t.Helper()
	if json.Valid(body) != (err == nil) {
		t.Fatalf("valid JSON %v, error %v", json.Valid(body), err)
	}
	if err != nil {
		return
	}
	for _, c := range out.Cards {
		if !json.Valid(c.Card) {
			t.Fatalf("card is not valid JSON: %s", c.Card)
		}
	}
	if len(out.Cards) == 0 && out.Ignored == "" {
		t.Fatalf("no card and no reason: %+v", out)
	}
}

func TestOtherServicesDoNotPanic(t *testing.T) {
	bodies := fixturetest.OtherBodies(t, "gitlab")
	if len(bodies) == 0 {
		t.Fatal("no bodies")
	}
	for _, h := range headers {
		t.Run(h, func(t *testing.T) {
			t.Parallel()
			for _, b := range bodies {
				out, err := Translate(connector.Delivery{Header: corpusHeader(h), Body: b})
				checkOutput(t, out, err, b)
			}
		})
	}
}

func FuzzTranslate(f *testing.F) {
	for _, c := range fixturetest.Cases(f, "gitlab") {
		f.Add(c.Delivery.Header.Get("X-Gitlab-Event"), c.Delivery.Body)
	}
	// and GitLab's documented payloads, under the headers that read them
	// from the body
	docs, _ := filepath.Glob(filepath.Join(testenv.Corpus(f), "gitlab-webhooks", "*", "*.json"))
	for _, file := range docs {
		if b, err := os.ReadFile(file); err == nil {
			f.Add("System Hook", b)
			f.Add("", b)
		}
	}
	f.Fuzz(func(t *testing.T, header string, body []byte) {
		out, err := Translate(connector.Delivery{Header: corpusHeader(header), Body: body})
		checkOutput(t, out, err, body)
	})
}

// TestWrongTypesDoNotPanic gives every fixture field, in turn, a value of
// each other JSON type: GitLab versions and proxies disagree on shapes,
// and a thinner card or a reason is the answer, never a panic or an error.
func TestWrongTypesDoNotPanic(t *testing.T) {
	replacements := []any{nil, "x", 7.5, true, []any{}, map[string]any{}}
	seen := map[string]bool{}
	for _, c := range fixturetest.Cases(t, "gitlab") {
		if seen[string(c.Delivery.Body)] {
			continue
		}
		seen[string(c.Delivery.Body)] = true
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			wrongTypes(t, c, replacements)
		})
	}
}

func wrongTypes(t *testing.T, c fixturetest.Case, replacements []any) {
	{
		var root any
		if err := json.Unmarshal(c.Delivery.Body, &root); err != nil {
			t.Fatal(err)
		}
		// each slot sets one field (or array element) of root, the first
		// levels deep, and is put back before the next
		type slot struct {
			old any
			set func(any)
		}
		var slots []slot
		var walk func(v any, depth int)
		walk = func(v any, depth int) {
			if depth > 3 {
				return
			}
			switch x := v.(type) {
			case map[string]any:
				for k, e := range x {
					slots = append(slots, slot{e, func(n any) { x[k] = n }})
					walk(e, depth+1)
				}
			case []any:
				for i, e := range x {
					if i == 2 {
						break
					}
					slots = append(slots, slot{e, func(n any) { x[i] = n }})
					walk(e, depth+1)
				}
			}
		}
		walk(root, 0)
		for _, s := range slots {
			for _, r := range replacements {
				s.set(r)
				body, err := json.Marshal(root)
				if err != nil {
					t.Fatal(err)
				}
				out, err := Translate(connector.Delivery{Header: c.Delivery.Header, Body: body})
				checkOutput(t, out, err, body)
			}
			s.set(s.old)
		}
	}
}

// translate runs one delivery that must give one card, and returns the
// output and the card's text.
func translate(t *testing.T, header, body string) (connector.Output, string) {
	t.Helper()
	out, err := Translate(connector.Delivery{Header: corpusHeader(header), Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Cards) != 1 {
		t.Fatalf("got %d cards (ignored: %q), want 1", len(out.Cards), out.Ignored)
	}
	return out, fixturetest.Text(out.Cards[0])
}

func contains(t *testing.T, text string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("card lacks %q:\n%s", w, text)
		}
	}
}

func TestNotJSON(t *testing.T) {
	for _, body := range []string{"", "payload=%7B%7D", "{\"object_kind\":", "{} {}"} {
		if _, err := Translate(connector.Delivery{Header: corpusHeader("Push Hook"), Body: []byte(body)}); err == nil {
			t.Errorf("%q: no error", body)
		}
	}
}

func TestIgnored(t *testing.T) {
	for _, c := range []struct{ header, body, event, reason string }{
		{"Push Hook", `[1, 2]`, "push", "not a JSON object"},
		{"Vulnerability Hook", `{"object_kind": "vulnerability"}`, "vulnerability", "event not covered"},
		{"Push Hook", `{"object_kind": "merge_request"}`, "push", "not a Push Hook"},
		{"", `{"hello": "world"}`, "", "no X-Gitlab-Event"},
		{"System Hook", `{"event_name": "user_block"}`, "system.user_block", "event not covered"},
		{"Merge Request Hook", `{"object_kind": "merge_request", "object_attributes": {"title": "x"}}`, "merge_request", "without an iid"},
	} {
		out, err := Translate(connector.Delivery{Header: corpusHeader(c.header), Body: []byte(c.body)})
		if err != nil {
			t.Errorf("%s %s: %v", c.header, c.body, err)
			continue
		}
		if len(out.Cards) != 0 || out.Event != c.event || !strings.Contains(out.Ignored, c.reason) {
			t.Errorf("%s %s: got event %q, %d cards, ignored %q; want event %q ignored for %q",
				c.header, c.body, out.Event, len(out.Cards), out.Ignored, c.event, c.reason)
		}
	}
}

func TestTestHookIsPing(t *testing.T) {
	out, err := Translate(connector.Delivery{Header: corpusHeader("Test Hook"), Body: []byte(`{"object_kind": "push"}`)})
	if err != nil || !out.Ping || len(out.Cards) != 0 {
		t.Errorf("got %+v, %v; want a ping", out, err)
	}
}

// commits makes n commits of a push payload.
func commits(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id": "%040d", "message": "change %d\n\nbody", "url": "https://gitlab.example/g/p/-/commit/%040d", "author": {"name": "Ann"}}`, i+1, i+1, i+1)
	}
	return b.String()
}

func TestPushTruncated(t *testing.T) {
	// GitLab sends the newest 20 commits and counts them all
	body := `{"object_kind": "push", "before": "1111111111111111111111111111111111111111", "after": "2222222222222222222222222222222222222222",
		"ref": "refs/heads/release/1.0", "user_name": "Ann", "total_commits_count": 25,
		"project": {"name": "p", "path_with_namespace": "g/p", "web_url": "https://gitlab.example/g/p"},
		"commits": [` + commits(20) + `]}`
	out, text := translate(t, "Push Hook", body)
	if out.Branch != "release/1.0" || out.Event != "push" {
		t.Errorf("branch %q event %q", out.Branch, out.Event)
	}
	contains(t, text, "Ann", "25 commits", "release/1.0", "change 10", "and 15 more commits",
		"https://gitlab.example/g/p/compare/1111111111111111111111111111111111111111...2222222222222222222222222222222222222222")
	if strings.Contains(text, "change 11") {
		t.Error("more than 10 commits listed")
	}
	if strings.Contains(text, "body") {
		t.Error("a commit's message body is shown, not only its first line")
	}
}

func TestPushNewBranchWithCommits(t *testing.T) {
	body := `{"object_kind": "push", "before": "0000000000000000000000000000000000000000", "after": "2222222222222222222222222222222222222222",
		"ref": "refs/heads/feature", "user_name": "Ann", "total_commits_count": 3,
		"project": {"path_with_namespace": "g/p", "web_url": "https://gitlab.example/g/p"}, "commits": [` + commits(3) + `]}`
	out, text := translate(t, "Push Hook", body)
	if out.Branch != "feature" {
		t.Errorf("branch %q", out.Branch)
	}
	contains(t, text, "Ann", "created branch", "3 commits", "feature", "change 3")
}

func TestHiddenCommentsDropped(t *testing.T) {
	body, err := os.ReadFile(filepath.Join(fixturetest.Dir(t, "gitlab"), "fixtures", "issue_hook__issue_created_with_hidden_comment_in_description.json"))
	if err != nil {
		t.Fatal(err)
	}
	_, text := translate(t, "Issue Hook", string(body))
	contains(t, text, "This description actually has a hidden comment in it!")
	if strings.Contains(text, "multiline") || strings.Contains(text, "<!--") {
		t.Errorf("hidden comment shown:\n%s", text)
	}
}

func TestCIFailures(t *testing.T) {
	pipeline := `{"object_kind": "pipeline", "user": {"name": "Ann"},
		"object_attributes": {"id": 42, "ref": "v1.2", "tag": true, "status": "failed", "duration": 3725, "stages": ["build", "test"]},
		"project": {"path_with_namespace": "g/p", "web_url": "https://gitlab.example/g/p"},
		"builds": [{"id": 2, "stage": "test", "name": "lint", "status": "failed", "allow_failure": true},
			{"id": 3, "stage": "test", "name": "unit", "status": "failed"},
			{"id": 1, "stage": "build", "name": "compile", "status": "success"}]}`
	out, text := translate(t, "Pipeline Hook", pipeline)
	if out.Event != "pipeline.failed" || out.Branch != "" {
		t.Errorf("event %q branch %q; want pipeline.failed on no branch (a tag)", out.Event, out.Branch)
	}
	contains(t, text, "Pipeline #42 failed", "Ann", "1h 2m", "lint", "failed (allowed)", "**failed**", "https://gitlab.example/g/p/-/jobs/3")
	if i, j := strings.Index(text, "compile"), strings.Index(text, "lint"); i < 0 || j < i {
		t.Error("jobs not in stage order")
	}
	if !strings.Contains(string(out.Cards[0].Card), "#D13438") {
		t.Error("failed pipeline is not coloured as a failure")
	}

	job := `{"object_kind": "build", "ref": "main", "build_id": 7, "build_name": "unit", "build_stage": "test",
		"build_status": "failed", "build_failure_reason": "script_failure", "build_duration": 12.4, "user": {"name": "Ann"},
		"repository": {"name": "p", "homepage": "https://gitlab.example/g/p"}}`
	out, text = translate(t, "Job Hook", job)
	if out.Event != "job.failed" || out.Branch != "main" {
		t.Errorf("event %q branch %q", out.Event, out.Branch)
	}
	contains(t, text, "Job unit failed", "script failure", "12s", "https://gitlab.example/g/p/-/jobs/7")
}

func TestEmojiMilestoneAndEditedNote(t *testing.T) {
	emoji := `{"object_kind": "emoji", "event_type": "award", "user": {"name": "Ann"},
		"project": {"path_with_namespace": "g/p", "web_url": "https://gitlab.example/g/p"},
		"object_attributes": {"name": "thumbsup", "awardable_type": "MergeRequest", "awarded_on_url": "https://gitlab.example/g/p/-/merge_requests/4"},
		"merge_request": {"iid": 4, "title": "Faster builds"}}`
	out, text := translate(t, "Emoji Hook", emoji)
	if out.Event != "emoji.award" {
		t.Errorf("event %q", out.Event)
	}
	contains(t, text, "Ann", ":thumbsup:", "!4 Faster builds", "https://gitlab.example/g/p/-/merge_requests/4")

	milestone := `{"object_kind": "milestone", "action": "close", "project": {"path_with_namespace": "g/p", "web_url": "https://gitlab.example/g/p"},
		"object_attributes": {"iid": 3, "title": "v2.0", "state": "closed"}}`
	out, text = translate(t, "Milestone Hook", milestone)
	if out.Event != "milestone.close" {
		t.Errorf("event %q", out.Event)
	}
	contains(t, text, "Milestone v2.0 closed", "https://gitlab.example/g/p/-/milestones/3")

	note := `{"object_kind": "note", "user": {"name": "Ann"}, "project": {"path_with_namespace": "g/p", "web_url": "https://gitlab.example/g/p"},
		"object_attributes": {"note": "Fixed now", "noteable_type": "MergeRequest", "action": "update", "url": "https://gitlab.example/g/p/-/merge_requests/4#note_9"},
		"merge_request": {"iid": 4, "title": "Faster builds", "target_branch": "main"}}`
	out, text = translate(t, "Note Hook", note)
	if out.Event != "note.merge_request" || out.Branch != "main" {
		t.Errorf("event %q branch %q", out.Event, out.Branch)
	}
	contains(t, text, "Ann edited a comment", "!4 Faster builds", "Fixed now", "https://gitlab.example/g/p/-/merge_requests/4#note_9")
}

// Package fixturetest runs a connector's translator over the Zulip webhook
// fixtures in the shared corpus (shared/corpus/zulip-fixtures/<service>) and
// checks each result against Zulip's expected message: facts, not bytes.
// Every URL in the expected text must appear in Herald's card, and cases
// Zulip treats as no-ops must post nothing. Translators' own tests add the
// service-specific checks (actor, number or title, branch, commit count).
package fixturetest

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/internal/testenv"
)

// Case is one delivery with Zulip's expectation.
type Case struct {
	Name     string
	Delivery connector.Delivery
	Query    map[string]string // Zulip URL parameters; "branches" is a branch filter
	Noop     bool              // nothing must be posted
	Messages []string          // the expected texts (Zulip markdown), when not Noop
	Note     string
}

type expectedFile struct {
	Cases []struct {
		Test             string            `json:"test"`
		Fixture          string            `json:"fixture"`
		FixtureFiles     []string          `json:"fixture_files"`
		Headers          map[string]string `json:"headers"`
		Query            map[string]string `json:"query"`
		ContentType      string            `json:"content_type"`
		Body             *string           `json:"body"`
		ExpectNoop       bool              `json:"expect_noop"`
		ExpectedMessage  string            `json:"expected_message"`
		ExpectedMessages []struct {
			Message string `json:"message"`
		} `json:"expected_messages"`
		Note string `json:"note"`
	} `json:"cases"`
	Posts []struct {
		Test         string            `json:"test"`
		FixtureFiles []string          `json:"fixture_files"`
		Headers      map[string]string `json:"headers"`
		Query        map[string]string `json:"query"`
		ContentType  string            `json:"content_type"`
		Body         *string           `json:"body"`
		Outcome      string            `json:"likely_outcome"`
	} `json:"posts_without_expected_message"`
}

// Dir returns the corpus folder of a service.
func Dir(t testing.TB, service string) string {
	return filepath.Join(testenv.Corpus(t), "zulip-fixtures", service)
}

// Cases loads a service's cases: those with an expected message or a no-op
// expectation, and the posts Zulip's tests expect to be ignored.
func Cases(t testing.TB, service string) []Case {
	t.Helper()
	dir := Dir(t, service)
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatalf("fixtures of %s: %v", service, err)
	}
	var f expectedFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("fixtures of %s: %v", service, err)
	}
	load := func(files []string, body *string) []byte {
		if body != nil {
			return []byte(*body)
		}
		if len(files) == 0 {
			return []byte("{}")
		}
		b, err := os.ReadFile(filepath.Join(dir, "fixtures", files[0]))
		if err != nil {
			t.Fatalf("fixture %s/%s: %v", service, files[0], err)
		}
		return b
	}
	header := func(h map[string]string, ct string) http.Header {
		out := http.Header{}
		for k, v := range h {
			out.Set(k, v)
		}
		if ct != "" {
			out.Set("Content-Type", ct)
		}
		return out
	}
	var cases []Case
	for _, c := range f.Cases {
		name := c.Test
		if c.Fixture != "" {
			name += "/" + c.Fixture
		}
		tc := Case{Name: name, Query: c.Query, Noop: c.ExpectNoop, Note: c.Note,
			Delivery: connector.Delivery{Header: header(c.Headers, c.ContentType), Body: load(c.FixtureFiles, c.Body)}}
		if c.ExpectedMessage != "" {
			tc.Messages = append(tc.Messages, c.ExpectedMessage)
		}
		for _, m := range c.ExpectedMessages {
			tc.Messages = append(tc.Messages, m.Message)
		}
		if !tc.Noop && len(tc.Messages) == 0 {
			continue // nothing to check against
		}
		cases = append(cases, tc)
	}
	for _, p := range f.Posts {
		if !strings.HasPrefix(p.Outcome, "ignored") {
			continue
		}
		cases = append(cases, Case{Name: p.Test + "/ignored", Noop: true, Query: p.Query,
			Delivery: connector.Delivery{Header: header(p.Headers, p.ContentType), Body: load(p.FixtureFiles, p.Body)}})
	}
	return cases
}

var (
	mdLink  = regexp.MustCompile(`\]\((https?://[^)\s]+)\)`)
	bareURL = regexp.MustCompile(`(?:^|[\s<(])(https?://[^\s<>)\]]+)`)
)

// URLs returns the URLs in a Zulip markdown text.
func URLs(md string) []string {
	seen := map[string]bool{}
	var out []string
	for _, re := range []*regexp.Regexp{mdLink, bareURL} {
		for _, m := range re.FindAllStringSubmatch(md, -1) {
			u := strings.TrimRight(m[1], ".,;:")
			if !seen[u] {
				seen[u] = true
				out = append(out, u)
			}
		}
	}
	return out
}

// Text returns every string in a card's JSON, joined by newlines: what a
// reader of the card can see, links included.
func Text(c connector.Card) string {
	var v any
	if err := json.Unmarshal(c.Card, &v); err != nil {
		return ""
	}
	var b strings.Builder
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte('\n')
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return c.Summary + "\n" + b.String()
}

// Check compares one output with its case and returns what is wrong.
func Check(c Case, out connector.Output) []string {
	cards := out.Cards
	if br := c.Query["branches"]; br != "" && !connector.BranchAllowed(br, out.Branch) {
		cards = nil // the connection's branch filter drops it
	}
	if c.Noop {
		if len(cards) > 0 {
			return []string{"posted " + itoa(len(cards)) + " card(s) where nothing should be posted"}
		}
		return nil
	}
	if len(cards) == 0 {
		return []string{"posted nothing (ignored: " + out.Ignored + "); expected: " + strings.Join(c.Messages, " | ")}
	}
	var all strings.Builder
	for _, card := range cards {
		if !json.Valid(card.Card) {
			return []string{"a card is not valid JSON"}
		}
		all.WriteString(Text(card))
	}
	text := all.String()
	var problems []string
	for _, m := range c.Messages {
		for _, u := range URLs(m) {
			if !strings.Contains(text, u) {
				problems = append(problems, "missing URL "+u)
			}
		}
	}
	return problems
}

// Run checks every case of service with translate, each as a subtest.
// known lists cases (by Name) that are allowed to differ, each with the
// reason; they are reported, not failed. It returns how many cases passed
// and how many there were, for the pass rate in docs/connectors.md.
func Run(t *testing.T, service string, translate connector.Translator, known map[string]string) (passed, total int) {
	t.Helper()
	for _, c := range Cases(t, service) {
		total++
		out, err := translate(c.Delivery)
		var problems []string
		if err != nil {
			problems = []string{"error: " + err.Error()}
		} else {
			problems = Check(c, out)
		}
		if len(problems) == 0 {
			passed++
			continue
		}
		if why, ok := known[c.Name]; ok {
			t.Logf("%s: known difference (%s): %s", c.Name, why, strings.Join(problems, "; "))
			continue
		}
		t.Errorf("%s: %s", c.Name, strings.Join(problems, "; "))
	}
	t.Logf("%s: %d of %d fixture cases pass", service, passed, total)
	return passed, total
}

// OtherBodies returns the body of every fixture of every other service and
// of the GitLab webhook corpus: translators must not panic on any of them.
func OtherBodies(t testing.TB, service string) [][]byte {
	t.Helper()
	root := testenv.Corpus(t)
	var out [][]byte
	for _, pattern := range []string{"zulip-fixtures/*/fixtures/*", "gitlab-webhooks/*/*.json", "misc-webhooks/*/*.json"} {
		files, _ := filepath.Glob(filepath.Join(root, pattern))
		for _, f := range files {
			if strings.Contains(f, "/zulip-fixtures/"+service+"/") {
				continue
			}
			if b, err := os.ReadFile(f); err == nil {
				out = append(out, b)
			}
		}
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Invariants checks what holds for any delivery a translator is given: an
// error exactly when the body is not JSON, valid card JSON, and a reason
// whenever nothing is posted. Fuzz targets and the cross-service tests use it.
func Invariants(t testing.TB, translate connector.Translator, d connector.Delivery) {
	t.Helper()
	out, err := translate(d)
	if !json.Valid(d.Body) {
		if err == nil {
			t.Fatalf("no error for a body that is not JSON: %q", d.Body)
		}
		return
	}
	if err != nil {
		t.Fatalf("error for JSON: %v", err)
	}
	if len(out.Cards) == 0 && out.Ignored == "" && !out.Ping {
		t.Fatalf("no cards and no reason for %q", d.Body)
	}
	for _, c := range out.Cards {
		if !json.Valid(c.Card) {
			t.Fatalf("card is not valid JSON: %s", c.Card)
		}
	}
}

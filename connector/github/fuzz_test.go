package github_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/fixturetest"
	"github.com/heraldhq/herald/connector/github"
)

// checkContract fails t when Translate breaks the Translator contract on a
// JSON delivery: an error only for a body that is not JSON, valid cards
// with a summary, a reason whenever nothing is posted, no card for a ping.
func checkContract(t *testing.T, event string, isJSON bool, out connector.Output, err error) {
	t.Helper()
	if err != nil {
		if isJSON {
			t.Fatalf("event %q: error %v for a JSON body", event, err)
		}
		return
	}
	if !isJSON {
		t.Fatalf("event %q: no error for a body that is not JSON", event)
	}
	if out.Ping && len(out.Cards) > 0 {
		t.Fatalf("event %q: a ping posted %d cards", event, len(out.Cards))
	}
	if len(out.Cards) == 0 && !out.Ping && out.Ignored == "" {
		t.Fatalf("event %q: no cards and no reason", event)
	}
	if name, _, _ := strings.Cut(out.Event, "."); out.Event != "" && name != strings.ToLower(strings.TrimSpace(event)) {
		t.Fatalf("event %q: Output.Event %q", event, out.Event)
	}
	if strings.HasPrefix(out.Branch, "refs/") {
		t.Fatalf("event %q: Branch %q is a full ref", event, out.Branch)
	}
	for _, c := range out.Cards {
		var card struct {
			Type string `json:"type"`
			Body []any  `json:"body"`
		}
		if err := json.Unmarshal(c.Card, &card); err != nil || card.Type != "AdaptiveCard" || len(card.Body) == 0 {
			t.Fatalf("event %q: invalid card (%v): %s", event, err, c.Card)
		}
		if strings.TrimSpace(c.Summary) == "" {
			t.Fatalf("event %q: card without a summary: %s", event, c.Card)
		}
	}
}

// TestOtherServicesDoNotPanic sends every other service's fixture under
// every GitHub event: each is an error or a valid output.
func TestOtherServicesDoNotPanic(t *testing.T) {
	t.Parallel()
	bodies := fixturetest.OtherBodies(t, "github")
	if len(bodies) == 0 {
		t.Fatal("no other bodies in the corpus")
	}
	events := append([]string{"ping", "label", "check_suite"}, github.Events...)
	for _, body := range bodies {
		isJSON := json.Valid(body)
		for _, event := range events {
			out, err := github.Translate(delivery(event, body))
			checkContract(t, event, isJSON, out, err)
		}
	}
}

func FuzzTranslate(f *testing.F) {
	for _, c := range fixturetest.Cases(f, "github") {
		f.Add(c.Delivery.Header.Get("X-GitHub-Event"), c.Delivery.Body)
	}
	for i, body := range fixturetest.OtherBodies(f, "github") {
		f.Add(github.Events[i%len(github.Events)], body)
	}
	f.Fuzz(func(t *testing.T, event string, body []byte) {
		out, err := github.Translate(delivery(event, body))
		checkContract(t, event, json.Valid(body), out, err)
	})
}

// mutate returns v with every string, number or bool leaf replaced by leaf
// (kept when leaf returns nil), and every object passed to obj first.
func mutate(v any, leaf func(any) any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = mutate(e, leaf)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = mutate(e, leaf)
		}
		return out
	}
	if r := leaf(v); r != nil {
		return r
	}
	return v
}

// TestMutatedFixtures sends each GitHub fixture with every leaf of one
// kind replaced (all strings by a short SHA, all numbers by -1, ...) and
// with every action the translator knows: the payloads GitHub did not send
// must still keep the contract.
func TestMutatedFixtures(t *testing.T) {
	t.Parallel()
	strs := []string{"", "x", "abcdef0", "abcdef0123", "refs/heads/", "refs/tags/v1", "completed", "success",
		"javascript:alert(1)", "[a](b) *c* _d_ <e> #1", strings.Repeat("é\n", 400)}
	leaves := []func(any) any{
		func(v any) any { return nil },
		func(v any) any {
			if _, ok := v.(bool); ok {
				return true
			}
			return nil
		},
		func(v any) any {
			if _, ok := v.(float64); ok {
				return -1.0
			}
			return nil
		},
		func(v any) any {
			if _, ok := v.(float64); ok {
				return 1e300
			}
			return nil
		},
		func(v any) any { return map[string]any{} },
	}
	for _, s := range strs {
		leaves = append(leaves, func(v any) any {
			if _, ok := v.(string); ok {
				return s
			}
			return nil
		})
	}
	actions := []string{"", "opened", "closed", "reopened", "edited", "assigned", "unassigned", "review_requested",
		"review_request_removed", "synchronize", "ready_for_review", "converted_to_draft", "locked", "unlocked",
		"auto_merge_enabled", "auto_merge_disabled", "labeled", "submitted", "dismissed", "created", "deleted",
		"answered", "unanswered", "pinned", "transferred", "category_changed", "milestoned", "demilestoned",
		"published", "unpublished", "released", "started", "completed", "requested", "in_progress", "added",
		"removed", "archived", "unarchived", "renamed", "publicized", "privatized", "added_to_repository",
		"removed_from_repository", "rerequested", "unknown_action"}
	seen := map[string]bool{}      // fixtures sent
	seenEvent := map[string]bool{} // events sent with every action
	for _, c := range fixturetest.Cases(t, "github") {
		event := c.Delivery.Header.Get("X-GitHub-Event")
		if seen[event+string(c.Delivery.Body)] {
			continue
		}
		seen[event+string(c.Delivery.Body)] = true
		var v map[string]any
		if json.Unmarshal(c.Delivery.Body, &v) != nil || len(v) == 0 {
			continue
		}
		send := func(v any) {
			body, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			out, err := github.Translate(delivery(event, body))
			checkContract(t, event, true, out, err)
		}
		for _, leaf := range leaves {
			send(mutate(v, leaf))
		}
		if seenEvent[event] {
			continue
		}
		seenEvent[event] = true
		for _, a := range actions {
			w := maps.Clone(v)
			w["action"] = a
			send(w)
		}
	}
}

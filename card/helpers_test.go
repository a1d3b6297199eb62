package card

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"
)

// corpusDir finds shared/corpus by walking up from the package directory, so
// the tests work wherever the repository is cloned with shared/ beside it.
// A missing corpus is a failure, not a skip: these tests are the evidence of
// wire compatibility.
func corpusDir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		c := filepath.Join(dir, "shared", "corpus")
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("shared/corpus not found above the package directory; clone shared/ beside the repository")
		}
		dir = parent
	}
}

func readCorpus(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir(t), filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeCard checks the canonical invariants and returns the card as a map.
func decodeCard(t testing.TB, m *Message) map[string]any {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(m.Card, &c); err != nil {
		t.Fatalf("card is not a JSON object: %v\n%s", err, m.Card)
	}
	if c["type"] != "AdaptiveCard" {
		t.Fatalf("card type = %v, want AdaptiveCard", c["type"])
	}
	if c["$schema"] != "http://adaptivecards.io/schemas/adaptive-card.json" {
		t.Fatalf("card $schema = %v", c["$schema"])
	}
	if v, ok := c["version"].(string); !ok || v == "" {
		t.Fatalf("card version = %v", c["version"])
	}
	if _, ok := c["body"].([]any); !ok {
		t.Fatalf("card body = %T, want array", c["body"])
	}
	return c
}

// mustParse parses with Parse and fails on error.
func mustParse(t testing.TB, contentType, body string) (*Message, map[string]any) {
	t.Helper()
	m, err := Parse(contentType, []byte(body))
	if err != nil {
		t.Fatalf("Parse(%q) error: %v", clip(body, 200), err)
	}
	return m, decodeCard(t, m)
}

func asError(t testing.TB, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not *Error", err, err)
	}
	return e
}

// objects returns every object in v (depth first) whose "type" is typ ("" for all).
func objects(v any, typ string) []map[string]any {
	var out []map[string]any
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if typ == "" || x["type"] == typ {
				out = append(out, x)
			}
			for _, k := range sortedKeys(x) {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// strs returns every string value in v.
func strs(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
			for _, k := range sortedKeys(x) {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// texts returns the text of every TextBlock.
func texts(card any) []string {
	var out []string
	for _, tb := range objects(card, "TextBlock") {
		if s, ok := tb["text"].(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// facts returns title=value for every fact of every FactSet.
func facts(card any) []string {
	var out []string
	for _, fs := range objects(card, "FactSet") {
		list, _ := fs["facts"].([]any)
		for _, f := range list {
			fm, _ := f.(map[string]any)
			out = append(out, fm["title"].(string)+"="+fm["value"].(string))
		}
	}
	return out
}

// words splits s into lower-case words of letters and digits, for comparing
// what a rendering carries without comparing its markup.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

package feed

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/heraldhq/herald/internal/testenv"
)

// corpusBase is the URL the corpus documents are parsed as if fetched from.
// Nothing is fetched: tests never dereference URLs from the corpus.
const corpusBase = "http://corpus.example.com/feeds/feed.xml"

// budget is the most one document may take to parse. A document over it is
// timed twice more and judged by the fastest run, so that a busy machine
// does not fail the test; a parser that is really slow on a document still
// does.
const budget = time.Second

func feedsDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(testenv.Corpus(t), "feeds")
}

// corpusFiles lists every document in the feed corpus (index files
// excluded), relative to feedsDir, sorted.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	root := feedsDir(t)
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || d.Name() == "index.json" {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	testenv.Must(t, err, "walk ", root)
	sort.Strings(out)
	if len(out) < 4000 {
		t.Fatalf("the feed corpus has %d files; expected about 4,500 (is shared/corpus complete?)", len(out))
	}
	return out
}

// timedParse parses b, failing the test on a panic or on a parse slower
// than budget.
func timedParse(t *testing.T, name string, b []byte) (f *Feed, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s: Parse panicked: %v", name, r)
			f, err = nil, errors.New("panic")
		}
	}()
	best := time.Duration(1<<63 - 1)
	for try := 0; try < 3; try++ {
		start := time.Now()
		f, err = Parse(b, corpusBase)
		best = min(best, time.Since(start))
		if best <= budget {
			break
		}
	}
	if best > budget {
		t.Errorf("%s: Parse took %v, over the %v budget", name, best, budget)
	}
	return f, err
}

// checkInvariants checks what must hold for every parsed feed, whatever the
// input: the promises the package documentation makes.
func checkInvariants(t *testing.T, name string, f *Feed) {
	t.Helper()
	for i, it := range f.Items {
		where := fmt.Sprintf("%s: item %d", name, i)
		if !strings.HasPrefix(it.Key, "guid:") && !strings.HasPrefix(it.Key, "link:") && !strings.HasPrefix(it.Key, "hash:") {
			t.Errorf("%s: key %q has no kind prefix", where, it.Key)
		}
		if len(it.Key) > 5+maxKey {
			t.Errorf("%s: key is %d bytes", where, len(it.Key))
		}
		for what, u := range map[string]string{"link": it.Link, "image": it.Image} {
			if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
				t.Errorf("%s: %s %q is not http(s)", where, what, u)
			}
		}
		if n := utf8.RuneCountInString(it.Summary); n > SummaryRunes {
			t.Errorf("%s: summary is %d runes", where, n)
		}
		for what, s := range map[string]string{"title": it.Title, "summary": it.Summary, "author": it.Author} {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				t.Errorf("%s: %s is not clean text: %q", where, what, s)
			}
			if s != strings.TrimSpace(s) {
				t.Errorf("%s: %s has white space around it: %q", where, what, s)
			}
		}
		if strings.ContainsAny(it.Title, "\n\r\t") || strings.ContainsAny(it.Author, "\n\r\t") {
			t.Errorf("%s: title or author spans lines: %q / %q", where, it.Title, it.Author)
		}
		checkCard(t, where, f.Title, it)
	}
}

// checkCard checks that an item's card is valid JSON in the canonical shape
// with no raw markup and only safe link targets.
func checkCard(t *testing.T, where, feedTitle string, it Item) {
	t.Helper()
	summary, raw := Card(feedTitle, it)
	if summary == "" || utf8.RuneCountInString(summary) > summaryRunes {
		t.Errorf("%s: card summary %q", where, summary)
	}
	var c struct {
		Type    string `json:"type"`
		Version string `json:"version"`
		Body    []struct {
			Type string `json:"type"`
			Text string `json:"text"`
			URL  string `json:"url"`
		} `json:"body"`
		Actions []struct {
			Type, URL string
		} `json:"actions"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("%s: card is not JSON: %v\n%s", where, err, raw)
	}
	if c.Type != "AdaptiveCard" || c.Version != "1.5" || len(c.Body) == 0 {
		t.Errorf("%s: card shape: %s", where, raw)
	}
	for _, b := range c.Body {
		if i := unescaped(b.Text, '<'); i >= 0 {
			t.Errorf("%s: raw '<' in card text %q", where, b.Text)
		}
		for _, target := range linkTargets(b.Text) {
			if safeURL(target, false) == "" {
				t.Errorf("%s: unsafe link target %q in %q", where, target, b.Text)
			}
		}
		if b.Type == "Image" && safeURL(b.URL, true) == "" {
			t.Errorf("%s: unsafe image URL %q", where, b.URL)
		}
	}
	for _, a := range c.Actions {
		if safeURL(a.URL, false) == "" {
			t.Errorf("%s: unsafe action URL %q", where, a.URL)
		}
	}
}

// unescaped returns the index of the first c in s not preceded by a
// backslash escape, or -1.
func unescaped(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == c {
			return i
		}
	}
	return -1
}

// linkTargets returns the targets of markdown links "[...](target)" whose
// brackets are not escaped.
func linkTargets(s string) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == ']' && i+1 < len(s) && s[i+1] == '(' {
			end := strings.IndexByte(s[i+2:], ')')
			if end < 0 {
				out = append(out, s[i+2:])
				break
			}
			out = append(out, s[i+2:i+2+end])
		}
	}
	return out
}

// errKind names the class of a Parse error.
func errKind(err error) string {
	var nf *NotFeedError
	switch {
	case errors.As(err, &nf):
		return "web page"
	case errors.Is(err, ErrEmpty):
		return "empty"
	case errors.Is(err, ErrNotFeed):
		return "not a feed"
	case errors.Is(err, ErrTooLarge):
		return "too large"
	case errors.Is(err, ErrMalformed) && strings.Contains(err.Error(), "parser failed"):
		return "parser panic"
	case errors.Is(err, ErrMalformed):
		return "malformed"
	}
	return "UNCLASSIFIED"
}

// TestCorpusParseAll parses every file of the feed corpus: well-formed,
// ill-formed, other encodings, validator cases, and also the expectation
// files (JSON that is not a feed). Nothing may panic, take over the budget,
// return an error outside the documented classes, or break an invariant.
func TestCorpusParseAll(t *testing.T) {
	root := feedsDir(t)
	files := corpusFiles(t)
	type tally struct{ files, parsed, items, warned int }
	bySource := map[string]*tally{}
	errs := map[string][]string{}
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join(root, name))
		testenv.Must(t, err, "read ", name)
		src := name[:strings.IndexByte(name, '/')]
		if strings.HasPrefix(name, "gofeed-testdata/") && (strings.HasSuffix(name, "_expected.json") || strings.HasSuffix(name, ".json") && exists(filepath.Join(root, strings.TrimSuffix(name, ".json")+".xml"))) {
			src = "gofeed-testdata (expected parses, not feeds)"
		}
		if bySource[src] == nil {
			bySource[src] = &tally{}
		}
		tl := bySource[src]
		tl.files++
		f, err := timedParse(t, name, b)
		if err != nil {
			k := errKind(err)
			errs[k] = append(errs[k], name+": "+err.Error())
			if k == "UNCLASSIFIED" || k == "parser panic" {
				t.Errorf("%s: %v (%s)", name, err, k)
			}
			if !strings.HasPrefix(err.Error(), "feed: ") {
				t.Errorf("%s: error does not name the package: %v", name, err)
			}
			continue
		}
		tl.parsed++
		tl.items += len(f.Items)
		if f.Warning != "" {
			tl.warned++
		}
		checkInvariants(t, name, f)
	}
	var srcs []string
	for s := range bySource {
		srcs = append(srcs, s)
	}
	sort.Strings(srcs)
	total := 0
	for _, s := range srcs {
		tl := bySource[s]
		total += tl.files
		t.Logf("%-24s %5d files: %5d parsed (%d with repairs, %d items), %d errors", s, tl.files, tl.parsed, tl.warned, tl.items, tl.files-tl.parsed)
	}
	kinds := make([]string, 0, len(errs))
	for k := range errs {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		t.Logf("errors %q: %d, e.g. %s", k, len(errs[k]), errs[k][0])
	}
	t.Logf("%d files", total)
}

// gofeedCases pairs each gofeed test input with its expected parse:
// x.xml with x.json, and x.json with x_expected.json.
func gofeedCases(t testing.TB) (inputs, expectations []string) {
	root := feedsDir(t)
	for _, name := range corpusFiles(t) {
		if !strings.HasPrefix(name, "gofeed-testdata/") {
			continue
		}
		var exp string
		switch {
		case strings.HasSuffix(name, ".xml"):
			exp = strings.TrimSuffix(name, ".xml") + ".json"
		case strings.HasSuffix(name, ".json") && !strings.HasSuffix(name, "_expected.json"):
			exp = strings.TrimSuffix(name, ".json") + "_expected.json"
		default:
			continue
		}
		if _, err := os.Stat(filepath.Join(root, exp)); err != nil {
			continue
		}
		inputs = append(inputs, name)
		expectations = append(expectations, exp)
	}
	return inputs, expectations
}

// TestCorpusGofeedExpectations: every gofeed test feed whose expected parse
// has items yields that many items, with the expected titles and links
// where the expectation states them (as plain text, and resolved).
func TestCorpusGofeedExpectations(t *testing.T) {
	root := feedsDir(t)
	inputs, exps := gofeedCases(t)
	var withItems, items, titles, links int
	for i, name := range inputs {
		var exp struct {
			Items   []map[string]any `json:"items"`
			Entries []map[string]any `json:"entries"`
		}
		b, err := os.ReadFile(filepath.Join(root, exps[i]))
		testenv.Must(t, err, exps[i])
		testenv.Must(t, json.Unmarshal(b, &exp), exps[i])
		want := exp.Items
		if len(want) == 0 {
			want = exp.Entries
		}
		body, err := os.ReadFile(filepath.Join(root, name))
		testenv.Must(t, err, name)
		f, err := timedParse(t, name, body)
		if len(want) == 0 {
			continue // feed-level cases; TestCorpusParseAll covers them
		}
		withItems++
		if err != nil {
			t.Errorf("%s: %v; want %d items", name, err, len(want))
			continue
		}
		if len(f.Items) != len(want) {
			t.Errorf("%s: %d items, want %d", name, len(f.Items), len(want))
			continue
		}
		items += len(want)
		for j, w := range want {
			got := f.Items[j]
			if title, ok := w["title"].(string); ok {
				titles++
				if wt := truncate(lineText(title, 4*maxTitle), maxTitle); got.Title != wt {
					t.Errorf("%s: item %d title %q, want %q (from %q)", name, j, got.Title, wt, title)
				}
			}
			if link, ok := w["link"].(string); ok {
				if wl := resolve(mustURL(corpusBase), link); wl != "" {
					links++
					if got.Link != wl {
						t.Errorf("%s: item %d link %q, want %q", name, j, got.Link, wl)
					}
				}
			}
		}
	}
	t.Logf("%d gofeed inputs, %d with items: %d items, %d titles and %d links compared", len(inputs), withItems, items, titles, links)
	if withItems < 250 {
		t.Errorf("only %d gofeed cases with items found", withItems)
	}
}

// fpIndex is feedparser-tests/index.json.
type fpIndex struct {
	Files map[string]struct {
		Description *string `json:"description"`
		Expect      *string `json:"expect"`
		Assertions  []struct {
			Path  []any  `json:"path"`
			Op    string `json:"op"`
			Value any    `json:"value"`
		} `json:"assertions"`
	} `json:"files"`
}

// feedparserExcluded are feedparser test groups outside what Parse can
// know: CDF (Microsoft's Channel Definition Format, not RSS, Atom or JSON
// Feed), and base URIs taken from HTTP headers (Content-Location) or from a
// document URI that feedparser's test server supplies.
var feedparserExcluded = []string{"wellformed/cdf/", "wellformed/base/cdf_", "wellformed/base/http_"}

// feedparserKnown are documents on which Herald knowingly reads differently
// from feedparser, and why. A difference on any other document fails.
var feedparserKnown = map[string]string{
	"wellformed/atom10/entry_id_no_normalization_4.xml":   "gofeed lower-cases the scheme of a URL-shaped id; keys stay stable across polls",
	"wellformed/namespace/unknown-namespace.xml":          "an <item> inside an Atom <feed> is not an entry",
	"wellformed/rdf/rdf_item_rdf_about.xml":               "gofeed does not expose rdf:about; such items are keyed by link, else by content hash",
	"wellformed/rss/entity_in_doctype.xml":                "entities declared in an internal DTD are not expanded (Go's XML decoder)",
	"wellformed/rss/item_description_not_a_doctype.xml":   `"<!" opens a bogus comment in HTML5 tokenization, as in browsers`,
	"wellformed/rss/item_summary_and_description.xml":     "the RSS description wins over a non-standard <summary>",
	"wellformed/sanitize/entry_summary_iframe.xml":        "iframe content is dropped: browsers do not show it",
	"wellformed/sanitize/entry_summary_script_base64.xml": `gofeed does not decode Atom 0.3 mode="base64" when the type is text/*`,
	"wellformed/sanitize/item_xhtml_body_blink.xml":       "gofeed keeps only the direct text of extension elements (xhtml:body)",
	"wellformed/sanitize/item_xhtml_body_style.xml":       "gofeed keeps only the direct text of extension elements (xhtml:body)",
}

// TestCorpusFeedparserExpectations checks the facts feedparser's tests
// assert that a feed reader must agree on:
//
//   - a document expected to be well-formed (not bozo) with entries yields
//     at least one item;
//   - the first entry's title, link, id and summary/description, and the
//     feed's title and link, equal the expected value as plain text (for
//     summaries: after markup removal, so the sanitizer tests check that
//     script, applet, embed and the like leave nothing behind).
//
// feedparser-specific behaviour is not compared (its HTML sanitizer output
// kept as HTML, its date and detail structures, xml:base on content).
func TestCorpusFeedparserExpectations(t *testing.T) {
	root := filepath.Join(feedsDir(t), "feedparser-tests")
	b, err := os.ReadFile(filepath.Join(root, "index.json"))
	testenv.Must(t, err, "feedparser index")
	var idx fpIndex
	testenv.Must(t, json.Unmarshal(b, &idx), "feedparser index")
	base := mustURL(corpusBase)

	names := make([]string, 0, len(idx.Files))
	for n := range idx.Files {
		names = append(names, n)
	}
	sort.Strings(names)
	var withEntries, compared, mismatched int
	known := map[string]bool{}
	for _, name := range names {
		if slices.ContainsFunc(feedparserExcluded, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		c := idx.Files[name]
		body, err := os.ReadFile(filepath.Join(root, name))
		testenv.Must(t, err, name)
		f, err := timedParse(t, name, body)
		bozo, entries := false, false
		for _, a := range c.Assertions {
			if len(a.Path) == 1 && a.Path[0] == "bozo" && a.Op == "truthy" {
				bozo = true
			}
			if len(a.Path) >= 2 && a.Path[0] == "entries" && a.Op == "==" {
				entries = true
			}
		}
		if bozo {
			continue // feedparser itself calls it broken: any result will do
		}
		if err != nil {
			if entries {
				t.Errorf("%s: %v; want entries (%s)", name, err, deref(c.Expect))
			}
			continue
		}
		if entries {
			withEntries++
			if len(f.Items) == 0 && feedparserKnown[name] != "" {
				known[name] = true
				continue
			}
			if len(f.Items) == 0 {
				t.Errorf("%s: no items; want entries (%s)", name, deref(c.Expect))
				continue
			}
		}
		for _, a := range c.Assertions {
			want, ok := a.Value.(string)
			if !ok || a.Op != "==" || len(a.Path) != 3 && len(a.Path) != 2 {
				continue
			}
			var got, norm string
			p := fmt.Sprint(a.Path...)
			if strings.HasPrefix(p, "entries") && len(f.Items) == 0 {
				continue
			}
			switch p {
			case "feed title":
				got, norm = f.Title, truncate(lineText(want, 4*maxTitle), maxTitle)
			case "feed link":
				got, norm = f.Link, resolve(base, want)
			case "entries0title":
				got, norm = f.Items[0].Title, truncate(lineText(want, 4*maxTitle), maxTitle)
			case "entries0link":
				got, norm = f.Items[0].Link, resolve(base, want)
			case "entries0id", "entries0guid":
				got, norm = f.Items[0].Key, key("guid:", strings.TrimSpace(want))
			case "entries0summary", "entries0description":
				got, norm = f.Items[0].Summary, truncate(htmlText(want, 8*SummaryRunes), SummaryRunes)
				if norm == f.Items[0].Title {
					norm = "" // Parse drops a summary that repeats the title
				}
			default:
				continue
			}
			compared++
			if got != norm {
				mismatched++
				if why, ok := feedparserKnown[name]; ok {
					known[name] = true
					t.Logf("known difference: %s: %v = %q, feedparser %q: %s", name, a.Path, got, want, why)
					continue
				}
				t.Errorf("%s: %v = %q, want %q (expected %q; %s)", name, a.Path, got, norm, want, deref(c.Description))
			}
		}
	}
	t.Logf("%d feedparser documents with entries; %d facts compared, %d differ, all on the %d documents with known differences", withEntries, compared, mismatched, len(known))
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

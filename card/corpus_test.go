package card

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestCorpusMessageCard replays every MessageCard-folder payload and checks
// the documented outcome, and that converted cards keep the source's titles,
// facts and action URLs.
func TestCorpusMessageCard(t *testing.T) {
	root := filepath.Join(corpusDir(t), "messagecard")
	// Outcomes that are not "FormatMessageCard"; every other file must be one.
	want := map[string]string{
		// An Adaptive Card in the Teams envelope, sent by Jenkins with adaptiveCards: true.
		"jenkins-office-365-connector/adaptivecard-success.json": "adaptive",
		// Verbatim from the Teams docs, with its trailing comma: not JSON.
		"msteams-docs/adaptive-card-via-webhook.trailing-comma.json.txt": "Invalid JSON: trailing comma before '}' at offset 524 (line 15, column 17).",
		// A JSON Schema, not a card: an object without summary or text, so
		// Teams' MessageCard error.
		"outlook-dev-docs/MessageCardSchema.json": textSummaryRequired,
		// Bare Adaptive Cards (Outlook actionable messages) without the
		// envelope: Teams answers them with the MessageCard error too.
		"outlook-dev-docs/Approval.adaptive.json":          textSummaryRequired,
		"outlook-dev-docs/ProjectManagement.adaptive.json": textSummaryRequired,
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 17 {
		t.Errorf("found %d MessageCard corpus files, want 17", len(files))
	}
	converted := 0
	for _, p := range files {
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		t.Run(rel, func(t *testing.T) {
			body, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse("application/json", body)
			outcome, special := want[rel]
			switch {
			case special && outcome == "adaptive":
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if m.Format != FormatAdaptive {
					t.Fatalf("format %q, want adaptive", m.Format)
				}
				decodeCard(t, m)
				return
			case special:
				if err == nil {
					t.Fatalf("Parse succeeded (%s), want error %q", m.Format, outcome)
				}
				if e := asError(t, err); e.Status != 400 || e.Text != outcome {
					t.Fatalf("error %d %q, want 400 %q", e.Status, e.Text, outcome)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if m.Format != FormatMessageCard {
				t.Fatalf("format %q, want messagecard", m.Format)
			}
			converted++
			checkMessageCardKept(t, body, m)
		})
	}
	t.Logf("MessageCard corpus: %d files, %d converted, %d documented rejections/other", len(files), converted, len(want))
}

// checkMessageCardKept compares the source MessageCard with the converted
// card: title and texts, facts, images and action URLs must all be there.
func checkMessageCardKept(t *testing.T, body []byte, m *Message) {
	t.Helper()
	card := decodeCard(t, m)
	var src map[string]any
	if err := json.Unmarshal(body, &src); err != nil {
		t.Fatal(err)
	}
	if s, _ := src["summary"].(string); s != "" && m.Summary != s {
		t.Errorf("summary %q, want %q", m.Summary, s)
	}
	gotTexts := texts(card)
	gotFacts := facts(card)
	all := strs(card)
	wantText := func(s any) {
		if str, ok := s.(string); ok && str != "" && !contains(gotTexts, str) {
			t.Errorf("text %q missing; card texts: %q", str, gotTexts)
		}
	}
	wantURL := func(s any) {
		if str, ok := s.(string); ok && str != "" {
			u := strings.ReplaceAll(str, " ", "%20")
			if !contains(all, u) {
				t.Errorf("URL %q missing from card", u)
			}
		}
	}
	wantText(src["title"])
	wantText(src["text"])
	sections, _ := src["sections"].([]any)
	for _, s := range sections {
		sec := s.(map[string]any)
		for _, k := range []string{"title", "text", "activityTitle", "activitySubtitle", "activityText"} {
			wantText(sec[k])
		}
		wantURL(sec["activityImage"])
		fs, _ := sec["facts"].([]any)
		for _, f := range fs {
			fm := f.(map[string]any)
			want := fm["name"].(string) + "=" + fm["value"].(string)
			if !contains(gotFacts, want) {
				t.Errorf("fact %q missing; card facts: %q", want, gotFacts)
			}
		}
		imgs, _ := sec["images"].([]any)
		for _, im := range imgs {
			wantURL(im.(map[string]any)["image"])
		}
	}
	actions, _ := src["potentialAction"].([]any)
	for _, a := range actions {
		am := a.(map[string]any)
		switch am["@type"] {
		case "ViewAction":
			wantURL(am["target"].([]any)[0])
		case "OpenUri":
			wantURL(am["targets"].([]any)[0].(map[string]any)["uri"])
		case "HttpPOST":
			wantURL(am["target"])
		case "ActionCard":
			for _, sub := range am["actions"].([]any) {
				wantURL(sub.(map[string]any)["target"])
			}
		}
		if name, _ := am["name"].(string); name != "" && !contains(all, name) {
			t.Errorf("action %q missing", name)
		}
	}
	if tc, _ := src["themeColor"].(string); tc != "" {
		h, _ := card["herald"].(map[string]any)
		if got, _ := h["themeColor"].(string); !strings.EqualFold(got, "#"+strings.TrimPrefix(tc, "#")) {
			t.Errorf("themeColor %q, want %q", got, tc)
		}
	}
}

// TestCorpusAdaptive wraps every sample card in the Teams envelope. v1.0-1.5
// Elements and Scenarios must come through with their body element count;
// 1.6 cards are refused; the Tests edge cases have the outcomes listed below.
func TestCorpusAdaptive(t *testing.T) {
	root := filepath.Join(corpusDir(t), "adaptivecards")
	files, err := filepath.Glob(filepath.Join(root, "v1.*", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Tests edge cases (any version folder) whose outcome is a rejection.
	rejected := map[string]string{
		"v1.0/Tests/AdaptiveCard.MinVersion.json": "Adaptive Card version 99.0 is not supported",
	}
	var ok, refused16, edge int
	for _, p := range files {
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		t.Run(rel, func(t *testing.T) {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var src map[string]any
			if err := json.Unmarshal(raw, &src); err != nil {
				t.Fatalf("corpus file is not JSON: %v", err)
			}
			env := `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":` + string(raw) + `}]}`
			m, err := Parse("application/json", []byte(env))
			version, _ := src["version"].(string)
			if strings.HasPrefix(version, "1.6") {
				if err == nil {
					t.Fatalf("1.6 card accepted")
				}
				if e := asError(t, err); e.Status != 400 || !strings.Contains(e.Text, "up to version 1.5") {
					t.Fatalf("error %d %q", e.Status, e.Text)
				}
				refused16++
				return
			}
			if want, isRejected := rejected[rel]; isRejected {
				if err == nil {
					t.Fatalf("accepted, want %q", want)
				}
				if e := asError(t, err); e.Status != 400 || !strings.HasPrefix(e.Text, want) {
					t.Fatalf("error %d %q, want prefix %q", e.Status, e.Text, want)
				}
				edge++
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if m.Format != FormatAdaptive {
				t.Fatalf("format %q", m.Format)
			}
			card := decodeCard(t, m)
			srcBody, _ := src["body"].([]any)
			if got := len(card["body"].([]any)); got != len(srcBody) {
				t.Errorf("body has %d elements, sample has %d", got, len(srcBody))
			}
			if version == "" {
				version = "1.5" // documented default
			}
			if card["version"] != version {
				t.Errorf("version %v, want %v", card["version"], version)
			}
			if len(objects(card, "Action.Submit")) > 0 {
				t.Errorf("Action.Submit survived")
			}
			for _, s := range strs(card) {
				if strings.HasPrefix(strings.ToLower(s), "javascript:") {
					t.Errorf("unsafe URL survived: %q", s)
				}
			}
			if strings.Contains(rel, "/Tests/") {
				edge++
			} else {
				ok++
			}
		})
	}
	t.Logf("Adaptive corpus: %d samples; %d Elements/Scenarios kept, %d Tests edge cases as documented, %d v1.6 refused", len(files), ok, edge, refused16)
	if ok < 150 {
		t.Errorf("only %d v1.0-1.5 samples checked", ok)
	}
}

// zulipCase is one case of zulip-fixtures-upstream/slack_incoming/expected.json.
type zulipCase struct {
	Test            string   `json:"test"`
	FixtureFiles    []string `json:"fixture_files"`
	ContentType     string   `json:"content_type"`
	Body            string   `json:"body"`
	ExpectNoop      bool     `json:"expect_noop"`
	ExpectedMessage *string  `json:"expected_message"`
}

var (
	zulipTime = regexp.MustCompile(`<time:([^>]+)>`)
	urlRe     = regexp.MustCompile(`https?://[^\s)\]>|]+`)
	slackLink = regexp.MustCompile(`<([^|>]+)\|([^>]+)>`)
)

// TestCorpusZulipSlack replays Zulip's Slack-compatible webhook cases through
// ParseSlack and Parse and checks that the card carries the words and URLs of
// Zulip's expected message. Zulip accepts payloads with nothing to show as a
// no-op; we answer them as Slack does (400 no_text).
func TestCorpusZulipSlack(t *testing.T) {
	dir := filepath.Join(corpusDir(t), "zulip-fixtures-upstream", "slack_incoming")
	raw, err := os.ReadFile(filepath.Join(dir, "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp struct {
		Cases []zulipCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &exp); err != nil {
		t.Fatal(err)
	}
	pass, total := 0, 0
	for i, c := range exp.Cases {
		name := c.Test
		if len(c.FixtureFiles) > 0 {
			name += "/" + c.FixtureFiles[0]
		} else {
			name += "/" + string(rune('a'+i%26))
		}
		t.Run(name, func(t *testing.T) {
			total++
			body := []byte(c.Body)
			if len(c.FixtureFiles) > 0 {
				if body, err = os.ReadFile(filepath.Join(dir, "fixtures", c.FixtureFiles[0])); err != nil {
					t.Fatal(err)
				}
			}
			ct := c.ContentType
			m, err := ParseSlack(ct, body)
			if c.ExpectNoop {
				if err == nil {
					t.Fatalf("accepted a payload with nothing to show: %s", m.Card)
				}
				if e := asError(t, err); e.Status != 400 || e.Text != "no_text" {
					t.Fatalf("error %d %q, want 400 no_text", e.Status, e.Text)
				}
				pass++
				return
			}
			if err != nil {
				t.Fatalf("ParseSlack: %v", err)
			}
			if m.Format != FormatSlack {
				t.Fatalf("format %q", m.Format)
			}
			card := decodeCard(t, m)
			if missing := carries(card, *c.ExpectedMessage); len(missing) > 0 {
				t.Fatalf("card lacks %q of Zulip's %q\ncard: %s", missing, *c.ExpectedMessage, m.Card)
			}
			// The Teams URL reads the same payload the same way (except the
			// form-encoded one, which is a Slack convention it also accepts).
			m2, err := Parse(ct, body)
			if err != nil {
				t.Fatalf("Parse on the Teams URL: %v", err)
			}
			if missing := carries(decodeCard(t, m2), *c.ExpectedMessage); len(missing) > 0 {
				t.Fatalf("Teams URL card lacks %q", missing)
			}
			pass++
		})
	}
	t.Logf("Zulip slack_incoming: %d/%d cases pass (%.0f%%)", pass, total, 100*float64(pass)/float64(max(total, 1)))
	if total < 25 {
		t.Errorf("only %d cases found", total)
	}
}

// carries returns the words and URLs of want that the card does not carry.
// Zulip's <time:RFC3339> markup is compared as the date we print.
func carries(card map[string]any, want string) []string {
	want = zulipTime.ReplaceAllStringFunc(want, func(s string) string {
		ts, err := time.Parse(time.RFC3339, zulipTime.FindStringSubmatch(s)[1])
		if err != nil {
			return s
		}
		return ts.UTC().Format("2006-01-02 15:04 UTC")
	})
	all := strings.Join(strs(card), " ")
	have := map[string]bool{}
	for _, w := range words(all) {
		have[w] = true
	}
	var missing []string
	for _, u := range urlRe.FindAllString(want, -1) {
		if !strings.Contains(all, u) {
			missing = append(missing, u)
		}
	}
	for _, w := range words(urlRe.ReplaceAllString(want, " ")) {
		if !have[w] {
			missing = append(missing, w)
		}
	}
	return missing
}

// TestCorpusSlackBlockKit converts the Block Kit samples and checks that every
// visible text (section and field texts, headers, context, image titles,
// rich text, attachment texts, URL buttons) is carried by the card. Samples
// with only interactive inputs (modals) have nothing to show: no_text.
func TestCorpusSlackBlockKit(t *testing.T) {
	root := filepath.Join(corpusDir(t), "slack", "slack-php-block-kit")
	files, err := filepath.Glob(filepath.Join(root, "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	noText := map[string]bool{
		"block-kit-builder/modal-with-inputs.json": true, // only input blocks
		"create/option-groups.json":                true, // only an input block
		"modify/restaurants-broken.json":           true, // "blocks": ["foo"]
	}
	pass, total := 0, 0
	for _, p := range files {
		rel := filepath.ToSlash(strings.TrimPrefix(p, root+string(filepath.Separator)))
		t.Run(rel, func(t *testing.T) {
			total++
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			var src map[string]any
			if err := json.Unmarshal(raw, &src); err != nil {
				t.Fatal(err)
			}
			if _, isMsg := src["blocks"]; !isMsg && src["attachments"] == nil {
				// A single block sample: post it as a message of one block.
				raw = []byte(`{"blocks":[` + string(raw) + `]}`)
				src = map[string]any{"blocks": []any{src}}
			}
			m, err := ParseSlack("application/json", raw)
			if noText[rel] {
				if err == nil {
					t.Fatalf("accepted: %s", m.Card)
				}
				if e := asError(t, err); e.Text != "no_text" {
					t.Fatalf("error %q, want no_text", e.Text)
				}
				pass++
				return
			}
			if err != nil {
				t.Fatalf("ParseSlack: %v", err)
			}
			card := decodeCard(t, m)
			var want []string
			visibleSlack(src, &want)
			if missing := carries(card, strings.Join(want, "\n")); len(missing) > 0 {
				t.Fatalf("card lacks %q\ncard: %s", missing, m.Card)
			}
			pass++
		})
	}
	t.Logf("Slack Block Kit samples: %d/%d pass", pass, total)
}

// visibleSlack collects the texts Slack shows for a message (an independent,
// simpler reading of Block Kit than the converter's).
func visibleSlack(msg map[string]any, out *[]string) {
	add := func(s string) {
		// Slack shows <url|label> as label; scheme-less targets are not links.
		s = slackLink.ReplaceAllStringFunc(s, func(m string) string {
			p := slackLink.FindStringSubmatch(m)
			if strings.HasPrefix(p[1], "http") {
				return p[2] + " " + p[1]
			}
			return p[2]
		})
		*out = append(*out, s)
	}
	textOf := func(v any) {
		switch x := v.(type) {
		case string:
			add(x)
		case map[string]any:
			if s, ok := x["text"].(string); ok {
				add(s)
			}
		}
	}
	var rich func(any)
	rich = func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				rich(e)
			}
		case map[string]any:
			switch x["type"] {
			case "text":
				textOf(x)
			case "link":
				textOf(x)
				add(x["url"].(string))
			case "user":
				add(x["user_id"].(string))
			case "usergroup":
				add(x["usergroup_id"].(string))
			case "channel":
				add(x["channel_id"].(string))
			case "broadcast":
				add(x["range"].(string))
			case "emoji":
				add(x["name"].(string))
			case "color":
				add(x["value"].(string))
			default:
				rich(x["elements"])
			}
		}
	}
	var blocks func(any)
	blocks = func(v any) {
		list, _ := v.([]any)
		for _, b := range list {
			bm, ok := b.(map[string]any)
			if !ok {
				continue
			}
			switch bm["type"] {
			case "section":
				textOf(bm["text"])
				fields, _ := bm["fields"].([]any)
				for _, f := range fields {
					textOf(f)
				}
			case "header":
				textOf(bm["text"])
			case "context":
				els, _ := bm["elements"].([]any)
				for _, e := range els {
					if em := e.(map[string]any); em["type"] != "image" {
						textOf(em)
					}
				}
			case "image", "video":
				textOf(bm["title"])
			case "actions":
				els, _ := bm["elements"].([]any)
				for _, e := range els {
					if em := e.(map[string]any); em["url"] != nil {
						textOf(em["text"])
					}
				}
			case "rich_text":
				rich(bm["elements"])
			}
		}
	}
	if _, hasBlocks := msg["blocks"].([]any); hasBlocks {
		blocks(msg["blocks"])
	} else {
		textOf(msg["text"])
	}
	atts, _ := msg["attachments"].([]any)
	for _, a := range atts {
		am := a.(map[string]any)
		for _, k := range []string{"pretext", "title", "text", "footer", "author_name"} {
			textOf(am[k])
		}
		blocks(am["blocks"])
	}
}

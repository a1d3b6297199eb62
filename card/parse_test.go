package card

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// TestParseErrors pins every rejection: status and exact text.
func TestParseErrors(t *testing.T) {
	deep := strings.Repeat("[", 65) + strings.Repeat("]", 65)
	tests := []struct {
		name, contentType, body string
		status                  int
		text                    string
	}{
		{"no summary or text", "application/json", `{"title":"t","sections":[{"text":"x"}]}`, 400, "Summary or Text is required."},
		{"blank summary and text", "application/json", `{"summary":"  ","text":""}`, 400, "Summary or Text is required."},
		{"summary null", "application/json", `{"summary":null,"text":null}`, 400, "Summary or Text is required."},
		{"bare AdaptiveCard without envelope", "application/json", `{"type":"AdaptiveCard","version":"1.2","body":[{"type":"TextBlock","text":"hi"}]}`, 400, "Summary or Text is required."},
		{"empty object", "application/json", `{}`, 400, "Summary or Text is required."},
		{"slack blocks with nothing to show", "application/json", `{"blocks":[{"type":"input"}]}`, 400, "Summary or Text is required."},
		{"truncated", "application/json", `{"text": "Hello"`, 400, "Invalid JSON: unexpected end of input at offset 16."},
		{"truncated inside string", "application/json", `{"text": "Hel`, 400, "Invalid JSON: unexpected end of input inside a string at offset 13."},
		{"trailing comma", "application/json", "{\n \"text\": \"a\",\n}", 400, "Invalid JSON: trailing comma before '}' at offset 16 (line 3, column 1)."},
		{"trailing comma in array", "application/json", `{"text":"a","x":[1,]}`, 400, "Invalid JSON: trailing comma before ']' at offset 19."},
		{"single quotes", "application/json", `{'text':'a'}`, 400, "Invalid JSON: expected a property name in double quotes, found character ''' at offset 1."},
		{"bad literal", "application/json", `{"text":tru}`, 400, "Invalid JSON: unexpected character 't' where a value was expected at offset 8."},
		{"bad number", "application/json", `{"text":-}`, 400, "Invalid JSON: invalid number: expected a digit, found character '}' at offset 9."},
		{"bad escape", "application/json", `{"text":"\x"}`, 400, `Invalid JSON: invalid escape '\x' in string at offset 9.`},
		{"garbage after value", "application/json", `{"text":"a"} x`, 400, "Invalid JSON: unexpected character 'x' after the top-level value at offset 13."},
		{"not JSON at all", "application/json", `hello`, 400, "Invalid JSON: unexpected character 'h' where a value was expected at offset 0."},
		{"empty body", "application/json", ``, 400, "Invalid JSON: the body is empty."},
		{"empty body no content type", "", "  \n", 400, "Invalid JSON: the body is empty."},
		{"array", "application/json", `[{"text":"a"}]`, 400, "Bad payload received by generic incoming webhook."},
		{"string", "application/json", `"text"`, 400, "Bad payload received by generic incoming webhook."},
		{"number", "application/json", `42`, 400, "Bad payload received by generic incoming webhook."},
		{"null", "application/json", `null`, 400, "Bad payload received by generic incoming webhook."},
		{"too deep", "application/json", deep, 400, "Invalid JSON: objects and arrays are nested deeper than 64 levels at offset 64."},
		{"empty text/plain", "text/plain; charset=utf-8", " \n ", 400, "Text is required: the request body is empty."},
		{"envelope without adaptive attachment", "application/json", `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.hero","content":{}}]}`, 400,
			`The message has no Adaptive Card attachment: set "contentType" to "application/vnd.microsoft.card.adaptive".`},
		{"adaptive 1.6", "application/json", envelope(`{"type":"AdaptiveCard","version":"1.6","body":[]}`), 400,
			`Adaptive Card version 1.6 is not supported: Teams renders Adaptive Cards up to version 1.5. Set "version" to "1.5" or lower.`},
		{"adaptive 2.0", "application/json", envelope(`{"type":"AdaptiveCard","version":"2.0","body":[]}`), 400,
			`Adaptive Card version 2.0 is not supported: Teams renders Adaptive Cards up to version 1.5. Set "version" to "1.5" or lower.`},
		{"adaptive bad version", "application/json", envelope(`{"type":"AdaptiveCard","version":"latest","body":[]}`), 400,
			`Adaptive Card "version" must be a version such as "1.5"; got "latest".`},
		{"adaptive body not array", "application/json", envelope(`{"type":"AdaptiveCard","version":"1.2","body":{"type":"TextBlock"}}`), 400,
			`Adaptive Card "body" must be an array of elements.`},
		{"adaptive content missing", "application/json", `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null}]}`, 400,
			`Attachment 1 has no Adaptive Card: "content" must be a JSON object such as {"type":"AdaptiveCard","version":"1.5","body":[...]}.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse(tt.contentType, []byte(tt.body))
			if err == nil {
				t.Fatalf("Parse succeeded: %s %s", m.Format, m.Card)
			}
			e := asError(t, err)
			if e.Status != tt.status || e.Text != tt.text {
				t.Fatalf("got %d %q\nwant %d %q", e.Status, e.Text, tt.status, tt.text)
			}
			if e.Error() != tt.text {
				t.Errorf("Error() = %q, want the body text", e.Error())
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	body := []byte(`{"text":"` + strings.Repeat("a", hardLimit) + `"}`)
	for _, f := range []func(string, []byte) (*Message, error){Parse, ParseSlack} {
		_, err := f("application/json", body)
		if e := asError(t, err); e.Status != 413 || !strings.HasPrefix(e.Text, "Payload too large: ") {
			t.Fatalf("got %d %q", e.Status, e.Text)
		}
	}
	// Under the hard limit but over the Teams limit: the caller's business.
	ok := []byte(`{"text":"` + strings.Repeat("a", 2*MaxBodyBytes) + `"}`)
	if _, err := Parse("application/json", ok); err != nil {
		t.Fatal(err)
	}
}

func TestParseSlackErrors(t *testing.T) {
	tests := []struct {
		name, contentType, body, text string
	}{
		{"bad JSON", "application/json", `{"text":`, "invalid_payload"},
		{"array", "application/json", `[1]`, "invalid_payload"},
		{"string", "application/json", `"hi"`, "invalid_payload"},
		{"empty", "application/json", ``, "invalid_payload"},
		{"form without payload", "application/x-www-form-urlencoded", `text=hello`, "invalid_payload"},
		{"form with bad JSON", "application/x-www-form-urlencoded", `payload=%7Bnope`, "invalid_payload"},
		{"empty object", "application/json", `{}`, "no_text"},
		{"null text", "application/json", `{"text":null}`, "no_text"},
		{"blank text", "application/json", `{"text":"  "}`, "no_text"},
		{"empty blocks", "application/json", `{"blocks":[]}`, "no_text"},
		{"only unknown blocks", "application/json", `{"blocks":[{"type":"fancy"},"x",3]}`, "no_text"},
		{"all-null attachment", "application/json", `{"attachments":[{"title":null,"text":null}]}`, "no_text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseSlack(tt.contentType, []byte(tt.body))
			if err == nil {
				t.Fatalf("accepted: %s", m.Card)
			}
			if e := asError(t, err); e.Status != 400 || e.Text != tt.text {
				t.Fatalf("got %d %q, want 400 %q", e.Status, e.Text, tt.text)
			}
		})
	}
}

// TestParseDetect checks shape detection by body, whatever the content type.
func TestParseDetect(t *testing.T) {
	tests := []struct {
		name, contentType, body string
		want                    Format
	}{
		{"text only MessageCard", "application/json", `{"text":"Hello World"}`, FormatMessageCard},
		{"PowerShell content type", "Application/Json", `{"text":"Hello World!"}`, FormatMessageCard},
		{"curl default form type", "application/x-www-form-urlencoded", `{"text":"Hello"}`, FormatMessageCard},
		{"no content type", "", `{"summary":"s"}`, FormatMessageCard},
		{"@type MessageCard", "application/json", `{"@type":"MessageCard","@context":"https://schema.org/extensions","summary":"s"}`, FormatMessageCard},
		{"type MessageCard (Alertmanager)", "application/json", `{"@context":"http://schema.org/extensions","type":"MessageCard","title":"t","summary":"s","text":"x","themeColor":"8C1A1A"}`, FormatMessageCard},
		{"pymsteams without @type", "application/json", `{"text":"x","title":"t","sections":[],"potentialAction":[]}`, FormatMessageCard},
		{"o365connector attachment", "application/json", `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.teams.card.o365connector","content":{"summary":"s"}}]}`, FormatMessageCard},
		{"envelope", "application/json", envelope(`{"type":"AdaptiveCard","version":"1.2","body":[]}`), FormatAdaptive},
		{"envelope without type message", "application/json", `{"attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version":"1.0","body":[]}}]}`, FormatAdaptive},
		{"envelope content type in odd case", "application/json", `{"type":"message","attachments":[{"contentType":" Application/Vnd.Microsoft.Card.Adaptive ","content":{"type":"AdaptiveCard","version":"1.0","body":[]}}]}`, FormatAdaptive},
		{"slack blocks", "application/json", `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]}`, FormatSlack},
		{"slack attachments", "application/json", `{"attachments":[{"fallback":"f","color":"good","text":"hi"}]}`, FormatSlack},
		{"slack text with username", "application/json", `{"text":"hi","username":"bot"}`, FormatSlack},
		{"slack form payload on Teams URL", "application/x-www-form-urlencoded", `payload=%7B%22text%22%3A%22hi%22%7D`, FormatMessageCard},
		{"plain text", "text/plain", "Deploy finished", FormatText},
		{"plain text with charset", "text/plain; charset=utf-8", "Deploy *finished*", FormatText},
		{"text/plain but JSON", "text/plain", `{"text":"hi"}`, FormatMessageCard},
		{"text/plain brace but not JSON", "text/plain", `{ not json`, FormatText},
		{"BOM", "application/json", "\ufeff{\"text\":\"hi\"}", FormatMessageCard},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := mustParse(t, tt.contentType, tt.body)
			if m.Format != tt.want {
				t.Fatalf("format %q, want %q: %s", m.Format, tt.want, m.Card)
			}
		})
	}
}

func envelope(card string) string {
	return `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,"content":` + card + `}]}`
}

// TestMessageCardTolerance covers what real senders put on the wire.
func TestMessageCardTolerance(t *testing.T) {
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, m *Message, c map[string]any)
	}{
		{"themeColor without #", `{"text":"x","themeColor":"0076D7"}`, wantTheme("#0076D7")},
		{"themeColor with #", `{"text":"x","themeColor":"#00ff00"}`, wantTheme("#00FF00")},
		{"themeColor short", `{"text":"x","themeColor":"#0f0"}`, wantTheme("#00FF00")},
		{"themeColor bad ignored", `{"text":"x","themeColor":"red"}`, wantTheme("")},
		{"themeColor array ignored", `{"text":"x","themeColor":["#fff"]}`, wantTheme("")},
		{"themeColor number read as text", `{"text":"x","themeColor":123456}`, wantTheme("#123456")},
		{"facts name/value", `{"text":"x","sections":[{"facts":[{"name":"A","value":"1"}]}]}`, wantFacts("A=1")},
		{"facts key/value (shoutrrr)", `{"text":"x","sections":[{"facts":[{"key":"A","value":"1"}]}]}`, wantFacts("A=1")},
		{"fact values as numbers and bools", `{"text":"x","sections":[{"facts":[{"name":"n","value":42},{"name":"b","value":true},{"name":7,"value":1.5}]}]}`, wantFacts("n=42", "b=true", "7=1.5")},
		{"facts as one object", `{"text":"x","sections":[{"facts":{"name":"A","value":"1"}}]}`, wantFacts("A=1")},
		{"case-insensitive names", `{"Summary":"s","TEXT":"body","Sections":[{"Facts":[{"Name":"A","VALUE":"1"}]}],"ThemeColor":"fff"}`,
			func(t *testing.T, m *Message, c map[string]any) {
				wantFacts("A=1")(t, m, c)
				wantTheme("#FFFFFF")(t, m, c)
				wantTexts("body")(t, m, c)
			}},
		{"number as text", `{"text":42}`, wantTexts("42")},
		{"bool as summary", `{"summary":true}`, func(t *testing.T, m *Message, c map[string]any) {
			if m.Summary != "true" {
				t.Errorf("summary %q", m.Summary)
			}
		}},
		{"unknown fields", `{"text":"x","foo":{"bar":[1,2,{"baz":null}]},"hideOriginalBody":true,"correlationId":"abc","expectedActors":["a@b.c"]}`, wantTexts("x")},
		{"objects where strings expected", `{"text":"x","title":{"a":1},"sections":[{"activityTitle":["a"]}]}`, wantTexts("x")},
		{"sections not an array", `{"text":"x","sections":"nope"}`, wantTexts("x")},
		{"isMultiSelect string false", multichoice(`"false"`, ``), wantChoice(false, "compact")},
		{"isMultiSelect bool true", multichoice(`true`, ``), wantChoice(true, "expanded")},
		{"isMultiSelect string TRUE", multichoice(`"TRUE"`, ``), wantChoice(true, "expanded")},
		{"isMultiSelect with style normal", multichoice(`true`, `,"style":"normal"`), wantChoice(true, "compact")},
		{"isMultiSelect false expanded", multichoice(`false`, `,"style":"expanded"`), wantChoice(false, "expanded")},
		{"markdown false at card level", `{"text":"<b>bold</b> a_b_c","markdown":false}`, wantTexts(`**bold** a\_b\_c`)},
		{"markdown false at section level", `{"text":"x","sections":[{"markdown":false,"text":"<i>it</i>  two   spaces"}]}`, wantTexts("x", "_it_ two spaces")},
		{"markdown string false", `{"text":"<p>one</p><p>two</p>","markdown":"false"}`, wantTexts("one\n\ntwo")},
		{"markdown true with tags", `{"text":"**md** and <b>html</b><script>alert(1)</script>"}`, wantTexts("**md** and **html**")},
		{"summary only shows summary", `{"summary":"Just a summary"}`, wantTexts("Just a summary")},
		{"heroImage and startGroup ignored", `{"text":"x","sections":[{"startGroup":true,"heroImage":{"image":"https://h/x.png"}}]}`,
			func(t *testing.T, m *Message, c map[string]any) {
				if bytes.Contains(m.Card, []byte("h/x.png")) {
					t.Errorf("heroImage kept: %s", m.Card)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, c := mustParse(t, "application/json", tt.body)
			if m.Format != FormatMessageCard {
				t.Fatalf("format %q", m.Format)
			}
			tt.check(t, m, c)
		})
	}
}

func wantTheme(want string) func(*testing.T, *Message, map[string]any) {
	return func(t *testing.T, m *Message, c map[string]any) {
		t.Helper()
		h, _ := c["herald"].(map[string]any)
		got, _ := h["themeColor"].(string)
		if got != want {
			t.Errorf("themeColor %q, want %q", got, want)
		}
	}
}

func wantFacts(want ...string) func(*testing.T, *Message, map[string]any) {
	return func(t *testing.T, m *Message, c map[string]any) {
		t.Helper()
		got := facts(c)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("facts %q, want %q", got, want)
		}
	}
}

func wantTexts(want ...string) func(*testing.T, *Message, map[string]any) {
	return func(t *testing.T, m *Message, c map[string]any) {
		t.Helper()
		got := texts(c)
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("texts %q, want %q\n%s", got, want, m.Card)
		}
	}
}

func multichoice(multi, extra string) string {
	return `{"summary":"s","potentialAction":[{"@type":"ActionCard","name":"Change","inputs":[{"@type":"MultichoiceInput","id":"list","title":"Pick","isMultiSelect":` + multi + extra +
		`,"choices":[{"display":"A","value":"1"},{"display":"B","value":2}]}],"actions":[{"@type":"HttpPOST","name":"Save","target":"https://example.com/save","body":"{{list.value}}"}]}]}`
}

func wantChoice(multi bool, style string) func(*testing.T, *Message, map[string]any) {
	return func(t *testing.T, m *Message, c map[string]any) {
		t.Helper()
		cs := objects(c, "Input.ChoiceSet")
		if len(cs) != 1 {
			t.Fatalf("%d ChoiceSets: %s", len(cs), m.Card)
		}
		got, _ := cs[0]["isMultiSelect"].(bool)
		if got != multi || cs[0]["style"] != style {
			t.Errorf("isMultiSelect %v style %v, want %v %v", got, cs[0]["style"], multi, style)
		}
		choices := cs[0]["choices"].([]any)
		if len(choices) != 2 || choices[1].(map[string]any)["value"] != "2" {
			t.Errorf("choices %v", choices)
		}
	}
}

// TestMessageCardConversion checks the structure of a full conversion.
func TestMessageCardConversion(t *testing.T) {
	body := `{
	"@type":"MessageCard","@context":"http://schema.org/extensions","summary":"Sum","title":"Title","text":"Text","themeColor":"0076D7",
	"sections":[{
		"title":"Section","activityImage":"https://img/a.png","activityImageType":"article","activityTitle":"Act","activitySubtitle":"Sub","activityText":"ActText",
		"text":"SecText","facts":[{"name":"F","value":"V"}],
		"images":[{"image":"https://img/1.png","title":"one"},{"image":"javascript:alert(1)"},"https://img/2.png",{"image":"https://img/3.png"},{"image":"https://img/4.png"},{"image":"https://img/5.png"},{"image":"https://img/6.png"}],
		"potentialAction":[{"@type":"OpenUri","name":"S1","targets":[{"os":"default","uri":"https://s/1"}]}]
	}],
	"potentialAction":[
		{"@type":"OpenUri","name":"Open","targets":[{"os":"iOS","uri":"app://x"},{"os":"android","uri":"https://android"},{"os":"default","uri":"https://default"}]},
		{"@type":"InvokeAddInCommand","name":"AddIn","addInId":"x","desktopCommandId":"show"},
		{"@type":"HttpPOST","name":"Post","target":"https://api/post","body":"c={{c.value}}","bodyContentType":"application/x-www-form-urlencoded","headers":[{"name":"X-Foo","value":"bar"}]},
		{"@context":"http://schema.org","@type":"ViewAction","name":"View","target":["javascript:x","https://view"]},
		{"@type":"OpenUri","name":"Bad","targets":[{"os":"default","uri":"javascript:alert(1)"}]},
		{"@type":"ActionCard","name":"Card","inputs":[{"@type":"TextInput","id":"c","title":"Comment","isMultiline":true,"maxLength":"500","isRequired":true},{"@type":"DateInput","id":"d","title":"Due"}],
		 "actions":[{"@type":"HttpPOST","name":"Save","target":"https://api/save"},{"@type":"ActionCard","name":"Nested"}]},
		{"@type":"OpenUri","name":"Fifth","targets":[{"os":"default","uri":"https://fifth"}]}
	]}`
	m, c := mustParse(t, "application/json", body)
	if m.Summary != "Sum" {
		t.Errorf("summary %q", m.Summary)
	}
	wantTexts("Title", "Text", "Section", "Act", "Sub", "ActText", "SecText")(t, m, c)
	body0 := c["body"].([]any)
	if tb := body0[0].(map[string]any); tb["size"] != "Large" || tb["weight"] != "Bolder" {
		t.Errorf("title block %v", tb)
	}
	img := objects(c, "Image")[0]
	if img["url"] != "https://img/a.png" || img["style"] != nil {
		t.Errorf("article activity image %v", img)
	}
	sets := objects(c, "ImageSet")
	if len(sets) != 1 || len(sets[0]["images"].([]any)) != 5 {
		t.Fatalf("image set %v", sets)
	}
	if bytes.Contains(m.Card, []byte("javascript")) || bytes.Contains(m.Card, []byte("app://")) {
		t.Errorf("unsafe URL kept: %s", m.Card)
	}
	// Card-level actions: the first 4 usable ones, InvokeAddInCommand and the
	// unsafe OpenUri dropped.
	acts := c["actions"].([]any)
	var got []string
	for _, a := range acts {
		am := a.(map[string]any)
		got = append(got, am["type"].(string)+":"+am["title"].(string))
	}
	want := "Action.OpenUrl:Open|Action.Http:Post|Action.OpenUrl:View|Action.ShowCard:Card"
	if strings.Join(got, "|") != want {
		t.Fatalf("actions %q, want %q", got, want)
	}
	if u := acts[0].(map[string]any)["url"]; u != "https://default" {
		t.Errorf("OpenUri picked %v, want the os=default target", u)
	}
	if u := acts[2].(map[string]any)["url"]; u != "https://view" {
		t.Errorf("ViewAction picked %v", u)
	}
	post := acts[1].(map[string]any)
	headers, _ := json.Marshal(post["headers"])
	if post["method"] != "POST" || post["url"] != "https://api/post" || post["body"] != "c={{c.value}}" ||
		string(headers) != `[{"name":"X-Foo","value":"bar"},{"name":"Content-Type","value":"application/x-www-form-urlencoded"}]` {
		t.Errorf("Action.Http %v", post)
	}
	show := acts[3].(map[string]any)["card"].(map[string]any)
	inputs := show["body"].([]any)
	ti := inputs[0].(map[string]any)
	if ti["type"] != "Input.Text" || ti["id"] != "c" || ti["label"] != "Comment" || ti["isMultiline"] != true || ti["maxLength"] != 500.0 || ti["isRequired"] != true {
		t.Errorf("text input %v", ti)
	}
	if di := inputs[1].(map[string]any); di["type"] != "Input.Date" || di["id"] != "d" {
		t.Errorf("date input %v", di)
	}
	if sub := show["actions"].([]any); len(sub) != 1 || sub[0].(map[string]any)["type"] != "Action.Http" {
		t.Errorf("ShowCard actions %v (nested ActionCard must be dropped)", sub)
	}
	// Section-level actions become an ActionSet in the section.
	if as := objects(c, "ActionSet"); len(as) != 1 || len(as[0]["actions"].([]any)) != 1 {
		t.Errorf("section ActionSet %v", as)
	}
}

func TestMessageCardLimits(t *testing.T) {
	var secs, acts []string
	for i := 0; i < 12; i++ {
		secs = append(secs, `{"text":"s`+string(rune('a'+i))+`"}`)
	}
	for i := 0; i < 7; i++ {
		acts = append(acts, `{"@type":"OpenUri","name":"a","targets":[{"os":"default","uri":"https://x/`+string(rune('a'+i))+`"}]}`)
	}
	body := `{"text":"x","sections":[` + strings.Join(secs, ",") + `,{"text":"y","potentialAction":[` + strings.Join(acts, ",") + `]}],"potentialAction":[` + strings.Join(acts, ",") + `]}`
	m, c := mustParse(t, "application/json", body)
	if n := len(objects(c, "Container")); n != 10 {
		t.Errorf("%d sections, want 10 (Teams shows 10)", n)
	}
	if n := len(c["actions"].([]any)); n != 4 {
		t.Errorf("%d card actions, want 4", n)
	}
	if strings.Contains(string(m.Card), `"sk"`) {
		t.Errorf("section 11 kept")
	}
	// Section actions: at most 5 (tested on a section within the limit).
	body = `{"text":"x","sections":[{"text":"y","potentialAction":[` + strings.Join(acts, ",") + `]}]}`
	_, c = mustParse(t, "application/json", body)
	if as := objects(c, "ActionSet"); len(as) != 1 || len(as[0]["actions"].([]any)) != 5 {
		t.Errorf("section actions %v, want 5", as)
	}
}

func TestMessageCardActivityAvatar(t *testing.T) {
	_, c := mustParse(t, "application/json", `{"summary":"s","sections":[{"activityImage":"https://a/b.png","activityTitle":"T"}]}`)
	img := objects(c, "Image")
	if len(img) != 1 || img[0]["style"] != "Person" {
		t.Fatalf("avatar image %v", img)
	}
	if len(objects(c, "ColumnSet")) != 1 {
		t.Fatalf("activity must be a ColumnSet")
	}
}

func TestSummary(t *testing.T) {
	long := strings.Repeat("é", 300)
	tests := []struct {
		name, body, want string
	}{
		{"summary wins", `{"summary":"S","title":"T","text":"X"}`, "S"},
		{"title next", `{"title":"T **bold**","text":"X"}`, "T bold"},
		{"text last", `{"text":"# Head\n\nSee [docs](https://d) *now*"}`, "Head See docs now"},
		{"keeps snake_case", `{"summary":"myFirst_Job_: Build #167"}`, "myFirst_Job_: Build #167"},
		{"escapes removed", `{"text":"myFirst\\_Job\\_"}`, "myFirst_Job_"},
		{"html stripped", `{"text":"<b>Hi</b> <script>x()</script>there","markdown":false}`, "Hi there"},
		{"trimmed to 200 runes", `{"summary":"` + long + `"}`, strings.Repeat("é", 199) + "…"},
		{"adaptive envelope summary", `{"type":"message","summary":"Env","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"first"}]}}]}`, "Env"},
		{"adaptive first TextBlock", envelope(`{"type":"AdaptiveCard","version":"1.4","body":[{"type":"Image","url":"https://i"},{"type":"Container","items":[{"type":"TextBlock","text":"Hi <at>Adele</at>"}]},{"type":"TextBlock","text":"second"}]}`), "Hi Adele"},
		{"slack text", `{"text":"<https://x|Deploy> *done*","username":"u"}`, "Deploy done"},
		{"slack first block", `{"blocks":[{"type":"divider"},{"type":"header","text":{"type":"plain_text","text":"Head"}}]}`, "Head"},
		{"slack attachment fallback", `{"attachments":[{"fallback":"Fallback text","title":"T"}]}`, "Fallback text"},
		{"plain text first line", "", ""},
	}
	for _, tt := range tests {
		if tt.body == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			m, _ := mustParse(t, "application/json", tt.body)
			if m.Summary != tt.want {
				t.Errorf("summary %q, want %q", m.Summary, tt.want)
			}
		})
	}
	m, _ := mustParse(t, "text/plain", "Build finished\nall green")
	if m.Summary != "Build finished all green" {
		t.Errorf("text summary %q", m.Summary)
	}
}

func TestPlainText(t *testing.T) {
	m, c := mustParse(t, "text/plain", "  Build <b>done</b>: [log](javascript:alert(1)) <https://ci/1>  ")
	if m.Format != FormatText {
		t.Fatalf("format %q", m.Format)
	}
	body := c["body"].([]any)
	if len(body) != 1 {
		t.Fatalf("body %v", body)
	}
	tb := body[0].(map[string]any)
	if tb["type"] != "TextBlock" || tb["wrap"] != true || tb["text"] != "Build **done**: log [https://ci/1](https://ci/1)" {
		t.Errorf("text block %v", tb)
	}
	if c["version"] != "1.5" {
		t.Errorf("version %v", c["version"])
	}
}

// TestAdaptivePassThrough checks that envelope cards are kept as sent, with
// only the documented changes.
func TestAdaptivePassThrough(t *testing.T) {
	card := `{"$schema":"x","type":"AdaptiveCard","version":"1.5","lang":"en",
	"body":[
		{"type":"TextBlock","text":"Hi <at>Adele</at>","wrap":true,"id":"t1","unknownProp":{"keep":[1,2.50,-3e2]}},
		{"type":"Image","url":"javascript:alert(1)","altText":"bad"},
		{"type":"Image","url":"data:image/png;base64,AAAA"},
		{"type":"Image","url":"https://ok/i.png","selectAction":{"type":"Action.Submit"}},
		{"type":"Container","selectAction":{"type":"Action.OpenUrl","url":"javascript:x"},"items":[{"type":"ActionSet","actions":[{"type":"Action.Submit","title":"s"},{"type":"Action.OpenUrl","title":"o","url":"https://ok"}]}]},
		{"type":"Input.Text","id":"x","inlineAction":{"type":"Action.Submit"}},
		{"type":"TextBlock","text":"dup","text":"last wins"}
	],
	"actions":[
		{"type":"Action.Submit","title":"Submit"},
		{"type":"Action.OpenUrl","title":"Mail","url":"mailto:a@b.c"},
		{"type":"Action.OpenUrl","title":"Bad","url":"vbscript:x"},
		{"type":"Action.ShowCard","title":"More","card":{"type":"AdaptiveCard","body":[],"actions":[{"type":"Action.Submit"},{"type":"Action.ToggleVisibility","targetElements":["t1"]}]}},
		{"type":"Action.Execute","title":"Exec","verb":"v"},
		{"type":"Action.Http","method":"POST","url":"https://api/x","title":"Http"}
	],
	"MSTeams":{"width":"full","entities":[{"type":"mention","text":"<at>Adele</at>","mentioned":{"id":"a@b.c","name":"Adele"}}]},
	"herald":{"themeColor":"#000000"}}`
	m, c := mustParse(t, "application/json", envelope(card))
	if m.Format != FormatAdaptive {
		t.Fatalf("format %q", m.Format)
	}
	s := string(m.Card)
	if !strings.HasPrefix(s, `{"type":"AdaptiveCard","$schema":"http://adaptivecards.io/schemas/adaptive-card.json","version":"1.5","body":[`) {
		t.Errorf("canonical header: %s", s[:120])
	}
	for _, bad := range []string{"javascript", "vbscript", "data:image", "Action.Submit", `"herald"`, "MSTeams", `"dup"`} {
		if strings.Contains(s, bad) {
			t.Errorf("%q survived: %s", bad, s)
		}
	}
	for _, good := range []string{`"unknownProp":{"keep":[1,2.50,-3e2]}`, `"lang":"en"`, `"text":"last wins"`, `mailto:a@b.c`, `Action.Execute`, `Action.ToggleVisibility`, `"url":"https://api/x"`, `"url":"https://ok"`} {
		if !strings.Contains(s, good) {
			t.Errorf("%q missing: %s", good, s)
		}
	}
	if n := len(c["body"].([]any)); n != 7 {
		t.Errorf("body has %d elements, want 7 (elements are never dropped)", n)
	}
	ms := c["msteams"].(map[string]any)
	if ms["width"] != "Full" {
		t.Errorf("width %v", ms["width"])
	}
	ents := ms["entities"].([]any)
	if len(ents) != 1 || ents[0].(map[string]any)["mentioned"].(map[string]any)["id"] != "a@b.c" {
		t.Errorf("entities %v", ents)
	}
	if n := len(c["actions"].([]any)); n != 4 {
		t.Errorf("%d actions, want 4", n)
	}
}

func TestAdaptiveVariants(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(t *testing.T, m *Message, c map[string]any)
	}{
		{"missing version is 1.5", envelope(`{"type":"AdaptiveCard","body":[]}`), wantVersion("1.5")},
		{"numeric version", envelope(`{"type":"AdaptiveCard","version":1.2,"body":[]}`), wantVersion("1.2")},
		{"patch version", envelope(`{"type":"AdaptiveCard","version":"1.4.0","body":[]}`), wantVersion("1.4")},
		{"missing body", envelope(`{"type":"AdaptiveCard","version":"1.0"}`), func(t *testing.T, m *Message, c map[string]any) {
			if len(c["body"].([]any)) != 0 {
				t.Errorf("body %v", c["body"])
			}
		}},
		{"no contentUrl, msTeams camel case", `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version":"1.4","msTeams":{"width":"Full"},"body":[]}}]}`,
			func(t *testing.T, m *Message, c map[string]any) {
				if ms, _ := c["msteams"].(map[string]any); ms["width"] != "Full" {
					t.Errorf("msteams %v", c["msteams"])
				}
			}},
		{"content as a JSON string", `{"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","content":"{\"type\":\"AdaptiveCard\",\"version\":\"1.3\",\"body\":[{\"type\":\"TextBlock\",\"text\":\"s\"}]}"}]}`,
			func(t *testing.T, m *Message, c map[string]any) {
				wantVersion("1.3")(t, m, c)
				wantTexts("s")(t, m, c)
			}},
		{"multiple attachments combined", `{"type":"message","attachments":[
			{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version":"1.2","body":[{"type":"TextBlock","text":"<at>A</at>"}],"actions":[{"type":"Action.OpenUrl","title":"o","url":"https://o"}],"msteams":{"width":"Full","entities":[{"type":"mention","text":"<at>A</at>","mentioned":{"id":"a","name":"A"}}]}}},
			{"contentType":"image/png","contentUrl":"https://x/y.png"},
			{"contentType":"application/vnd.microsoft.card.adaptive","content":{"type":"AdaptiveCard","version":"1.4","body":[{"type":"TextBlock","text":"<at>B</at>"},{"type":"TextBlock","text":"two"}],"msteams":{"entities":[{"type":"mention","text":"<at>B</at>","mentioned":{"id":"b","name":"B"}}]}}}]}`,
			func(t *testing.T, m *Message, c map[string]any) {
				wantVersion("1.4")(t, m, c)
				body := c["body"].([]any)
				if len(body) != 2 {
					t.Fatalf("body %v", body)
				}
				second := body[1].(map[string]any)
				if second["type"] != "Container" || second["separator"] != true || len(second["items"].([]any)) != 2 {
					t.Errorf("second container %v", second)
				}
				if len(objects(body[0], "ActionSet")) != 1 {
					t.Errorf("first card's actions must move into its container")
				}
				ms := c["msteams"].(map[string]any)
				if ms["width"] != "Full" || len(ms["entities"].([]any)) != 2 {
					t.Errorf("msteams %v", ms)
				}
				if m.Summary != "A" {
					t.Errorf("summary %q", m.Summary)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, c := mustParse(t, "application/json", tt.body)
			if m.Format != FormatAdaptive {
				t.Fatalf("format %q", m.Format)
			}
			tt.check(t, m, c)
		})
	}
}

func wantVersion(v string) func(*testing.T, *Message, map[string]any) {
	return func(t *testing.T, m *Message, c map[string]any) {
		t.Helper()
		if c["version"] != v {
			t.Errorf("version %v, want %v", c["version"], v)
		}
	}
}

func TestSlackConversion(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(t *testing.T, m *Message, c map[string]any)
	}{
		{"mrkdwn text", `{"text":"*bold* _it_ ~gone~ <https://x.io/a|Link> <mailto:a@b.c> <!here> <@U1|bob> <#C1|general> &lt;b&gt; &amp; <javascript:alert(1)|click>"}`,
			wantTexts("**bold** _it_ ~~gone~~ [Link](https://x.io/a) [a@b.c](mailto:a@b.c) @here @bob #general &lt;b> & click")},
		{"mrkdwn false", `{"text":"*not bold* <https://x|x>","mrkdwn":false}`, wantTexts(`\*not bold\* [x](https://x)`)},
		{"code kept", "{\"text\":\"run `*x*` now\"}", wantTexts("run `*x*` now")},
		{"blocks hide text", `{"text":"fallback","blocks":[{"type":"section","text":{"type":"plain_text","text":"a*b"}}]}`,
			func(t *testing.T, m *Message, c map[string]any) {
				wantTexts(`a\*b`)(t, m, c)
				if m.Summary != "fallback" {
					t.Errorf("summary %q", m.Summary)
				}
			}},
		{"divider separates next block", `{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"a"}},{"type":"divider"},{"type":"header","text":{"type":"plain_text","text":"h"}}]}`,
			func(t *testing.T, m *Message, c map[string]any) {
				body := c["body"].([]any)
				if h := body[1].(map[string]any); h["separator"] != true || h["text"] != "h" {
					t.Errorf("header after divider %v", h)
				}
			}},
		{"button with url", `{"blocks":[{"type":"actions","elements":[{"type":"button","text":{"type":"plain_text","text":"Go"},"url":"https://go"},{"type":"button","text":{"type":"plain_text","text":"Cb"},"value":"v"},{"type":"static_select"}]}]}`,
			func(t *testing.T, m *Message, c map[string]any) {
				acts := objects(c, "Action.OpenUrl")
				if len(acts) != 1 || acts[0]["url"] != "https://go" || acts[0]["title"] != "Go" {
					t.Errorf("actions %v", acts)
				}
			}},
		{"attachment pieces", `{"attachments":[{"color":"danger","pretext":"pre","author_name":"Ann","author_link":"https://ann","author_icon":"https://ann/i.png","title":"T","title_link":"https://t","text":"body","fields":[{"title":"F","value":"V","short":true}],"image_url":"https://img","thumb_url":"https://thumb","footer":"foot","ts":"1655945306.5"}]}`,
			func(t *testing.T, m *Message, c map[string]any) {
				wantTexts("pre", "[Ann](https://ann)", "[T](https://t)", "body", "foot · 2022-06-23 00:48 UTC")(t, m, c)
				wantFacts("F=V")(t, m, c)
				wantTheme("#A30200")(t, m, c)
				if cs := objects(c, "Container"); len(cs) != 1 || cs[0]["style"] != "attention" {
					t.Errorf("container %v", cs)
				}
				if len(objects(c, "Image")) != 3 {
					t.Errorf("images %v", objects(c, "Image"))
				}
			}},
		{"attachment hex color", `{"attachments":[{"color":"#36a64f","text":"x"}]}`, wantTheme("#36A64F")},
		{"sender overrides", `{"text":"x","username":"Bot","icon_url":"https://i/x.png","icon_emoji":":zap:"}`,
			func(t *testing.T, m *Message, c map[string]any) {
				snd := c["herald"].(map[string]any)["sender"].(map[string]any)
				if snd["name"] != "Bot" || snd["iconUrl"] != "https://i/x.png" || snd["iconEmoji"] != ":zap:" {
					t.Errorf("sender %v", snd)
				}
			}},
		{"rich text", `{"blocks":[{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"hi ","style":{"bold":true}},{"type":"link","url":"https://l","text":"L"},{"type":"emoji","name":"x","unicode":"1f3c0"}]},{"type":"rich_text_list","style":"ordered","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"one"}]}]},{"type":"rich_text_preformatted","elements":[{"type":"text","text":"code <b>"}]},{"type":"rich_text_quote","elements":[{"type":"text","text":"q"}]}]}]}`,
			wantTexts("**hi** [L](https://l)🏀\n\n1. one\n\n```\ncode <b>\n```\n\n> q")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseSlack("application/json", []byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if m.Format != FormatSlack {
				t.Fatalf("format %q", m.Format)
			}
			tt.check(t, m, decodeCard(t, m))
		})
	}
}

func TestParseSlackForm(t *testing.T) {
	m, err := ParseSlack("application/x-www-form-urlencoded", []byte("payload=%7B%22text%22%3A%22hi+there%22%7D"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Summary != "hi there" {
		t.Errorf("summary %q", m.Summary)
	}
}

// TestDeterministic: the same payload gives the same bytes, every time.
func TestDeterministic(t *testing.T) {
	body := readCorpus(t, "messagecard/msteams-docs/connector-example.messagecard.json")
	first, err := Parse("application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50; i++ {
		m, err := Parse("application/json", body)
		if err != nil || !bytes.Equal(m.Card, first.Card) {
			t.Fatalf("run %d differs", i)
		}
	}
}

// TestCardDoesNotAliasInput: the result must not change when the caller
// reuses its body buffer.
func TestCardDoesNotAliasInput(t *testing.T) {
	body := []byte(`{"summary":"keep me","text":"hello"}`)
	m, err := Parse("application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	before := string(m.Card)
	for i := range body {
		body[i] = 'x'
	}
	if string(m.Card) != before || m.Summary != "keep me" {
		t.Fatalf("result aliases the input")
	}
}

package feed

import (
	"encoding/json"
	"net/url"
	"strings"
)

// summaryRunes bounds the message summary (lists, notifications).
const summaryRunes = 200

// The card's JSON is written from structs, so members come out in a fixed
// order and the same item always gives the same bytes.
type adaptiveCard struct {
	Type    string       `json:"type"`
	Schema  string       `json:"$schema"`
	Version string       `json:"version"`
	Body    []any        `json:"body"`
	Actions []openAction `json:"actions,omitempty"`
}

type textBlock struct {
	Type     string `json:"type"`
	Text     string `json:"text"`
	Weight   string `json:"weight,omitempty"`
	Size     string `json:"size,omitempty"`
	IsSubtle bool   `json:"isSubtle,omitempty"`
	Spacing  string `json:"spacing,omitempty"`
	Wrap     bool   `json:"wrap"`
}

type image struct {
	Type    string `json:"type"`
	URL     string `json:"url"`
	AltText string `json:"altText,omitempty"`
}

type openAction struct {
	Type  string `json:"type"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// Card lays it out as a canonical Adaptive Card and returns it with the
// message summary: "<feed title>: <item title>" (or the start of the item's
// summary when it has no title), at most 200 runes. feedTitle is the name
// the channel knows the feed by (the connection's name, or Feed.Title).
func Card(feedTitle string, it Item) (summary string, card json.RawMessage) {
	// Fields are plain text (Parse made them so), and are escaped below,
	// not parsed again: a title that reads "Use <b> for bold" keeps its
	// "<b>", shown as written.
	feedTitle = oneLine(feedTitle)
	title := oneLine(it.Title)
	link := safeURL(it.Link, false)

	var body []any
	if title != "" {
		t := md(title)
		if link != "" {
			t = "[" + t + "](" + mdURL(link) + ")"
		}
		body = append(body, textBlock{Type: "TextBlock", Text: t, Weight: "Bolder", Size: "Medium", Wrap: true})
	}
	var meta []string
	for _, s := range []string{feedTitle, oneLine(it.Author)} {
		if s != "" {
			meta = append(meta, md(s))
		}
	}
	if !it.Published.IsZero() {
		meta = append(meta, it.Published.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if len(meta) > 0 {
		tb := textBlock{Type: "TextBlock", Text: strings.Join(meta, " · "), IsSubtle: true, Wrap: true}
		if len(body) > 0 {
			tb.Spacing = "None"
		}
		body = append(body, tb)
	}
	text := truncate(strings.TrimSpace(it.Summary), SummaryRunes)
	if text != "" {
		body = append(body, textBlock{Type: "TextBlock", Text: mdBlock(text), Wrap: true})
	}
	if img := safeURL(it.Image, true); img != "" {
		alt := title
		if alt == "" {
			alt = "Image"
		}
		body = append(body, image{Type: "Image", URL: img, AltText: truncate(alt, 200)})
	}
	if len(body) == 0 {
		body = append(body, textBlock{Type: "TextBlock", Text: "New feed item", Wrap: true})
	}
	c := adaptiveCard{
		Type:    "AdaptiveCard",
		Schema:  "http://adaptivecards.io/schemas/adaptive-card.json",
		Version: "1.5",
		Body:    body,
	}
	if link != "" {
		c.Actions = []openAction{{Type: "Action.OpenUrl", Title: "Open", URL: link}}
	}
	b, err := json.Marshal(c)
	if err != nil {
		panic("feed: card does not encode: " + err.Error()) // plain strings and structs only
	}

	head := title
	if head == "" {
		head = oneLine(it.Summary)
	}
	switch {
	case head == "" && feedTitle == "":
		summary = "New feed item"
	case head == "":
		summary = "New item in " + feedTitle
	case feedTitle == "":
		summary = head
	default:
		summary = feedTitle + ": " + head
	}
	return truncate(summary, summaryRunes), b
}

// oneLine collapses white space, line breaks included, to single spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// safeURL returns s if it is an absolute http or https URL (or, for links
// and not images, mailto), else "".
func safeURL(s string, image bool) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "\x00\r\n\t ") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	switch u.Scheme {
	case "http", "https":
		if u.Host == "" {
			return ""
		}
	case "mailto":
		if image || u.Opaque == "" {
			return ""
		}
	default:
		return ""
	}
	return u.String()
}

// md escapes text for Adaptive Card markdown, on one line.
func md(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for _, r := range s {
		switch r {
		case '\\', '*', '_', '[', ']', '`', '~', '<', '>', '#':
			b.WriteByte('\\')
		case '\r', '\n':
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdBlock escapes multi-line text for Adaptive Card markdown, keeping its
// line and paragraph breaks, and neutralising what would start a list,
// heading or quote at the beginning of a line.
func mdBlock(s string) string {
	ls := strings.Split(s, "\n")
	for i, l := range ls {
		l = md(l)
		if len(l) > 0 {
			switch l[0] {
			case '-', '+', '=':
				l = "\\" + l
			default:
				// "1. " and "1) " start ordered lists.
				j := 0
				for j < len(l) && l[j] >= '0' && l[j] <= '9' {
					j++
				}
				if j > 0 && j < len(l) && (l[j] == '.' || l[j] == ')') {
					l = l[:j] + "\\" + l[j:]
				}
			}
		}
		ls[i] = l
	}
	return strings.Join(ls, "\n")
}

// mdURL writes a URL as a markdown link target: characters that would end
// the target early are percent-encoded.
func mdURL(u string) string {
	return strings.NewReplacer("(", "%28", ")", "%29", " ", "%20", "<", "%3C", ">", "%3E").Replace(u)
}

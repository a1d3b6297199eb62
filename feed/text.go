package feed

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// maxTextInput bounds how much HTML is read to make a summary: the summary
// is SummaryRunes long, so megabytes of content add nothing but work.
const maxTextInput = 256 << 10

// skipped elements are dropped with everything inside them: what a browser
// does not show (scripts, styles, the fallback text of media elements that
// browsers support, the content of iframes). object and embed are not here:
// an object's content is its fallback, which is what browsers show today,
// and embed has no content.
var skipped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Svg: true,
	atom.Math: true, atom.Head: true, atom.Title: true, atom.Select: true,
	atom.Textarea: true, atom.Button: true, atom.Audio: true, atom.Video: true,
	atom.Canvas: true,
}

// blocks end a paragraph; line breaks end a line.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.Section: true, atom.Article: true,
	atom.Header: true, atom.Footer: true, atom.Aside: true, atom.Nav: true,
	atom.Blockquote: true, atom.Pre: true, atom.Ul: true, atom.Ol: true,
	atom.Dl: true, atom.Table: true, atom.Figure: true, atom.Figcaption: true,
	atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true,
	atom.H6: true, atom.Hr: true, atom.Address: true, atom.Details: true,
	atom.Summary: true, atom.Main: true, atom.Form: true, atom.Fieldset: true,
}

var lines = map[atom.Atom]bool{
	atom.Br: true, atom.Li: true, atom.Tr: true, atom.Dt: true, atom.Dd: true,
}

// textBuilder collects text with HTML white-space rules: runs of white
// space become one space, and breaks are added between blocks. It never
// emits leading or trailing white space.
type textBuilder struct {
	b       strings.Builder
	pending int // 0: nothing, 1: a space, 2: a line break, 3: a paragraph break
	limit   int // stop after this many bytes (0: no limit)
}

func (t *textBuilder) brk(kind int) {
	if t.b.Len() > 0 && kind > t.pending {
		t.pending = kind
	}
}

func (t *textBuilder) text(s string) {
	for _, r := range s {
		if isHTMLSpace(r) || r == 0 {
			t.brk(1)
			continue
		}
		if r >= 0x80 && r <= 0x9f {
			// C1 controls in text are Windows-1252 punctuation that was
			// decoded as Latin-1 somewhere upstream ("don\u0092t").
			r = cp1252[r-0x80]
		}
		if unicode.IsControl(r) || r == utf8.RuneError || r == '\u200b' || r == '\ufeff' {
			continue
		}
		switch t.pending {
		case 1:
			t.b.WriteByte(' ')
		case 2:
			t.b.WriteByte('\n')
		case 3:
			t.b.WriteString("\n\n")
		}
		t.pending = 0
		t.b.WriteRune(r)
	}
}

// isHTMLSpace reports whether r is white space that HTML collapses; a
// no-break space and other Unicode spaces are kept as written.
func isHTMLSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\r', '\f':
		return true
	}
	return false
}

func (t *textBuilder) full() bool { return t.limit > 0 && t.b.Len() >= t.limit }

// htmlText returns the text of an HTML fragment: tags removed, entities
// decoded, white space collapsed, paragraph breaks kept as "\n\n" and line
// breaks as "\n". Text that contains no markup is treated the same way, so
// entities in it are decoded and its white space collapsed.
func htmlText(s string, limit int) string {
	if len(s) > maxTextInput {
		s = s[:maxTextInput]
	}
	tb := textBuilder{limit: limit}
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside skipped elements
	var skipTag atom.Atom
	for !tb.full() {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tb.b.String()
		case html.TextToken:
			if skip == 0 {
				tb.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skip > 0 {
				if a == skipTag && tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skipped[a] {
				if tt == html.StartTagToken {
					skip, skipTag = 1, a
				}
				continue
			}
			switch {
			case blocks[a]:
				tb.brk(3)
			case lines[a]:
				tb.brk(2)
			case a == atom.Img:
				tb.brk(1)
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skip > 0 {
				if a == skipTag {
					skip--
				}
				continue
			}
			switch {
			case blocks[a]:
				tb.brk(3)
			case lines[a] && a != atom.Br:
				tb.brk(2)
			case a == atom.Td || a == atom.Th:
				tb.brk(1)
			}
		}
	}
	return tb.b.String()
}

// lineText is htmlText on one line: every break becomes a space.
func lineText(s string, limit int) string {
	if s == "" {
		return ""
	}
	t := htmlText(s, limit)
	if strings.IndexByte(t, '\n') >= 0 {
		t = strings.ReplaceAll(strings.ReplaceAll(t, "\n\n", " "), "\n", " ")
	}
	return t
}

// truncate shortens s to at most n runes, cutting at a word boundary when
// one is near the end, and marks the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n-1]
	// Prefer to cut at white space near the end: within the last fifth,
	// or the last 20 runes of a short text.
	for i := len(r) - 1; i > 0 && i >= len(r)-max(len(r)/5, 20); i-- {
		if unicode.IsSpace(r[i]) {
			r = r[:i]
			break
		}
	}
	return strings.TrimRightFunc(string(r), func(c rune) bool { return unicode.IsSpace(c) || unicode.IsPunct(c) && c != ')' && c != '"' }) + "…"
}

// firstImage returns the src of the first <img> in an HTML fragment that is
// not a tracking pixel (width or height 0 or 1), or "".
func firstImage(s string) string {
	if !strings.Contains(s, "<img") && !strings.Contains(s, "<IMG") {
		return ""
	}
	if len(s) > maxTextInput {
		s = s[:maxTextInput]
	}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return ""
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		if atom.Lookup(name) != atom.Img || !hasAttr {
			continue
		}
		var src string
		pixel := false
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "src":
				src = strings.TrimSpace(string(v))
			case "width", "height":
				if w := strings.TrimSpace(strings.TrimSuffix(string(v), "px")); w == "0" || w == "1" {
					pixel = true
				}
			}
			if !more {
				break
			}
		}
		if src != "" && !pixel {
			return src
		}
	}
}

// alternates returns the feed links an HTML page declares with
// <link rel="alternate" type="application/rss+xml" href="...">, and the
// Atom and JSON Feed equivalents, in page order.
func alternates(page string) []string {
	if len(page) > maxTextInput {
		page = page[:maxTextInput]
	}
	var out []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, hasAttr := z.TagName()
		a := atom.Lookup(name)
		if a == atom.Body {
			return out
		}
		if a != atom.Link || !hasAttr {
			continue
		}
		var rel, typ, href string
		for {
			k, v, more := z.TagAttr()
			switch string(k) {
			case "rel":
				rel = strings.ToLower(string(v))
			case "type":
				typ = strings.ToLower(strings.TrimSpace(string(v)))
			case "href":
				href = strings.TrimSpace(string(v))
			}
			if !more {
				break
			}
		}
		if href == "" || !strings.Contains(" "+rel+" ", " alternate ") {
			continue
		}
		switch typ {
		case "application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml":
			out = append(out, href)
		}
	}
}

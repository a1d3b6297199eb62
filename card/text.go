package card

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// markdown makes sender text safe to store as card Markdown.
//
// md says whether the sender declared Markdown (MessageCard "markdown", true by
// default). HTML mode (md false), or Markdown that contains tags, is converted
// from HTML: common tags become Markdown, everything else is dropped, so no raw
// HTML reaches the card. Links and images whose URL is not http(s)/mailto are
// reduced to their text. Text with nothing to convert is returned unchanged
// without allocating: that is the common case on the hot path.
func (s *state) markdown(text string, md bool) string {
	if text == "" {
		return ""
	}
	if !md {
		if needsHTMLMode(text) {
			text = s.htmlToMarkdown(text, true)
		}
	} else if strings.IndexByte(text, '<') >= 0 && looksLikeHTML(text) {
		text = s.htmlToMarkdown(text, false)
	}
	return sanitizeLinks(text)
}

// needsHTMLMode reports whether HTML-mode text differs from its Markdown
// rendering: tags, entities, white space runs (HTML collapses them) or Markdown
// punctuation (which HTML shows literally).
func needsHTMLMode(s string) bool {
	prevSpace := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '<', '&', '*', '_', '`', '[', ']', '~', '\\', '#', '\n', '\r', '\t':
			return true
		case ' ':
			if prevSpace {
				return true
			}
			prevSpace = true
			continue
		}
		prevSpace = false
	}
	return false
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
func isAlnum(c byte) bool  { return isLetter(c) || isDigit(c) }

// looksLikeHTML reports whether s contains something an HTML or Markdown
// renderer would treat as a tag, comment or processing instruction. Markdown
// autolinks (<https://x>, <a@b.c>) and comparisons (a < b, <3) are not tags.
func looksLikeHTML(s string) bool {
	for i := strings.IndexByte(s, '<'); i >= 0 && i+1 < len(s); {
		if tagAt(s, i) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '<')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// tagAt reports whether s[i] == '<' starts a tag-like construct.
func tagAt(s string, i int) bool {
	if i+1 >= len(s) {
		return false
	}
	c := s[i+1]
	switch {
	case c == '!' || c == '?':
		return true
	case c == '/':
		return i+2 < len(s) && isLetter(s[i+2])
	case isLetter(c):
		j := i + 2
		for j < len(s) && (isAlnum(s[j]) || s[j] == '-') {
			j++
		}
		if j == len(s) {
			return true
		}
		switch s[j] {
		case ' ', '\t', '\n', '\r', '\f', '>', '/':
			return true
		}
	}
	return false
}

// escapeTags writes text to b so that no '<' can start a tag when the result
// is read as Markdown or HTML.
func escapeTags(b []byte, text string) []byte {
	for {
		i := strings.IndexByte(text, '<')
		if i < 0 {
			return append(b, text...)
		}
		b = append(b, text[:i]...)
		if tagAt(text, i) {
			b = append(b, "&lt;"...)
		} else {
			b = append(b, '<')
		}
		text = text[i+1:]
	}
}

// --- HTML to Markdown -----------------------------------------------------

// skipContent lists elements whose content is never shown.
var skipContent = map[string]bool{
	"script": true, "style": true, "head": true, "title": true, "noscript": true,
	"iframe": true, "object": true, "embed": true, "template": true, "svg": true,
	"math": true, "textarea": true, "select": true, "frameset": true, "noembed": true,
	"noframes": true, "xmp": true, "applet": true, "button": true,
}

type emph struct {
	tag     string
	marker  string
	written bool
}

type htmlConv struct {
	out      []byte
	collapse bool // HTML mode: white space runs are one space, Markdown punctuation is escaped
	emphs    []emph
	links    []int    // output offsets where open <a> labels start
	hrefs    []string // their safe URLs ("" if none)
	lists    []int    // open lists: -1 unordered, else the next number
	pre      int
	skip     string
	skipN    int
}

// htmlToMarkdown converts HTML (or Markdown with tags in it) to Markdown.
// collapse selects true HTML mode (markdown:false): white space is collapsed
// and Markdown punctuation in text is escaped so it shows literally.
func (s *state) htmlToMarkdown(src string, collapse bool) string {
	c := htmlConv{out: s.buf[:0], collapse: collapse}
	if !collapse {
		src = protectAutolinks(src)
	}
	z := html.NewTokenizer(strings.NewReader(src))
	for steps := 0; steps < 1<<20; steps++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		switch tt {
		case html.TextToken:
			if c.skip == "" {
				c.text(string(z.Text()))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			tag := string(name)
			if c.skip != "" {
				if tag == c.skip && tt == html.StartTagToken {
					c.skipN++
				}
				continue
			}
			if skipContent[tag] {
				if tt == html.StartTagToken {
					c.skip, c.skipN = tag, 1
				}
				continue
			}
			var href, src, alt string
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				switch string(k) {
				case "href":
					href = string(v)
				case "src":
					src = string(v)
				case "alt":
					alt = string(v)
				}
			}
			c.start(tag, tt == html.SelfClosingTagToken, href, src, alt)
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if c.skip != "" {
				if tag == c.skip {
					c.skipN--
					if c.skipN == 0 {
						c.skip = ""
					}
				}
				continue
			}
			c.end(tag)
		}
	}
	for len(c.links) > 0 {
		c.end("a")
	}
	for len(c.emphs) > 0 {
		c.end(c.emphs[len(c.emphs)-1].tag)
	}
	out := strings.TrimSpace(string(c.out))
	s.buf = c.out[:0]
	return out
}

// protectAutolinks rewrites Markdown autolinks (<https://x>) as Markdown links
// so that the HTML tokenizer does not read them as tags.
func protectAutolinks(s string) string {
	if !strings.Contains(s, "://") && !strings.Contains(s, "<mailto:") {
		return s
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '<' {
			continue
		}
		end, u := autolinkAt(s, i)
		if end < 0 {
			continue
		}
		b.WriteString(s[last:i])
		if safe, ok := safeURL(u, true); ok {
			b.WriteString("[" + u + "](" + linkDest(safe) + ")")
		} else {
			b.WriteString(u)
		}
		last = end
		i = end - 1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// autolinkAt reads a CommonMark autolink <scheme:...> at s[i]; it returns the
// index after '>' and the URL, or -1.
func autolinkAt(s string, i int) (int, string) {
	j := i + 1
	if j >= len(s) || !isLetter(s[j]) {
		return -1, ""
	}
	for j < len(s) && j-i <= 33 && (isAlnum(s[j]) || s[j] == '+' || s[j] == '.' || s[j] == '-') {
		j++
	}
	if j >= len(s) || s[j] != ':' || j-i < 3 {
		return -1, ""
	}
	for k := j + 1; k < len(s); k++ {
		switch c := s[k]; {
		case c == '>':
			return k + 1, s[i+1 : k]
		case c <= ' ' || c == '<':
			return -1, ""
		}
	}
	return -1, ""
}

func (c *htmlConv) atLineStart() bool {
	return len(c.out) == 0 || c.out[len(c.out)-1] == '\n'
}

func (c *htmlConv) trimTrailingSpace() {
	for len(c.out) > 0 && (c.out[len(c.out)-1] == ' ' || c.out[len(c.out)-1] == '\t') {
		c.out = c.out[:len(c.out)-1]
	}
}

// para ends the current block with a blank line.
func (c *htmlConv) para() {
	c.trimTrailingSpace()
	if len(c.out) == 0 {
		return
	}
	for !strings.HasSuffix(string(c.out[max(0, len(c.out)-2):]), "\n\n") {
		c.out = append(c.out, '\n')
	}
}

// newline ends the current line.
func (c *htmlConv) newline() {
	c.trimTrailingSpace()
	if len(c.out) > 0 && !c.atLineStart() {
		c.out = append(c.out, '\n')
	}
}

func (c *htmlConv) flushEmph() {
	for i := range c.emphs {
		if !c.emphs[i].written {
			c.out = append(c.out, c.emphs[i].marker...)
			c.emphs[i].written = true
		}
	}
}

func (c *htmlConv) text(t string) {
	if t == "" {
		return
	}
	if c.pre > 0 {
		c.out = appendCode(c.out, t)
		return
	}
	if c.collapse {
		t = collapseSpace(t)
		if t == " " && (c.atLineStart() || c.out[len(c.out)-1] == ' ') {
			return
		}
		if c.atLineStart() {
			t = strings.TrimLeft(t, " ")
		}
	}
	// Leading white space goes before any pending emphasis marker:
	// "<b> x</b>" must become " **x**", not "** x**".
	lead := len(t) - len(strings.TrimLeft(t, " \t\r\n"))
	c.out = append(c.out, t[:lead]...)
	t = t[lead:]
	if t == "" {
		return
	}
	c.flushEmph()
	if c.collapse {
		c.out = escapeMarkdown(c.out, t)
	} else {
		c.out = escapeTags(c.out, t)
	}
}

// collapseSpace turns runs of HTML white space into one space.
func collapseSpace(t string) string {
	need := false
	for i := 0; i < len(t); i++ {
		if c := t[i]; c == '\n' || c == '\r' || c == '\t' || c == '\f' || (c == ' ' && i+1 < len(t) && t[i+1] == ' ') {
			need = true
			break
		}
	}
	if !need {
		return t
	}
	b := make([]byte, 0, len(t))
	space := false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; c {
		case ' ', '\n', '\r', '\t', '\f':
			if !space {
				b = append(b, ' ')
			}
			space = true
		default:
			b = append(b, c)
			space = false
		}
	}
	return string(b)
}

// escapeMarkdown writes plain text so that Markdown shows it literally.
func escapeMarkdown(b []byte, t string) []byte {
	for i := 0; i < len(t); i++ {
		switch c := t[i]; c {
		case '\\', '*', '_', '`', '[', ']', '~':
			b = append(b, '\\', c)
		case '<':
			if tagAt(t, i) || autolinkEnd(t, i) {
				b = append(b, "&lt;"...)
			} else {
				b = append(b, c)
			}
		case '#':
			if len(b) == 0 || b[len(b)-1] == '\n' {
				b = append(b, '\\')
			}
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return b
}

func autolinkEnd(t string, i int) bool { end, _ := autolinkAt(t, i); return end > 0 }

func (c *htmlConv) start(tag string, selfClosing bool, href, src, alt string) {
	switch tag {
	case "b", "strong":
		c.pushEmph(tag, "**")
	case "i", "em":
		c.pushEmph(tag, "_")
	case "s", "strike", "del":
		c.pushEmph(tag, "~~")
	case "code", "tt", "kbd", "samp":
		if c.pre == 0 {
			c.pushEmph(tag, "`")
		}
	case "br":
		c.trimTrailingSpace()
		if len(c.out) > 0 {
			c.out = append(c.out, "  \n"...)
		}
	case "p", "div", "section", "article", "header", "footer", "table", "address", "figure", "dl":
		c.para()
	case "blockquote":
		c.para()
		c.out = append(c.out, "> "...)
	case "h1", "h2", "h3", "h4", "h5", "h6":
		c.para()
		n := min(int(tag[1]-'0'), 4)
		c.out = append(c.out, "####"[:n]...)
		c.out = append(c.out, ' ')
	case "hr":
		c.para()
		c.out = append(c.out, "---"...)
		c.para()
	case "pre":
		c.para()
		c.out = append(c.out, "```\n"...)
		c.pre++
	case "ul":
		c.newline()
		c.lists = append(c.lists, -1)
	case "ol":
		c.newline()
		c.lists = append(c.lists, 1)
	case "li":
		c.newline()
		depth := len(c.lists)
		for i := 1; i < depth; i++ {
			c.out = append(c.out, "   "...)
		}
		if depth > 0 && c.lists[depth-1] > 0 {
			c.out = appendInt(c.out, c.lists[depth-1])
			c.out = append(c.out, ". "...)
			c.lists[depth-1]++
		} else {
			c.out = append(c.out, "- "...)
		}
	case "tr", "dt", "dd":
		c.newline()
	case "td", "th":
		if !c.atLineStart() {
			c.trimTrailingSpace()
			c.out = append(c.out, " | "...)
		}
	case "a":
		if selfClosing {
			return
		}
		u, ok := safeURL(href, true)
		if !ok {
			u = ""
		}
		if len(c.links) == 8 {
			return // nested links are not a thing; bound the work
		}
		c.links = append(c.links, len(c.out))
		c.hrefs = append(c.hrefs, u)
	case "img":
		if u, ok := safeURL(src, false); ok && c.pre == 0 {
			c.flushEmph()
			c.out = append(c.out, "!["...)
			c.out = escapeMarkdown(c.out, collapseSpace(alt))
			c.out = append(c.out, "]("...)
			c.out = append(c.out, linkDest(u)...)
			c.out = append(c.out, ')')
		}
	}
}

func (c *htmlConv) end(tag string) {
	switch tag {
	case "b", "strong", "i", "em", "s", "strike", "del", "code", "tt", "kbd", "samp":
		c.popEmph(tag)
	case "p", "div", "section", "article", "header", "footer", "table", "address", "figure", "dl",
		"blockquote", "h1", "h2", "h3", "h4", "h5", "h6":
		c.para()
	case "pre":
		if c.pre > 0 {
			c.pre--
			if !c.atLineStart() {
				c.out = append(c.out, '\n')
			}
			c.out = append(c.out, "```"...)
			c.para()
		}
	case "ul", "ol":
		if len(c.lists) > 0 {
			c.lists = c.lists[:len(c.lists)-1]
		}
		if len(c.lists) == 0 {
			c.para()
		}
	case "a":
		n := len(c.links)
		if n == 0 {
			return
		}
		start, u := c.links[n-1], c.hrefs[n-1]
		c.links, c.hrefs = c.links[:n-1], c.hrefs[:n-1]
		if u == "" || start > len(c.out) {
			return
		}
		label := strings.TrimSpace(string(c.out[start:]))
		c.out = c.out[:start]
		if label == "" {
			label = string(escapeMarkdown(nil, u))
		}
		c.flushEmph()
		c.out = append(c.out, '[')
		c.out = append(c.out, label...)
		c.out = append(c.out, "]("...)
		c.out = append(c.out, linkDest(u)...)
		c.out = append(c.out, ')')
	}
}

func (c *htmlConv) pushEmph(tag, marker string) {
	if len(c.emphs) < 32 {
		c.emphs = append(c.emphs, emph{tag: tag, marker: marker})
	}
}

// popEmph closes the innermost open emphasis of tag (and any opened inside
// it). Markers are moved past trailing white space: "**x **" is not bold.
func (c *htmlConv) popEmph(tag string) {
	i := len(c.emphs) - 1
	for i >= 0 && c.emphs[i].tag != tag {
		i--
	}
	if i < 0 {
		return
	}
	for j := len(c.emphs) - 1; j >= i; j-- {
		e := c.emphs[j]
		if !e.written {
			continue
		}
		n := len(c.out)
		c.trimTrailingSpace()
		trimmed := n - len(c.out)
		c.out = append(c.out, e.marker...)
		for ; trimmed > 0; trimmed-- {
			c.out = append(c.out, ' ')
		}
	}
	c.emphs = c.emphs[:i]
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// --- link sanitizing ---------------------------------------------------------

// sanitizeLinks reduces Markdown links, images, autolinks and link reference
// definitions whose URL is not http(s)/mailto to plain text. It returns s itself
// when nothing needs to change.
func sanitizeLinks(s string) string {
	if !strings.Contains(s, "](") && !strings.Contains(s, "]:") && strings.IndexByte(s, '<') < 0 {
		return s
	}
	var b []byte
	last, lineStart := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			lineStart = i + 1
		case ']':
			if i+1 < len(s) && s[i+1] == '(' {
				next, dest, ok, long := linkDestAt(s, i+1)
				if long {
					// Too long to decide: make sure it is no link at all.
					b = append(b, s[last:i+1]...)
					b = append(b, '\\')
					last = i + 1
					continue
				}
				if !ok {
					continue
				}
				if _, safe := safeURL(dest, true); safe {
					i = next - 1
					continue
				}
				end, ok := tailEnd(s, next)
				if !ok {
					// An unsafe destination without a clean end: drop it and
					// escape the parenthesis so nothing can become a link.
					b = append(b, s[last:i+1]...)
					b = append(b, '\\', '(')
					last = next
					i = next - 1
					continue
				}
				open := openBracket(s, last, i)
				if open < 0 {
					// A stray "](": keep the text, drop the destination.
					b = append(b, s[last:i+1]...)
				} else {
					from := open
					if from > last && s[from-1] == '!' {
						from--
					}
					b = append(b, s[last:from]...)
					b = append(b, s[open+1:i]...)
				}
				last = end
				i = end - 1
			} else if i+1 < len(s) && s[i+1] == ':' {
				ls := lineStart
				if ls < last || i-ls > maxLinkTail || !isRefDefStart(s[ls:i]) {
					continue
				}
				le := strings.IndexByte(s[i:], '\n')
				if le < 0 {
					le = len(s)
				} else {
					le += i
				}
				dest := strings.TrimSpace(s[i+2 : le])
				if k := strings.IndexAny(dest, " \t"); k >= 0 {
					dest = dest[:k]
				}
				dest = strings.TrimSuffix(strings.TrimPrefix(dest, "<"), ">")
				if _, safe := safeURL(dest, true); safe {
					continue
				}
				b = append(b, s[last:ls]...)
				last = min(le+1, len(s)) // the line and its newline
				i = last - 1
			}
		case '<':
			end, u := autolinkAt(s, i)
			if end < 0 {
				continue
			}
			if _, safe := safeURL(u, true); !safe {
				b = append(b, s[last:i]...)
				b = append(b, u...)
				last = end
			}
			i = end - 1
		}
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

// isRefDefStart reports whether line (up to "]:") opens a link reference
// definition: up to three spaces, then "[label".
func isRefDefStart(line string) bool {
	t := strings.TrimLeft(line, " ")
	return len(line)-len(t) <= 3 && len(t) > 1 && t[0] == '['
}

// maxLinkTail bounds how far a link destination and title are looked for, and
// maxParenDepth how deeply parentheses may nest in a destination (cmark uses
// 32 too). Together they keep text full of "](" linear.
const (
	maxLinkTail   = 4096
	maxParenDepth = 32
)

// linkDestAt parses a link destination after the '(' at s[i]. It returns the
// index after the destination, the destination, and whether one was found;
// long reports that the scan stopped at maxLinkTail without deciding.
func linkDestAt(s string, i int) (next int, dest string, ok, long bool) {
	limit := min(len(s), i+maxLinkTail)
	j := i + 1
	for j < limit && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
		j++
	}
	if j < limit && s[j] == '<' {
		k := strings.IndexAny(s[j+1:limit], ">\n")
		if k < 0 {
			return 0, "", false, limit < len(s)
		}
		if s[j+1+k] != '>' {
			return 0, "", false, false
		}
		return j + k + 2, s[j+1 : j+1+k], true, false
	}
	start, depth := j, 0
	for ; j < limit; j++ {
		switch c := s[j]; {
		case c == '\\':
			j++
		case c == '(':
			depth++
			if depth > maxParenDepth {
				return 0, "", false, false
			}
		case c == ')':
			if depth == 0 {
				return j, s[start:j], true, false
			}
			depth--
		case c <= ' ':
			return j, s[start:j], true, false
		}
	}
	if j >= len(s) {
		return len(s), s[start:], true, false
	}
	return 0, "", false, true
}

// tailEnd parses the optional title and the closing ')' after a destination
// ending at j; it returns the index after ')'.
func tailEnd(s string, j int) (int, bool) {
	limit := min(len(s), j+maxLinkTail)
	for j < limit && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
		j++
	}
	if j < limit && (s[j] == '"' || s[j] == '\'' || s[j] == '(') {
		closer := s[j]
		if closer == '(' {
			closer = ')'
		}
		k := strings.IndexByte(s[j+1:limit], closer)
		if k < 0 {
			return 0, false
		}
		j += k + 2
		for j < limit && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n') {
			j++
		}
	}
	if j >= limit || s[j] != ')' {
		return 0, false
	}
	return j + 1, true
}

// linkTail parses "(dest "title")" at s[i] == '('. It returns the index after
// ')', the destination, and whether it is a well-formed link tail.
func linkTail(s string, i int) (end int, dest string, ok bool) {
	next, dest, ok, _ := linkDestAt(s, i)
	if !ok {
		return 0, "", false
	}
	end, ok = tailEnd(s, next)
	return end, dest, ok
}

// openBracket finds the '[' matching the ']' at close, not before from.
func openBracket(s string, from, close int) int {
	depth := 0
	for k := close - 1; k >= from; k-- {
		switch s[k] {
		case ']':
			depth++
		case '[':
			if k > 0 && s[k-1] == '\\' {
				continue
			}
			if depth == 0 {
				return k
			}
			depth--
		}
	}
	return -1
}

// --- plain text for summaries ------------------------------------------------

const maxSummaryRunes = 200

// summarize makes one line of plain text of at most 200 runes. The result does
// not share memory with the request body.
func summarize(s string) string {
	// 200 runes of summary never need more than the first few KB of text;
	// cutting first keeps the Markdown stripping cheap on huge texts.
	if len(s) > 4*maxLinkTail {
		s = s[:4*maxLinkTail]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD") // text/plain bodies are not checked
	}
	s = plain(s)
	if utf8.RuneCountInString(s) > maxSummaryRunes {
		n := 0
		for i := range s {
			if n == maxSummaryRunes-1 {
				s = strings.TrimRight(s[:i], " ") + "…"
				break
			}
			n++
		}
	}
	return strings.Clone(s)
}

// plain strips Markdown and HTML reasonably and folds white space into single
// spaces. It is for summaries, not for display.
func plain(s string) string {
	if strings.ContainsAny(s, "<&*_~`[]\\#") {
		if strings.IndexByte(s, '<') >= 0 && looksLikeHTML(s) {
			st := state{}
			s = st.htmlToMarkdown(s, false)
		}
		s = stripMarkdown(s)
	}
	return oneLine(s)
}

// oneLine folds white space runs into single spaces and trims the ends; text
// that is already one clean line is returned as is, without allocating.
func oneLine(s string) string {
	clean := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v' ||
			(c == ' ' && (i == 0 || i == len(s)-1 || s[i+1] == ' ')) {
			clean = false
			break
		}
		if c >= utf8.RuneSelf {
			// Unicode spaces (NBSP and friends): let strings.Fields decide.
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// stripMarkdown removes Markdown syntax, keeping the words and link labels.
func stripMarkdown(s string) string {
	drop := emphasisRuns(s)
	b := make([]byte, 0, len(s))
	lineStart := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if lineStart {
			// Headings, quotes and bullets.
			j := i
			for j < len(s) && s[j] == ' ' {
				j++
			}
			k := j
			for k < len(s) && (s[k] == '#' || s[k] == '>') {
				k++
			}
			if k > j && k < len(s) && s[k] == ' ' {
				i = k
				lineStart = false
				continue
			}
			if j+1 < len(s) && (s[j] == '-' || s[j] == '+' || s[j] == '*') && s[j+1] == ' ' {
				i = j + 1
				lineStart = false
				continue
			}
		}
		lineStart = c == '\n'
		switch c {
		case '\\':
			if i+1 < len(s) && isPunct(s[i+1]) {
				i++
				b = append(b, s[i])
				continue
			}
		case '!', '[':
			// Links and images keep their label: "[label](url)" -> "label".
			o := i
			if c == '!' {
				if i+1 >= len(s) || s[i+1] != '[' {
					break
				}
				o++
			}
			if j := strings.IndexByte(s[o:], ']'); j > 0 && o+j+1 < len(s) && s[o+j+1] == '(' {
				if end, _, ok := linkTail(s, o+j+1); ok {
					b = append(b, stripMarkdown(s[o+1:o+j])...)
					i = end - 1
					continue
				}
			}
		case '`':
			continue
		case '*', '_', '~':
			if drop[i] {
				continue
			}
		}
		b = append(b, c)
	}
	return string(b)
}

func isPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !isAlnum(c)
}

// emphasisRuns marks the '*', '_' and '~' characters that pair up as Markdown
// emphasis on a line, so that "myFirst_Job_" and "2 * 3" keep theirs while
// "*bold*" and "_it_" lose them.
func emphasisRuns(s string) map[int]bool {
	type run struct {
		pos, n int
		c      byte
	}
	var drop map[int]bool
	var open []run
	space := func(x byte) bool { return x == ' ' || x == '\n' || x == '\t' || x == '\r' }
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			i++
			continue
		case c == '\n':
			open = open[:0]
			continue
		case c != '*' && c != '_' && c != '~':
			continue
		}
		j := i
		for j < len(s) && s[j] == c {
			j++
		}
		before, after := byte(' '), byte(' ')
		if i > 0 {
			before = s[i-1]
		}
		if j < len(s) {
			after = s[j]
		}
		canOpen := !space(after)
		canClose := !space(before)
		if c == '_' {
			canOpen = canOpen && !isAlnum(before)
			canClose = canClose && !isAlnum(after)
		}
		matched := false
		if canClose {
			for k := len(open) - 1; k >= 0; k-- {
				if open[k].c == c {
					if drop == nil {
						drop = map[int]bool{}
					}
					for p := open[k].pos; p < open[k].pos+open[k].n; p++ {
						drop[p] = true
					}
					for p := i; p < j; p++ {
						drop[p] = true
					}
					open = open[:k]
					matched = true
					break
				}
			}
		}
		if !matched && canOpen && len(open) < 64 {
			open = append(open, run{pos: i, n: j - i, c: c})
		}
		i = j - 1
	}
	return drop
}

// fenceMarker would end a fenced code block early.
const fenceMarker = "```"

// appendCode writes text inside a fenced block. Markdown shows it literally,
// so it is copied as is, unless it holds a fence marker that would end the
// block early: then the marker is defused and tags are escaped too.
func appendCode(b []byte, code string) []byte {
	if !strings.Contains(code, fenceMarker) {
		return append(b, code...)
	}
	return escapeTags(b, strings.ReplaceAll(code, fenceMarker, strings.Repeat("'", 3)))
}

// appendFence writes code as a fenced block.
func appendFence(b []byte, code string) []byte {
	b = append(b, "```\n"...)
	b = appendCode(b, code)
	return append(b, "\n```\n\n"...)
}

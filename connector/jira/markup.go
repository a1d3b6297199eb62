package jira

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/heraldhq/herald/connector/cardkit"
)

// richText renders a Jira text field (comment body, description) as card
// markdown: wiki markup from the REST v2 shape webhooks send, or an
// Atlassian Document Format tree from the v3 shape.
func richText(n node, base string) string {
	if n.Object() != nil {
		return tidy(adf(n, base))
	}
	return wikiToMarkdown(n.Str(), base)
}

var (
	blockOpen  = regexp.MustCompile(`^\{(code|noformat)(?::[^}]*)?\}(.*)$`)
	heading    = regexp.MustCompile(`^h[1-6]\.\s+(.*)$`)
	blockQuote = regexp.MustCompile(`^bq\.\s+(.*)$`)
	listItem   = regexp.MustCompile(`^([*#-]+)\s+(.*)$`)
	rule       = regexp.MustCompile(`^-{4,}$`)
	macro      = regexp.MustCompile(`^\{[a-zA-Z]+(?::[^{}]*)?\}`)
	issueKey   = regexp.MustCompile(`^[A-Z][A-Z0-9_]+-[0-9]+$`)
	blankRuns  = regexp.MustCompile(`\n{3,}`)
)

// wikiToMarkdown does a light conversion of Jira wiki markup: *bold*,
// _italic_, links, mentions, headings, lists, quotes and {code} or
// {noformat} blocks (kept as plain lines). Everything else is shown as
// written, escaped. base is the Jira base URL, for issue-key links.
func wikiToMarkdown(s, base string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var out []string
	pre := "" // the block macro we are inside: code or noformat
	quote := false
	for _, line := range strings.Split(s, "\n") {
		if pre != "" {
			end := "{" + pre + "}"
			i := strings.Index(line, end)
			if i < 0 {
				out = append(out, cardkit.MD(line))
				continue
			}
			if strings.TrimSpace(line[:i]) != "" {
				out = append(out, cardkit.MD(line[:i]))
			}
			pre = ""
			line = line[i+len(end):]
			if strings.TrimSpace(line) == "" {
				continue
			}
		}
		t := strings.TrimSpace(line)
		if m := blockOpen.FindStringSubmatch(t); m != nil {
			rest := m[2]
			end := "{" + m[1] + "}"
			if j := strings.Index(rest, end); j >= 0 {
				if body := rest[:j]; strings.TrimSpace(body) != "" {
					out = append(out, cardkit.MD(body))
				}
				if tail := strings.TrimSpace(rest[j+len(end):]); tail != "" {
					out = append(out, inline(tail, base))
				}
				continue
			}
			pre = m[1]
			if strings.TrimSpace(rest) != "" {
				out = append(out, cardkit.MD(rest))
			}
			continue
		}
		if q, ok := strings.CutPrefix(t, "{quote}"); ok {
			quote = !quote
			t = strings.TrimSpace(q)
			if t == "" {
				continue
			}
		}
		closing := false
		if q, ok := strings.CutSuffix(t, "{quote}"); ok && quote {
			t, closing = strings.TrimSpace(q), true
		}
		md := blockLine(t, base)
		if quote && md != "" {
			md = "\\> " + md
		}
		out = append(out, md)
		if closing {
			quote = false
		}
	}
	return tidy(strings.Join(out, "\n"))
}

// tidy trims and collapses runs of blank lines.
func tidy(s string) string {
	return strings.TrimSpace(blankRuns.ReplaceAllString(s, "\n\n"))
}

// blockLine converts one line outside code blocks.
func blockLine(t, base string) string {
	switch {
	case t == "":
		return ""
	case rule.MatchString(t):
		return "―――"
	}
	if m := heading.FindStringSubmatch(t); m != nil {
		return "**" + inline(m[1], base) + "**"
	}
	if m := blockQuote.FindStringSubmatch(t); m != nil {
		return "\\> " + inline(m[1], base)
	}
	if m := listItem.FindStringSubmatch(t); m != nil && !rule.MatchString(m[1]) {
		indent := strings.Repeat("  ", len(m[1])-1)
		if strings.Trim(m[1], "#") == "" {
			return indent + "1. " + inline(m[2], base)
		}
		return indent + "- " + inline(m[2], base)
	}
	if strings.HasPrefix(t, "|") {
		header := strings.HasPrefix(t, "||")
		var cells []string
		for _, c := range strings.Split(strings.ReplaceAll(t, "||", "|"), "|") {
			if c = strings.TrimSpace(c); c != "" {
				c = inline(c, base)
				if header {
					c = "**" + c + "**"
				}
				cells = append(cells, c)
			}
		}
		return strings.Join(cells, " | ")
	}
	return inline(t, base)
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// inline converts the inline markup of one line.
func inline(s, base string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case '\\':
			if i+1 < len(rs) {
				i++
				b.WriteString(cardkit.MD(string(rs[i])))
				continue
			}
		case '[':
			if j := indexRune(rs, ']', i+1); j > i {
				b.WriteString(wikiLink(string(rs[i+1:j]), base))
				i = j
				continue
			}
		case '{':
			if i+1 < len(rs) && rs[i+1] == '{' {
				if j := indexString(rs, "}}", i+2); j > i+1 {
					b.WriteString(cardkit.MD(unescape(string(rs[i+2 : j]))))
					i = j + 1
					continue
				}
			}
			if m := macro.FindString(string(rs[i:])); m != "" {
				i += len([]rune(m)) - 1 // {color:red}, {panel}, ... are dropped
				continue
			}
		case '*', '_':
			if j := closing(rs, i); j > 0 {
				mark := "_"
				if r == '*' {
					mark = "**"
				}
				b.WriteString(mark + inline(string(rs[i+1:j]), base) + mark)
				i = j
				continue
			}
		case '!':
			if j := indexRune(rs, '!', i+1); j > i+1 {
				name, _, _ := strings.Cut(string(rs[i+1:j]), "|")
				if !strings.ContainsAny(name, " \t") && strings.Contains(name, ".") {
					if webURL(name) {
						b.WriteString(cardkit.Link("image", name))
					} else {
						b.WriteString(cardkit.MD("(image: " + name + ")"))
					}
					i = j
					continue
				}
			}
		case 'h':
			if i == 0 || !isWord(rs[i-1]) && rs[i-1] != '/' {
				rest := string(rs[i:])
				if webURL(rest) {
					u := bareURL(rest)
					b.WriteString(cardkit.Link(u, u))
					i += len([]rune(u)) - 1
					continue
				}
			}
		}
		b.WriteString(cardkit.MD(string(r)))
	}
	return b.String()
}

// closing finds the end of a *bold* or _italic_ span opened at i: the
// marker must open at a word start and close at a word end, so snake_case
// and 2*3*4 stay as written.
func closing(rs []rune, i int) int {
	m := rs[i]
	if i > 0 && isWord(rs[i-1]) {
		return -1
	}
	if i+1 >= len(rs) || unicode.IsSpace(rs[i+1]) || rs[i+1] == m {
		return -1
	}
	for j := i + 2; j < len(rs); j++ {
		if rs[j] != m || unicode.IsSpace(rs[j-1]) {
			continue
		}
		if j+1 < len(rs) && isWord(rs[j+1]) {
			continue
		}
		return j
	}
	return -1
}

// wikiLink converts the inside of [...]: [text|url], [url], [~user],
// [^attachment], [ISSUE-1]; anything else is shown as written.
func wikiLink(c, base string) string {
	switch {
	case strings.HasPrefix(c, "~"):
		name := strings.TrimPrefix(c[1:], "accountid:")
		if name != c[1:] {
			return "@user"
		}
		return cardkit.MD("@" + name)
	case strings.HasPrefix(c, "^"):
		return cardkit.MD("(attachment: " + c[1:] + ")")
	}
	text, target, hasText := strings.Cut(c, "|")
	if !hasText {
		target = c
	}
	target, _, _ = strings.Cut(target, "|") // [text|url|tooltip]
	target = strings.TrimSpace(target)
	text = unescape(strings.TrimSpace(text))
	switch {
	case webURL(target):
		return cardkit.Link(text, target)
	case strings.HasPrefix(target, "mailto:"):
		return cardkit.Link(strings.TrimPrefix(text, "mailto:"), target)
	case issueKey.MatchString(target) && base != "":
		return cardkit.Link(text, base+"/browse/"+target)
	case hasText:
		return cardkit.MD(text)
	}
	return cardkit.MD("[" + unescape(c) + "]")
}

// unescape drops wiki backslash escapes.
func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if rs[i] == '\\' && i+1 < len(rs) {
			i++
		}
		b.WriteRune(rs[i])
	}
	return b.String()
}

// bareURL is the URL at the start of s, without trailing punctuation.
func bareURL(s string) string {
	end := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(`[]|<>"{}`, r)
	})
	if end < 0 {
		end = len(s)
	}
	return strings.TrimRight(s[:end], ".,;:!?)'")
}

func indexRune(rs []rune, r rune, from int) int {
	for j := from; j < len(rs); j++ {
		if rs[j] == r {
			return j
		}
	}
	return -1
}

func indexString(rs []rune, sub string, from int) int {
	if from > len(rs) {
		return -1
	}
	i := strings.Index(string(rs[from:]), sub)
	if i < 0 {
		return -1
	}
	return from + len([]rune(string(rs[from:])[:i]))
}

// adf renders an Atlassian Document Format node.
func adf(n node, base string) string {
	var kids []string
	for _, c := range n.Get("content").List() {
		kids = append(kids, adf(c, base))
	}
	inner := strings.Join(kids, "")
	switch n.Get("type").Str() {
	case "doc":
		return strings.Join(kids, "\n\n")
	case "paragraph", "heading":
		if n.Get("type").Str() == "heading" && inner != "" {
			return "**" + inner + "**"
		}
		return inner
	case "text":
		t := cardkit.MD(n.Get("text").Str())
		for _, mk := range n.Get("marks").List() {
			switch mk.Get("type").Str() {
			case "strong":
				t = "**" + t + "**"
			case "em":
				t = "_" + t + "_"
			case "link":
				if u := mk.Get("attrs", "href").Str(); webURL(u) {
					t = cardkit.Link(n.Get("text").Str(), u)
				}
			}
		}
		return t
	case "hardBreak":
		return "\n"
	case "mention", "emoji":
		return cardkit.MD(first(n.Get("attrs", "text").Str(), n.Get("attrs", "shortName").Str()))
	case "inlineCard", "blockCard":
		u := n.Get("attrs", "url").Str()
		if webURL(u) {
			return cardkit.Link(u, u)
		}
		return ""
	case "bulletList", "orderedList":
		mark := "- "
		if n.Get("type").Str() == "orderedList" {
			mark = "1. "
		}
		var items []string
		for _, k := range kids {
			items = append(items, mark+strings.TrimSpace(strings.ReplaceAll(k, "\n\n", " ")))
		}
		return strings.Join(items, "\n")
	case "listItem", "tableCell", "tableHeader":
		return strings.Join(kids, "\n\n")
	case "tableRow":
		return strings.Join(kids, " | ")
	case "table":
		return strings.Join(kids, "\n")
	case "blockquote":
		var lines []string
		for _, l := range strings.Split(strings.Join(kids, "\n\n"), "\n") {
			if l != "" {
				l = "\\> " + l
			}
			lines = append(lines, l)
		}
		return strings.Join(lines, "\n")
	case "rule":
		return "―――"
	case "mediaSingle", "mediaGroup", "media":
		return "(attachment)"
	}
	return inner
}

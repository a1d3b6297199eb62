package card

import (
	"strconv"
	"strings"
	"time"
)

// Bounds on work for Slack payloads (Slack itself allows 50 blocks and 100
// attachments per message).
const (
	maxSlackBlocks      = 100
	maxSlackAttachments = 100
	maxSlackActions     = 10
	maxSlackFields      = 50
	maxRichElements     = 500
)

// Slack's own attachment bar colours for its named colours.
var slackColors = map[string]string{"good": "#2EB886", "warning": "#DAA038", "danger": "#A30200"}

// slack converts a Slack incoming-webhook payload (text, blocks, legacy
// attachments). ok is false when there is nothing to show.
//
// As in Slack, top-level text is shown only when there are no blocks;
// with blocks it is the notification text (our summary).
func (s *state) slack(root int32) (*Message, bool) {
	t := &s.t
	e := &s.e
	s.first = ""
	format := true
	if v, ok := t.boolean(t.get(root, "mrkdwn")); ok {
		format = v
	}
	text := t.str(root, "text")
	blocks := t.get(root, "blocks")

	s.cardHeader("1.5")
	e.key("body")
	e.open('[')
	start := e.mark()
	if t.isArray(blocks) && len(t.items(blocks)) > 0 {
		s.slackBlocks(blocks)
	} else {
		s.textBlock(s.mrkdwn(text, format), "")
	}
	blockText := s.first
	color := ""
	for i, a := range t.items(t.get(root, "attachments")) {
		if i == maxSlackAttachments {
			break
		}
		if c := s.slackAttachment(a); color == "" {
			color = c
		}
	}
	empty := e.mark() == start
	e.close(']')
	if empty {
		return nil, false
	}
	s.slackHerald(root, color)
	e.close('}')

	summary := ""
	switch {
	case !isBlank(text):
		summary = s.mrkdwn(text, format)
	case blockText != "":
		summary = blockText
	default:
		for _, a := range t.items(t.get(root, "attachments")) {
			if v := t.str(a, "fallback"); !isBlank(v) {
				summary = s.mrkdwn(v, true)
				break
			}
		}
		if summary == "" {
			summary = s.first
		}
	}
	return s.finish(FormatSlack, summary), true
}

// slackHerald writes the herald member: the first attachment's colour as the
// card's theme colour, and the sender overrides (username, icon) that Slack
// shows instead of the webhook's own name and icon.
func (s *state) slackHerald(root int32, color string) {
	t := &s.t
	e := &s.e
	name := strings.TrimSpace(t.str(root, "username"))
	icon, hasIcon := safeURL(t.str(root, "icon_url"), false)
	emoji := strings.TrimSpace(t.str(root, "icon_emoji"))
	if color == "" && name == "" && !hasIcon && emoji == "" {
		return
	}
	e.key("herald")
	e.open('{')
	if color != "" {
		e.kv("themeColor", color)
	}
	if name != "" || hasIcon || emoji != "" {
		e.key("sender")
		e.open('{')
		if name != "" {
			e.kv("name", name)
		}
		if hasIcon {
			e.kv("iconUrl", icon)
		}
		if emoji != "" {
			e.kv("iconEmoji", emoji)
		}
		e.close('}')
	}
	e.close('}')
}

// slackColor maps an attachment colour to "#RRGGBB" and a Container style.
func slackColor(c string) (hex, style string) {
	c = strings.ToLower(strings.TrimSpace(c))
	switch c {
	case "good":
		return slackColors[c], "good"
	case "warning":
		return slackColors[c], "warning"
	case "danger":
		return slackColors[c], "attention"
	}
	if b, ok := themeColor(c); ok {
		return string(b[:]), ""
	}
	return "", ""
}

// slackText converts a Block Kit text object ({type: mrkdwn|plain_text,
// text}); a bare string is read as mrkdwn.
func (s *state) slackText(obj int32) string {
	t := &s.t
	if t.kindOf(obj) == kString {
		return s.mrkdwn(t.text(obj), true)
	}
	text := t.str(obj, "text")
	if equalFold(strings.TrimSpace(t.str(obj, "type")), "plain_text") {
		return string(escapeMarkdown(nil, text))
	}
	return s.mrkdwn(text, true)
}

// block writes one element through fn and, after a divider block, marks it
// with a separator.
func (s *state) block(fn func()) {
	e := &s.e
	m := e.mark()
	fn()
	if s.divider && e.mark() > m {
		if i := strings.IndexByte(string(e.b[m:]), '{'); i >= 0 {
			at := m + i + 1
			ins := `"separator":true,`
			e.b = append(e.b, ins...)
			copy(e.b[at+len(ins):], e.b[at:len(e.b)-len(ins)])
			copy(e.b[at:], ins)
		}
		s.divider = false
	}
}

// slackBlocks writes Block Kit blocks; unknown and interactive-only blocks
// (input, file, call) are skipped, as are non-object entries.
func (s *state) slackBlocks(blocks int32) {
	t := &s.t
	s.divider = false
	for i, b := range t.items(blocks) {
		if i == maxSlackBlocks {
			break
		}
		if !t.isObject(b) {
			continue
		}
		switch typ := strings.ToLower(strings.TrimSpace(t.str(b, "type"))); typ {
		case "section":
			s.block(func() { s.slackSection(b) })
		case "header":
			s.block(func() {
				s.note(s.textBlock(s.slackText(t.get(b, "text")), `,"size":"Large","weight":"Bolder"`))
			})
		case "markdown":
			// Slack's markdown block carries standard Markdown.
			s.block(func() { s.note(s.textBlock(s.markdown(t.str(b, "text"), true), "")) })
		case "context":
			s.block(func() { s.slackContext(b) })
		case "divider":
			s.divider = true
		case "image":
			s.block(func() { s.slackImage(b) })
		case "actions":
			s.block(func() { s.slackActions(t.get(b, "elements")) })
		case "rich_text":
			s.block(func() { s.note(s.textBlock(s.richText(b), "")) })
		case "video":
			s.block(func() { s.slackVideo(b) })
		}
	}
}

// note remembers the first text shown, for the summary.
func (s *state) note(wrote bool) {
	if wrote && s.first == "" {
		s.first = s.lastText
	}
}

// container opens a Container; the returned function closes it, or removes
// it when nothing was written inside.
func (s *state) container(extra string) func() bool {
	e := &s.e
	m := e.mark()
	e.open('{')
	e.b = append(e.b, `"type":"Container"`...)
	e.b = append(e.b, extra...)
	e.b = append(e.b, `,"items":[`...)
	start := e.mark()
	return func() bool {
		if e.mark() == start {
			e.reset(m)
			return false
		}
		e.close(']')
		e.close('}')
		return true
	}
}

func (s *state) slackSection(b int32) {
	t := &s.t
	e := &s.e
	done := s.container("")
	text := s.slackText(t.get(b, "text"))
	acc := t.get(b, "accessory")
	accType := strings.ToLower(t.str(acc, "type"))
	img, hasImg := "", false
	if accType == "image" {
		img, hasImg = safeURL(t.str(acc, "image_url"), false)
	}
	if hasImg && !isBlank(text) {
		e.open('{')
		e.b = append(e.b, `"type":"ColumnSet","columns":[{"type":"Column","width":"stretch","items":[`...)
		s.note(s.textBlock(text, ""))
		e.b = append(e.b, `]},{"type":"Column","width":"auto","items":[`...)
		s.image(img, t.str(acc, "alt_text"), `,"size":"Medium"`)
		e.b = append(e.b, "]}]}"...)
	} else {
		s.note(s.textBlock(text, ""))
		if hasImg {
			s.image(img, t.str(acc, "alt_text"), `,"size":"Medium"`)
		}
	}
	// Fields are laid out in two columns, as Slack does.
	fields := t.items(t.get(b, "fields"))
	for i := 0; i < len(fields) && i < maxSlackFields; i += 2 {
		e.open('{')
		e.b = append(e.b, `"type":"ColumnSet","columns":[`...)
		for j := i; j < i+2; j++ {
			e.open('{')
			e.b = append(e.b, `"type":"Column","width":"stretch","items":[`...)
			if j < len(fields) {
				s.note(s.textBlock(s.slackText(fields[j]), ""))
			}
			e.b = append(e.b, "]}"...)
		}
		e.b = append(e.b, "]}"...)
	}
	if accType == "button" {
		s.slackActions(acc)
	}
	done()
}

// image writes an Image element for a safe URL.
func (s *state) image(u, alt, extra string) {
	e := &s.e
	e.open('{')
	e.kv("type", "Image")
	e.kv("url", u)
	if alt = plain(alt); alt != "" {
		e.kv("altText", alt)
	}
	e.b = append(e.b, extra...)
	e.close('}')
}

func (s *state) slackContext(b int32) {
	t := &s.t
	e := &s.e
	var texts []string
	hasImage := false
	for i, el := range t.items(t.get(b, "elements")) {
		if i == 10 {
			break
		}
		if equalFold(t.str(el, "type"), "image") {
			hasImage = true
			continue
		}
		if x := s.slackText(el); !isBlank(x) {
			texts = append(texts, x)
		}
	}
	text := strings.Join(texts, "\n\n")
	if !hasImage {
		s.note(s.textBlock(text, `,"size":"Small","isSubtle":true`))
		return
	}
	m := e.mark()
	e.open('{')
	e.b = append(e.b, `"type":"ColumnSet","columns":[`...)
	start := e.mark()
	for i, el := range t.items(t.get(b, "elements")) {
		if i == 10 {
			break
		}
		if !equalFold(t.str(el, "type"), "image") {
			continue
		}
		if u, ok := safeURL(t.str(el, "image_url"), false); ok {
			e.open('{')
			e.b = append(e.b, `"type":"Column","width":"auto","items":[`...)
			s.image(u, t.str(el, "alt_text"), `,"size":"Small"`)
			e.b = append(e.b, "]}"...)
		}
	}
	if !isBlank(text) {
		e.open('{')
		e.b = append(e.b, `"type":"Column","width":"stretch","verticalContentAlignment":"Center","items":[`...)
		s.note(s.textBlock(text, `,"size":"Small","isSubtle":true`))
		e.b = append(e.b, "]}"...)
	}
	if e.mark() == start {
		e.reset(m)
		return
	}
	e.b = append(e.b, "]}"...)
}

func (s *state) slackImage(b int32) {
	t := &s.t
	u, ok := safeURL(t.str(b, "image_url"), false)
	title := s.slackText(t.get(b, "title"))
	done := s.container("")
	s.note(s.textBlock(title, `,"weight":"Bolder"`))
	if ok {
		s.image(u, t.str(b, "alt_text"), "")
	}
	done()
}

func (s *state) slackVideo(b int32) {
	t := &s.t
	title := s.slackText(t.get(b, "title"))
	link, hasLink := safeURL(t.str(b, "title_url"), true)
	if !hasLink {
		link, hasLink = safeURL(t.str(b, "video_url"), true)
	}
	if hasLink && !isBlank(title) {
		title = "[" + title + "](" + linkDest(link) + ")"
	}
	done := s.container("")
	s.note(s.textBlock(title, `,"weight":"Bolder"`))
	s.textBlock(s.slackText(t.get(b, "description")), "")
	if u, ok := safeURL(t.str(b, "thumbnail_url"), false); ok {
		extra := ""
		if hasLink {
			extra = `,"selectAction":{"type":"Action.OpenUrl","url":` + string(appendQuoted(nil, link)) + `}`
		}
		s.image(u, t.str(b, "alt_text"), extra)
	}
	done()
}

// slackActions writes buttons that open a URL as an ActionSet. Buttons that
// would call a Slack app back (no url) cannot work here and are dropped.
func (s *state) slackActions(elements int32) {
	t := &s.t
	e := &s.e
	m := e.mark()
	e.open('{')
	e.b = append(e.b, `"type":"ActionSet","actions":[`...)
	n := 0
	for _, el := range t.items(elements) {
		if n == maxSlackActions {
			break
		}
		if !equalFold(t.str(el, "type"), "button") {
			continue
		}
		u, ok := safeURL(t.str(el, "url"), true)
		if !ok {
			continue
		}
		title := plain(s.slackText(t.get(el, "text")))
		if title == "" {
			title = plain(t.str(el, "name"))
		}
		s.openURL(title, u)
		n++
	}
	if n == 0 {
		e.reset(m)
		return
	}
	e.b = append(e.b, "]}"...)
}

// slackAttachment writes a legacy attachment: pretext above a Container
// holding author, title, text, fields, images, blocks, buttons and footer.
// It returns the attachment colour as "#RRGGBB" ("" if none).
func (s *state) slackAttachment(a int32) string {
	t := &s.t
	e := &s.e
	if !t.isObject(a) {
		return ""
	}
	hex, style := slackColor(t.str(a, "color"))
	s.note(s.textBlock(s.mrkdwn(t.str(a, "pretext"), true), ""))
	extra := ""
	if style != "" {
		extra = `,"style":"` + style + `"`
	}
	done := s.container(extra)

	author := s.mrkdwn(t.str(a, "author_name"), true)
	if u, ok := safeURL(t.str(a, "author_link"), true); ok && !isBlank(author) {
		author = "[" + author + "](" + linkDest(u) + ")"
	}
	if icon, ok := safeURL(t.str(a, "author_icon"), false); ok && !isBlank(author) {
		e.open('{')
		e.b = append(e.b, `"type":"ColumnSet","columns":[{"type":"Column","width":"auto","items":[`...)
		s.image(icon, "", `,"size":"Small","style":"Person"`)
		e.b = append(e.b, `]},{"type":"Column","width":"stretch","verticalContentAlignment":"Center","items":[`...)
		s.textBlock(author, `,"weight":"Bolder","size":"Small"`)
		e.b = append(e.b, "]}]}"...)
	} else {
		s.textBlock(author, `,"weight":"Bolder","size":"Small"`)
	}

	title := s.mrkdwn(t.str(a, "title"), true)
	if u, ok := safeURL(t.str(a, "title_link"), true); ok && !isBlank(title) {
		title = "[" + title + "](" + linkDest(u) + ")"
	}
	s.note(s.textBlock(title, `,"size":"Medium","weight":"Bolder"`))
	s.note(s.textBlock(s.mrkdwn(t.str(a, "text"), true), ""))
	s.slackFields(t.get(a, "fields"))
	if u, ok := safeURL(t.str(a, "image_url"), false); ok {
		s.image(u, "", "")
	}
	if u, ok := safeURL(t.str(a, "thumb_url"), false); ok {
		s.image(u, "", `,"size":"Small"`)
	}
	if blocks := t.get(a, "blocks"); t.isArray(blocks) {
		s.slackBlocks(blocks)
	}
	s.slackActions(t.get(a, "actions"))

	footer := s.mrkdwn(t.str(a, "footer"), true)
	if ts, ok := slackTime(t, t.get(a, "ts")); ok {
		if isBlank(footer) {
			footer = ts
		} else {
			footer += " · " + ts
		}
	}
	s.textBlock(footer, `,"size":"Small","isSubtle":true`)
	done()
	return hex
}

// slackFields writes attachment fields as a FactSet.
func (s *state) slackFields(list int32) {
	t := &s.t
	e := &s.e
	m := e.mark()
	e.open('{')
	e.b = append(e.b, `"type":"FactSet","facts":[`...)
	n := 0
	for i, f := range t.items(list) {
		if i == maxSlackFields {
			break
		}
		title := s.mrkdwn(t.str(f, "title"), true)
		value := s.mrkdwn(t.str(f, "value"), true)
		if isBlank(title) && isBlank(value) {
			continue
		}
		e.open('{')
		e.kv("title", title)
		e.kv("value", value)
		e.close('}')
		n++
	}
	if n == 0 {
		e.reset(m)
		return
	}
	e.b = append(e.b, "]}"...)
}

// slackTime formats an attachment ts (Unix seconds, number or string) as
// "2006-01-02 15:04 UTC"; all readers of the card see the same text.
func slackTime(t *tree, v int32) (string, bool) {
	raw := strings.TrimSpace(t.text(v))
	if raw == "" {
		return "", false
	}
	f, err := strconv.ParseFloat(raw, 64)
	if err != nil || f < 0 || f > 253402300799 {
		return "", false
	}
	return time.Unix(int64(f), 0).UTC().Format("2006-01-02 15:04 UTC"), true
}

// --- Slack mrkdwn ----------------------------------------------------------

// mrkdwn converts Slack mrkdwn to Markdown: <url|label> links, <@U1|name>
// mentions, <!here> and friends, *bold*, _italic_, ~strike~ and the &amp;
// &lt; &gt; escapes. With format false (mrkdwn:false) emphasis is left as
// literal text. Code spans and blocks are copied unchanged.
func (s *state) mrkdwn(text string, format bool) string {
	if text == "" {
		return ""
	}
	if !strings.ContainsAny(text, "<&*_~") {
		if !format {
			return string(escapeMarkdown(nil, text))
		}
		return sanitizeLinks(text)
	}
	b := make([]byte, 0, len(text)+16)
	gt := -1 // index of the next '>' at or after i, cached to stay linear
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case '`':
			// Copy code spans and ``` blocks verbatim.
			n := 1
			for i+n < len(text) && text[i+n] == '`' {
				n++
			}
			fence := text[i : i+n]
			if end := strings.Index(text[i+n:], fence); end >= 0 {
				// Markdown shows code literally; nothing to convert or escape.
				b = append(b, text[i:i+n+end+n]...)
				i += n + end + n - 1
			} else {
				b = append(b, fence...)
				i += n - 1
			}
		case '<':
			if gt < i && gt != len(text) {
				if k := strings.IndexByte(text[i:], '>'); k >= 0 {
					gt = i + k
				} else {
					gt = len(text)
				}
			}
			lt := strings.IndexByte(text[i+1:min(gt, len(text))], '<')
			if gt == len(text) || lt >= 0 {
				b = append(b, '<') // a literal; escaped below if tag-like
				continue
			}
			b = s.slackAngle(b, text[i+1:gt])
			i = gt
		case '&':
			switch {
			case strings.HasPrefix(text[i:], "&amp;"):
				b = append(b, '&')
				i += 4
			case strings.HasPrefix(text[i:], "&gt;"):
				b = append(b, '>')
				i += 3
			case strings.HasPrefix(text[i:], "&lt;"):
				b = append(b, '<') // escaped below if it now starts a tag
				i += 3
			default:
				b = append(b, c)
			}
		case '*', '_', '~':
			if !format {
				b = append(b, '\\', c)
				continue
			}
			if end, ok := slackEmphasis(text, i); ok {
				marker := string(c)
				switch c {
				case '*':
					marker = "**"
				case '~':
					marker = "~~"
				}
				b = append(b, marker...)
				// The span cannot hold its own marker, but may hold links
				// and the other emphasis kinds.
				b = append(b, s.mrkdwn(text[i+1:end], true)...)
				b = append(b, marker...)
				i = end
			} else {
				b = append(b, c)
			}
		default:
			if !format && (c == '[' || c == ']' || c == '\\') {
				b = append(b, '\\')
			}
			b = append(b, c)
		}
	}
	return sanitizeLinks(escapeTagsOutsideCode(string(b)))
}

// escapeTagsOutsideCode replaces '<' that would start an HTML tag or an
// autolink with "&lt;", except inside code spans and blocks, which Markdown
// shows literally (and where "&lt;" would show as such).
func escapeTagsOutsideCode(s string) string {
	if strings.IndexByte(s, '<') < 0 {
		return s
	}
	var b []byte
	last := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '`':
			n := 1
			for i+n < len(s) && s[i+n] == '`' {
				n++
			}
			if end := strings.Index(s[i+n:], s[i:i+n]); end >= 0 {
				i += n + end + n - 1
			} else {
				i += n - 1
			}
		case '<':
			if tagAt(s, i) || autolinkEnd(s, i) {
				b = append(b, s[last:i]...)
				b = append(b, "&lt;"...)
				last = i + 1
			}
		}
	}
	if b == nil {
		return s
	}
	return string(append(b, s[last:]...))
}

// slackEmphasis reports whether the marker at text[i] opens a Slack emphasis
// span and returns the index of its closing marker. As in Slack, the marker
// must start a word, the span stays on one line, does not contain the marker,
// does not start or end with a space, and the closer ends a word: "*foo*a*bar*"
// stays as it is.
func slackEmphasis(text string, i int) (int, bool) {
	c := text[i]
	if i > 0 && (isAlnum(text[i-1]) || text[i-1] == c) {
		return 0, false
	}
	if i+1 >= len(text) || text[i+1] == ' ' || text[i+1] == '\n' || text[i+1] == c {
		return 0, false
	}
	for j := i + 1; j < len(text); j++ {
		switch text[j] {
		case '\n':
			return 0, false
		case c:
			if text[j-1] == ' ' {
				return 0, false
			}
			if j+1 < len(text) && (isAlnum(text[j+1]) || text[j+1] == c) {
				return 0, false
			}
			return j, true
		}
	}
	return 0, false
}

// slackAngle converts the inside of a Slack <...> construct.
func (s *state) slackAngle(b []byte, in string) []byte {
	target, label, hasLabel := strings.Cut(in, "|")
	switch {
	case strings.HasPrefix(target, "!"):
		cmd := target[1:]
		switch {
		case hasLabel:
			return append(b, escapeMarkdown(nil, label)...)
		case cmd == "here" || cmd == "channel" || cmd == "everyone":
			return append(b, "@"+cmd...)
		case strings.HasPrefix(cmd, "subteam^"):
			return append(b, "@"+strings.TrimPrefix(cmd, "subteam^")...)
		case strings.HasPrefix(cmd, "date^"):
			parts := strings.Split(cmd, "^")
			if len(parts) > 1 {
				if ts, ok := unixText(parts[1]); ok {
					return append(b, ts...)
				}
			}
		}
		return b
	case strings.HasPrefix(target, "@"):
		if hasLabel {
			return append(b, "@"+strings.TrimPrefix(label, "@")...)
		}
		return append(b, target...)
	case strings.HasPrefix(target, "#"):
		if hasLabel {
			return append(b, "#"+strings.TrimPrefix(label, "#")...)
		}
		return append(b, target...)
	}
	u, ok := safeURL(target, true)
	if !hasLabel {
		label = target
		if ok && hasPrefixFold(target, "mailto:") {
			label = target[len("mailto:"):]
		}
	}
	label = s.mrkdwn(label, true)
	if !ok {
		return append(b, label...)
	}
	b = append(b, '[')
	b = append(b, label...)
	b = append(b, "]("...)
	b = append(b, linkDest(u)...)
	return append(b, ')')
}

func unixText(raw string) (string, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	if err != nil || n < 0 || n > 253402300799 {
		return "", false
	}
	return time.Unix(n, 0).UTC().Format("2006-01-02 15:04 UTC"), true
}

// --- rich_text ---------------------------------------------------------------

// richText converts a rich_text block to Markdown, best effort: sections,
// lists (bullet and ordered, indented), preformatted blocks and quotes, with
// styled text, links, mentions, emoji, dates and colours inside.
func (s *state) richText(b int32) string {
	t := &s.t
	var out []byte
	count := 0
	for _, el := range t.items(t.get(b, "elements")) {
		if count > maxRichElements {
			break
		}
		typ := strings.ToLower(t.str(el, "type"))
		switch typ {
		case "rich_text_section":
			out = s.richInline(out, t.get(el, "elements"), &count)
			out = append(out, "\n\n"...)
		case "rich_text_list":
			indent, _ := t.integer(t.get(el, "indent"))
			indent = min(max(indent, 0), 8)
			ordered := equalFold(t.str(el, "style"), "ordered")
			for n, item := range t.items(t.get(el, "elements")) {
				for k := int64(0); k < indent; k++ {
					out = append(out, "   "...)
				}
				if ordered {
					out = strconv.AppendInt(out, int64(n+1), 10)
					out = append(out, ". "...)
				} else {
					out = append(out, "- "...)
				}
				out = s.richInline(out, t.get(item, "elements"), &count)
				out = append(out, '\n')
			}
			out = append(out, '\n')
		case "rich_text_preformatted":
			var code []byte
			for _, x := range t.items(t.get(el, "elements")) {
				count++
				code = append(code, t.str(x, "text")...)
				if equalFold(t.str(x, "type"), "link") && t.str(x, "text") == "" {
					code = append(code, t.str(x, "url")...)
				}
			}
			out = appendFence(out, string(code))
		case "rich_text_quote":
			out = append(out, "> "...)
			inner := s.richInline(nil, t.get(el, "elements"), &count)
			out = append(out, strings.ReplaceAll(string(inner), "\n", "\n> ")...)
			out = append(out, "\n\n"...)
		}
	}
	return sanitizeLinks(strings.TrimSpace(string(out)))
}

// richInline appends the inline elements of a rich_text section.
func (s *state) richInline(out []byte, list int32, count *int) []byte {
	t := &s.t
	for _, x := range t.items(list) {
		*count++
		if *count > maxRichElements {
			break
		}
		var piece string
		switch strings.ToLower(t.str(x, "type")) {
		case "text":
			piece = string(escapeMarkdown(nil, t.str(x, "text")))
		case "link":
			u, ok := safeURL(t.str(x, "url"), true)
			label := t.str(x, "text")
			if label == "" {
				label = t.str(x, "url")
			}
			piece = string(escapeMarkdown(nil, label))
			if ok {
				piece = "[" + piece + "](" + linkDest(u) + ")"
			}
		case "user":
			piece = "@" + t.str(x, "user_id")
		case "usergroup":
			piece = "@" + t.str(x, "usergroup_id")
		case "channel":
			piece = "#" + t.str(x, "channel_id")
		case "broadcast":
			piece = "@" + t.str(x, "range")
		case "emoji":
			if u := t.str(x, "unicode"); u != "" {
				piece = unicodeEmoji(u)
			}
			if piece == "" {
				piece = ":" + t.str(x, "name") + ":"
			}
		case "date":
			if ts, ok := unixText(t.str(x, "timestamp")); ok {
				piece = ts
			} else {
				piece = string(escapeMarkdown(nil, t.str(x, "fallback")))
			}
		case "color":
			piece = t.str(x, "value")
		default:
			piece = string(escapeMarkdown(nil, t.str(x, "text")))
		}
		if piece == "" {
			continue
		}
		st := t.get(x, "style")
		var marks string
		if v, _ := t.boolean(t.get(st, "code")); v {
			piece = "`" + strings.ReplaceAll(t.str(x, "text"), "`", "'") + "`"
		} else {
			if v, _ := t.boolean(t.get(st, "bold")); v {
				marks += "**"
			}
			if v, _ := t.boolean(t.get(st, "italic")); v {
				marks += "_"
			}
			if v, _ := t.boolean(t.get(st, "strike")); v {
				marks += "~~"
			}
		}
		if marks != "" && !isBlank(piece) {
			lead := len(piece) - len(strings.TrimLeft(piece, " "))
			trail := len(piece) - len(strings.TrimRight(piece, " "))
			core := piece[lead : len(piece)-trail]
			piece = piece[:lead] + marks + core + reverse(marks) + piece[len(piece)-trail:]
		}
		out = append(out, piece...)
	}
	return out
}

func reverse(marks string) string {
	b := []byte(marks)
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	// "**_~~" reversed byte-wise is "~~_**", which is what closing needs.
	return string(b)
}

// unicodeEmoji turns Slack's "1f3c0" or "1f3c2-200d-2642" into the characters.
func unicodeEmoji(hex string) string {
	var b strings.Builder
	for _, part := range strings.Split(hex, "-") {
		n, err := strconv.ParseUint(part, 16, 32)
		if err != nil || n == 0 || n > 0x10FFFF || (n >= 0xD800 && n <= 0xDFFF) {
			return ""
		}
		b.WriteRune(rune(n))
	}
	return b.String()
}

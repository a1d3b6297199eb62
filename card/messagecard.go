package card

import (
	"strconv"
	"strings"
)

// Limits Teams applies when it shows a connector card; anything past them is
// not shown in Teams, so it is not kept here either.
const (
	maxSections       = 10
	maxSectionImages  = 5
	maxSectionActions = 5
	maxCardActions    = 4
	maxFacts          = 50 // not a Teams limit: a bound on work for absurd payloads
	maxInputs         = 20
	maxChoices        = 100
)

// messageCard converts an Office 365 connector card (MessageCard) at root.
func (s *state) messageCard(root int32) (*Message, error) {
	t := &s.t
	summary := t.str(root, "summary")
	text := t.str(root, "text")
	if isBlank(summary) && isBlank(text) {
		return nil, badRequest(textSummaryRequired)
	}
	md := true
	if v, ok := t.boolean(t.get(root, "markdown")); ok {
		md = v
	}
	title := t.str(root, "title")

	s.cardHeader("1.5")
	e := &s.e
	e.key("body")
	e.open('[')
	bodyStart := e.mark()
	s.textBlock(s.markdown(title, md), `,"size":"Large","weight":"Bolder"`)
	s.textBlock(s.markdown(text, md), "")
	sections := t.items(t.get(root, "sections"))
	for i, n := 0, 0; i < len(sections) && n < maxSections; i++ {
		if s.section(sections[i], md) {
			n++
		}
	}
	if e.mark() == bodyStart {
		// A card of only a summary still shows something, as Teams does.
		s.textBlock(s.markdown(summary, md), "")
	}
	e.close(']')
	s.actions(t.get(root, "potentialaction"), maxCardActions, "actions")
	if c, ok := themeColor(t.str(root, "themecolor")); ok {
		e.key("herald")
		e.open('{')
		e.key("themeColor")
		e.b = append(e.b, '"')
		e.b = append(e.b, c[:]...) // hex digits: nothing to escape
		e.b = append(e.b, '"')
		e.close('}')
	}
	e.close('}')

	switch {
	case !isBlank(summary):
	case !isBlank(title):
		summary = title
	default:
		summary = text
	}
	return s.finish(FormatMessageCard, summary), nil
}

// themeColor normalizes a MessageCard themeColor ("0076D7", "#0076d7",
// "#07D") to "#RRGGBB"; anything else is ignored, as Teams ignores it.
//
// It returns an array, not a string, so the hot path does not allocate.
func themeColor(c string) (b [7]byte, ok bool) {
	c = strings.TrimPrefix(strings.TrimSpace(c), "#")
	var six [6]byte
	switch len(c) {
	case 3:
		six = [6]byte{c[0], c[0], c[1], c[1], c[2], c[2]}
	case 6:
		copy(six[:], c)
	default:
		return b, false
	}
	b[0] = '#'
	for i, x := range six {
		switch {
		case isDigit(x), 'A' <= x && x <= 'F':
		case 'a' <= x && x <= 'f':
			x -= 'a' - 'A'
		default:
			return b, false
		}
		b[i+1] = x
	}
	return b, true
}

// section writes one MessageCard section as a Container; it reports whether
// the section had anything to show.
func (s *state) section(sec int32, md bool) bool {
	t := &s.t
	if !t.isObject(sec) {
		return false
	}
	if v, ok := t.boolean(t.get(sec, "markdown")); ok {
		md = v
	}
	e := &s.e
	m := e.mark()
	e.open('{')
	e.b = append(e.b, `"type":"Container","spacing":"Medium","items":[`...)
	itemsStart := e.mark()

	s.textBlock(s.markdown(t.str(sec, "title"), md), `,"size":"Medium","weight":"Bolder"`)
	s.activity(sec, md)
	s.textBlock(s.markdown(t.str(sec, "text"), md), "")
	s.facts(t.get(sec, "facts"), md)
	s.images(t.get(sec, "images"))
	// heroImage and startGroup are ignored, as Teams ignores them.
	am := e.mark()
	e.open('{')
	e.b = append(e.b, `"type":"ActionSet"`...)
	if s.actions(t.get(sec, "potentialaction"), maxSectionActions, "actions") == 0 {
		e.reset(am)
	} else {
		e.close('}')
	}

	if e.mark() == itemsStart {
		e.reset(m)
		return false
	}
	e.close(']')
	e.close('}')
	return true
}

// activity writes the section's activity block: image beside title, subtitle
// and text, as Teams lays it out.
func (s *state) activity(sec int32, md bool) {
	t := &s.t
	e := &s.e
	title := s.markdown(t.str(sec, "activitytitle"), md)
	subtitle := s.markdown(t.str(sec, "activitysubtitle"), md)
	text := s.markdown(t.str(sec, "activitytext"), md)
	img, hasImg := safeURL(t.str(sec, "activityimage"), false)
	if !hasImg {
		s.textBlock(title, `,"weight":"Bolder"`)
		s.textBlock(subtitle, `,"isSubtle":true,"spacing":"None"`)
		s.textBlock(text, `,"spacing":"Small"`)
		return
	}
	e.open('{')
	e.b = append(e.b, `"type":"ColumnSet","columns":[{"type":"Column","width":"auto","items":[{"type":"Image","url":`...)
	e.b = appendQuoted(e.b, img)
	e.b = append(e.b, `,"size":"Small"`...)
	// Teams crops activity images to a circle unless activityImageType is "article".
	if !equalFold(strings.TrimSpace(t.str(sec, "activityimagetype")), "article") {
		e.b = append(e.b, `,"style":"Person"`...)
	}
	e.b = append(e.b, `}]},{"type":"Column","width":"stretch","verticalContentAlignment":"Center","items":[`...)
	s.textBlock(title, `,"weight":"Bolder"`)
	s.textBlock(subtitle, `,"isSubtle":true,"spacing":"None"`)
	s.textBlock(text, `,"spacing":"Small"`)
	e.b = append(e.b, "]}]}"...)
}

// facts writes a FactSet. Facts come as {name,value} (the spec) or {key,value}
// (shoutrrr) or {title,value}; values may be numbers or booleans.
func (s *state) facts(list int32, md bool) {
	t := &s.t
	e := &s.e
	m := e.mark()
	e.open('{')
	e.b = append(e.b, `"type":"FactSet","facts":[`...)
	start := e.mark()
	for i, f := range t.items(list) {
		if i == maxFacts {
			break
		}
		name := t.str(f, "name")
		if name == "" {
			name = t.str(f, "key")
		}
		if name == "" {
			name = t.str(f, "title")
		}
		value := t.str(f, "value")
		if isBlank(name) && isBlank(value) {
			continue
		}
		e.open('{')
		e.kv("title", s.markdown(name, md))
		e.kv("value", s.markdown(value, md))
		e.close('}')
	}
	if e.mark() == start {
		e.reset(m)
		return
	}
	e.close(']')
	e.close('}')
}

// images writes a section's images (at most 5) as an ImageSet. An image is
// {image,title} or, leniently, a bare URL string.
func (s *state) images(list int32) {
	t := &s.t
	e := &s.e
	m := e.mark()
	e.open('{')
	e.b = append(e.b, `"type":"ImageSet","imageSize":"Medium","images":[`...)
	n := 0
	for _, im := range t.items(list) {
		if n == maxSectionImages {
			break
		}
		raw := t.text(im)
		if t.isObject(im) {
			raw = t.str(im, "image")
		}
		u, ok := safeURL(raw, false)
		if !ok {
			continue
		}
		e.open('{')
		e.kv("type", "Image")
		e.kv("url", u)
		if alt := plain(t.str(im, "title")); alt != "" {
			e.kv("altText", alt)
		}
		e.close('}')
		n++
	}
	if n == 0 {
		e.reset(m)
		return
	}
	e.close(']')
	e.close('}')
}

// actions writes member key with up to limit converted potentialAction entries
// and returns how many were written (the member is omitted when none).
func (s *state) actions(list int32, limit int, key string) int {
	t := &s.t
	e := &s.e
	items := t.items(list)
	if len(items) == 0 {
		return 0
	}
	m := e.mark()
	e.key(key)
	e.open('[')
	n := 0
	for _, a := range items {
		if n == limit {
			break
		}
		if s.action(a, true) {
			n++
		}
	}
	if n == 0 {
		e.reset(m)
		return 0
	}
	e.close(']')
	return n
}

// actionType reads "@type" (the spec), or "type" as some senders write it.
func (s *state) actionType(a int32) string {
	if v := s.t.get(a, "@type"); v != none {
		return strings.TrimSpace(s.t.text(v))
	}
	return strings.TrimSpace(s.t.str(a, "type"))
}

// action writes one converted MessageCard action, or nothing for actions that
// cannot work here (unknown types, InvokeAddInCommand, unsafe URLs).
func (s *state) action(a int32, allowCard bool) bool {
	t := &s.t
	e := &s.e
	if !t.isObject(a) {
		return false
	}
	name := plain(t.str(a, "name"))
	typ := s.actionType(a)
	switch {
	case equalFold(typ, "openuri"):
		u, ok := s.openURITarget(t.get(a, "targets"))
		if !ok {
			return false
		}
		s.openURL(name, u)
		return true
	case equalFold(typ, "viewaction"):
		target := t.get(a, "target")
		for _, x := range t.items(target) {
			if u, ok := safeURL(t.text(x), true); ok {
				s.openURL(name, u)
				return true
			}
		}
		if u, ok := safeURL(t.text(target), true); ok {
			s.openURL(name, u)
			return true
		}
		return false
	case equalFold(typ, "httppost"):
		u, ok := safeURL(t.str(a, "target"), false)
		if !ok {
			return false
		}
		if name == "" {
			name = "Send"
		}
		e.open('{')
		e.kv("type", "Action.Http")
		e.kv("title", name)
		e.kv("method", "POST")
		e.kv("url", u)
		if body := t.get(a, "body"); body != none {
			e.kv("body", t.text(body))
		}
		s.httpHeaders(t.get(a, "headers"), strings.TrimSpace(t.str(a, "bodycontenttype")))
		e.close('}')
		return true
	case equalFold(typ, "actioncard") && allowCard:
		return s.actionCard(a, name)
	}
	// InvokeAddInCommand is Outlook only; unknown types are dropped too.
	return false
}

// openURITarget picks the OpenUri target for os "default", else the first
// usable http(s) URI.
func (s *state) openURITarget(targets int32) (string, bool) {
	t := &s.t
	var first string
	for _, x := range t.items(targets) {
		raw := t.text(x) // leniency: a bare URL string
		if t.isObject(x) {
			raw = t.str(x, "uri")
		}
		u, ok := safeURL(raw, true)
		if !ok {
			continue
		}
		if equalFold(strings.TrimSpace(t.str(x, "os")), "default") {
			return u, true
		}
		if first == "" {
			first = u
		}
	}
	if first == "" {
		return safeURL(t.text(targets), true)
	}
	return first, true
}

func (s *state) openURL(title, u string) {
	if title == "" {
		title = "Open"
	}
	e := &s.e
	e.open('{')
	e.kv("type", "Action.OpenUrl")
	e.kv("title", title)
	e.kv("url", u)
	e.close('}')
}

// httpHeaders writes Action.Http headers from [{name,value}] (or, leniently,
// "Name: value" strings), adding Content-Type from bodyContentType when the
// sender did not set one: Action.Http has no separate field for it.
func (s *state) httpHeaders(list int32, contentType string) {
	t := &s.t
	e := &s.e
	m := e.mark()
	e.key("headers")
	e.open('[')
	hasCT := false
	n := 0
	for i, h := range t.items(list) {
		if i == 20 {
			break
		}
		var name, value string
		if t.isObject(h) {
			name, value = t.str(h, "name"), t.str(h, "value")
		} else if k, v, ok := strings.Cut(t.text(h), ":"); ok {
			name, value = k, v
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if name == "" || strings.ContainsAny(name, " \r\n:") || strings.ContainsAny(value, "\r\n") {
			continue
		}
		if equalFold(name, "content-type") {
			hasCT = true
		}
		e.open('{')
		e.kv("name", name)
		e.kv("value", value)
		e.close('}')
		n++
	}
	if !hasCT && contentType != "" && !strings.ContainsAny(contentType, "\r\n") {
		e.open('{')
		e.kv("name", "Content-Type")
		e.kv("value", contentType)
		e.close('}')
		n++
	}
	if n == 0 {
		e.reset(m)
		return
	}
	e.close(']')
}

// actionCard converts an ActionCard to Action.ShowCard with its inputs and
// its OpenUri/HttpPOST actions (nested ActionCards are not allowed).
func (s *state) actionCard(a int32, name string) bool {
	t := &s.t
	e := &s.e
	if name == "" {
		name = "More"
	}
	m := e.mark()
	e.open('{')
	e.kv("type", "Action.ShowCard")
	e.kv("title", name)
	e.key("card")
	e.open('{')
	e.kv("type", "AdaptiveCard")
	e.key("body")
	e.open('[')
	bodyStart := e.mark()
	for i, in := range t.items(t.get(a, "inputs")) {
		if i == maxInputs {
			break
		}
		s.input(in, i)
	}
	hasBody := e.mark() != bodyStart
	e.close(']')
	e.key("actions")
	e.open('[')
	n := 0
	for _, sub := range t.items(t.get(a, "actions")) {
		if n == maxSectionActions {
			break
		}
		if s.action(sub, false) {
			n++
		}
	}
	if n == 0 && !hasBody {
		e.reset(m)
		return false
	}
	e.close(']')
	e.close('}')
	e.close('}')
	return true
}

// input converts a MessageCard input to its Adaptive Card counterpart.
func (s *state) input(in int32, idx int) {
	t := &s.t
	e := &s.e
	if !t.isObject(in) {
		return
	}
	typ := s.actionType(in)
	var acType string
	switch {
	case equalFold(typ, "textinput"):
		acType = "Input.Text"
	case equalFold(typ, "dateinput"):
		acType = "Input.Date"
	case equalFold(typ, "multichoiceinput"):
		acType = "Input.ChoiceSet"
	default:
		return
	}
	id := strings.TrimSpace(t.str(in, "id"))
	if id == "" {
		id = "input" + strconv.Itoa(idx+1)
	}
	e.open('{')
	e.kv("type", acType)
	e.kv("id", id)
	if title := plain(t.str(in, "title")); title != "" {
		e.kv("label", title)
	}
	if v, ok := t.boolean(t.get(in, "isrequired")); ok && v {
		e.kb("isRequired", true)
	}
	if v := t.get(in, "value"); v != none && t.text(v) != "" {
		e.kv("value", t.text(v))
	}
	switch acType {
	case "Input.Text":
		if v, ok := t.boolean(t.get(in, "ismultiline")); ok && v {
			e.kb("isMultiline", true)
		}
		if n, ok := t.integer(t.get(in, "maxlength")); ok && n > 0 && n < 1<<31 {
			e.key("maxLength")
			e.b = strconv.AppendInt(e.b, n, 10)
		}
	case "Input.ChoiceSet":
		multi, _ := t.boolean(t.get(in, "ismultiselect"))
		if multi {
			e.kb("isMultiSelect", true)
		}
		// Teams: style "expanded" shows radio buttons/checkboxes; without a
		// style, multi-select inputs are expanded and single-select compact.
		style := strings.TrimSpace(t.str(in, "style"))
		if equalFold(style, "expanded") || (style == "" && multi) {
			e.kv("style", "expanded")
		} else {
			e.kv("style", "compact")
		}
		e.key("choices")
		e.open('[')
		for i, c := range t.items(t.get(in, "choices")) {
			if i == maxChoices {
				break
			}
			display, value := t.str(c, "display"), t.str(c, "value")
			if display == "" {
				display = t.str(c, "title")
			}
			if display == "" && value == "" {
				continue
			}
			if display == "" {
				display = value
			}
			e.open('{')
			e.kv("title", plain(display))
			e.kv("value", value)
			e.close('}')
		}
		e.close(']')
	}
	e.close('}')
}

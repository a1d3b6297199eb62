package card

import (
	"strconv"
	"strings"
)

const (
	contentTypeAdaptive  = "application/vnd.microsoft.card.adaptive"
	contentTypeConnector = "application/vnd.microsoft.teams.card.o365connector"
	// maxAttachments bounds how many adaptive attachments are combined.
	maxAttachments = 10
	// Teams renders Adaptive Cards up to this version (1.6 shows "this card
	// couldn't be displayed").
	maxMajor, maxMinor = 1, 5
)

// content returns an attachment's content object. Some senders JSON-encode
// the card into a string; that string is parsed once (never recursively).
func (s *state) content(att int32) int32 {
	t := &s.t
	c := t.get(att, "content")
	if t.kindOf(c) == kString && firstNonSpace(t.text(c)) == '{' {
		if sub, err := t.parseMore(t.text(c)); err == nil {
			return sub
		}
	}
	return c
}

// adaptive converts the Teams message envelope. One adaptive attachment is
// kept as sent (sanitized); several are combined into one card, each card's
// body and actions in its own Container, so nothing the sender sent is lost.
func (s *state) adaptive(root, atts int32) (*Message, error) {
	t := &s.t
	var cards [maxAttachments]int32
	var versions [maxAttachments]string
	n := 0
	best := "1.0"
	for _, a := range t.items(atts) {
		if n == maxAttachments {
			break
		}
		if !t.isObject(a) || !equalFold(strings.TrimSpace(t.str(a, "contenttype")), contentTypeAdaptive) {
			continue
		}
		c := s.content(a)
		if !t.isObject(c) {
			return nil, badRequest(`Attachment ` + strconv.Itoa(n+1) + ` has no Adaptive Card: "content" must be a JSON object such as {"type":"AdaptiveCard","version":"1.5","body":[...]}.`)
		}
		v, err := s.cardVersion(c)
		if err != nil {
			return nil, err
		}
		if b := t.get(c, "body"); b != none && t.kindOf(b) != kNull && !t.isArray(b) {
			return nil, badRequest(`Adaptive Card "body" must be an array of elements.`)
		}
		cards[n], versions[n] = c, v
		if versionLess(best, v) {
			best = v
		}
		n++
	}
	if n == 1 {
		s.singleCard(cards[0], versions[0])
	} else {
		s.combinedCards(cards[:n], best)
	}
	summary := t.str(root, "summary")
	if isBlank(summary) {
		for _, c := range cards[:n] {
			if summary = s.firstText(t.get(c, "body"), 0); summary != "" {
				break
			}
		}
	}
	return s.finish(FormatAdaptive, summary), nil
}

// cardVersion reads and checks an Adaptive Card version. A missing version is
// read as 1.5, the newest Teams renders (renderers default to their newest).
func (s *state) cardVersion(c int32) (string, error) {
	t := &s.t
	v := t.get(c, "version")
	if t.kindOf(v) == kNull {
		return "1.5", nil
	}
	raw := strings.TrimSpace(t.text(v))
	major, minor, ok := parseVersion(raw)
	if !ok {
		return "", badRequest(`Adaptive Card "version" must be a version such as "1.5"; got ` + strconv.Quote(clip(raw, 40)) + `.`)
	}
	if major > maxMajor || (major == maxMajor && minor > maxMinor) {
		return "", badRequest("Adaptive Card version " + clip(raw, 40) + " is not supported: Teams renders Adaptive Cards up to version 1.5. Set \"version\" to \"1.5\" or lower.")
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor), nil
}

// parseVersion reads "major.minor" (a patch part is ignored, "1" is 1.0).
func parseVersion(v string) (major, minor int, ok bool) {
	a, rest, _ := strings.Cut(v, ".")
	b, _, _ := strings.Cut(rest, ".")
	if b == "" {
		b = "0"
	}
	var err error
	if major, err = strconv.Atoi(a); err != nil || major < 1 || len(a) > 3 {
		return 0, 0, false
	}
	if minor, err = strconv.Atoi(b); err != nil || minor < 0 || len(b) > 3 {
		return 0, 0, false
	}
	return major, minor, true
}

func versionLess(a, b string) bool {
	am, an, _ := parseVersion(a)
	bm, bn, _ := parseVersion(b)
	return am < bm || (am == bm && an < bn)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// Card members the canonical form writes itself.
func ownMember(key string) bool {
	return equalFold(key, "type") || equalFold(key, "$schema") || equalFold(key, "version") ||
		equalFold(key, "body") || equalFold(key, "herald") || equalFold(key, "msteams")
}

// singleCard writes one sender card: the canonical header, its body, then its
// other members in the sender's order, msteams under its canonical name.
func (s *state) singleCard(c int32, version string) {
	t := &s.t
	e := &s.e
	s.cardHeader(version)
	e.key("body")
	s.passArray(t.get(c, "body"))
	mem := t.members(c)
	dd := newDedupe(t, mem)
	for k := 0; k < len(mem); k += 2 {
		key := t.nodes[mem[k]].s
		if dd.shadowed(k) {
			continue
		}
		if equalFold(key, "msteams") {
			if !msteamsLater(t, mem, k) {
				e.key("msteams")
				s.passMSTeams(mem[k+1], nil)
			}
			continue
		}
		if ownMember(key) {
			continue
		}
		s.passMember(c, key, mem[k+1])
	}
	e.close('}')
}

// combinedCards writes several sender cards as one: each card's body and
// actions in a Container, the first card's other members, and an msteams
// whose mention entities are those of all cards.
func (s *state) combinedCards(cards []int32, version string) {
	t := &s.t
	e := &s.e
	s.cardHeader(version)
	e.key("body")
	e.open('[')
	for i, c := range cards {
		e.open('{')
		e.kv("type", "Container")
		if i > 0 {
			e.kb("separator", true)
			e.kv("spacing", "Large")
		}
		e.key("items")
		e.open('[')
		for _, el := range t.items(t.get(c, "body")) {
			s.passElem(el)
		}
		if acts := t.get(c, "actions"); t.isArray(acts) && len(t.items(acts)) > 0 {
			e.open('{')
			e.kv("type", "ActionSet")
			e.key("actions")
			s.passArray(acts)
			e.close('}')
		}
		e.close(']')
		e.close('}')
	}
	e.close(']')
	var msteams int32 = none
	for _, c := range cards {
		if m := t.get(c, "msteams"); t.isObject(m) {
			msteams = m
			break
		}
	}
	if msteams != none {
		e.key("msteams")
		s.passMSTeams(msteams, cards)
	}
	first := cards[0]
	mem := t.members(first)
	dd := newDedupe(t, mem)
	for k := 0; k < len(mem); k += 2 {
		key := t.nodes[mem[k]].s
		if ownMember(key) || equalFold(key, "actions") || dd.shadowed(k) {
			continue
		}
		s.passMember(first, key, mem[k+1])
	}
	e.close('}')
}

// passMSTeams writes the msteams object with "width" normalized ("full" ->
// "Full"). With merge set (the combined cards), the mention entities of all
// of them are written, in order.
func (s *state) passMSTeams(m int32, merge []int32) {
	t := &s.t
	e := &s.e
	if !t.isObject(m) {
		s.passValue(m)
		return
	}
	e.open('{')
	mem := t.members(m)
	dd := newDedupe(t, mem)
	for k := 0; k < len(mem); k += 2 {
		key, val := t.nodes[mem[k]].s, mem[k+1]
		if dd.shadowed(k) {
			continue
		}
		switch {
		case equalFold(key, "width") && t.kindOf(val) == kString && equalFold(t.text(val), "full"):
			e.kv("width", "Full")
		case equalFold(key, "entities") && merge != nil:
			// written below
		default:
			s.passMember(m, key, val)
		}
	}
	if merge != nil {
		e.key("entities")
		e.open('[')
		for _, c := range merge {
			for _, ent := range t.items(t.get(t.get(c, "msteams"), "entities")) {
				s.passElem(ent)
			}
		}
		e.close(']')
	}
	e.close('}')
}

// dedupe tells which members of an object are shadowed by a later member of
// the same name: the last one wins, as in encoding/json. Small objects are
// checked by scanning; large ones get a map, so that an object with many keys
// stays linear.
type dedupe struct {
	t    *tree
	mem  []int32
	last map[string]int
}

func newDedupe(t *tree, mem []int32) dedupe {
	d := dedupe{t: t, mem: mem}
	if len(mem) > 32 {
		d.last = make(map[string]int, len(mem)/2)
		for k := 0; k < len(mem); k += 2 {
			d.last[t.nodes[mem[k]].s] = k
		}
	}
	return d
}

func (d dedupe) shadowed(k int) bool {
	key := d.t.nodes[d.mem[k]].s
	if d.last != nil {
		return d.last[key] != k
	}
	return duplicateLater(d.t, d.mem, k, key)
}

// duplicateLater reports whether member key at pair index k is repeated later
// in the object.
func duplicateLater(t *tree, mem []int32, k int, key string) bool {
	for j := k + 2; j < len(mem); j += 2 {
		if t.nodes[mem[j]].s == key {
			return true
		}
	}
	return false
}

// msteamsLater reports whether another msteams member (in any case) follows.
func msteamsLater(t *tree, mem []int32, k int) bool {
	for j := k + 2; j < len(mem); j += 2 {
		if equalFold(t.nodes[mem[j]].s, "msteams") {
			return true
		}
	}
	return false
}

// urlMember lists members whose string value is a URL a renderer will load
// or open.
func urlMember(key string) bool {
	return equalFold(key, "url") || equalFold(key, "iconurl") || equalFold(key, "backgroundimage") ||
		equalFold(key, "poster") || equalFold(key, "image")
}

// dropped reports whether an element or action must not survive: Action.Submit
// (Teams does not support it from webhooks) and link actions with unsafe URLs.
func (s *state) dropped(v int32) bool {
	t := &s.t
	if !t.isObject(v) {
		return false
	}
	typ := strings.TrimSpace(t.str(v, "type"))
	switch {
	case equalFold(typ, "action.submit"):
		return true
	case equalFold(typ, "action.openurl"):
		_, ok := safeURL(t.str(v, "url"), true)
		return !ok
	case equalFold(typ, "action.http"):
		_, ok := safeURL(t.str(v, "url"), false)
		return !ok
	}
	return false
}

// passMember writes one member of object parent, sanitized.
func (s *state) passMember(parent int32, key string, val int32) {
	t := &s.t
	e := &s.e
	// selectAction, inlineAction, fallback and the like: a member holding a
	// dropped action goes with it.
	if s.dropped(val) {
		return
	}
	if urlMember(key) && t.kindOf(val) == kString {
		mailto := equalFold(key, "url") && equalFold(strings.TrimSpace(t.str(parent, "type")), "action.openurl")
		u, ok := safeURL(t.text(val), mailto)
		if !ok {
			return
		}
		e.keyQ(key)
		e.b = appendQuoted(e.b, u)
		return
	}
	e.keyQ(key)
	s.passValue(val)
}

// passElem writes an array element unless it must be dropped.
func (s *state) passElem(v int32) {
	if !s.dropped(v) {
		s.passValue(v)
	}
}

// passArray writes an array value ([] when absent or not an array).
func (s *state) passArray(a int32) {
	e := &s.e
	e.open('[')
	if s.t.isArray(a) {
		for _, v := range s.t.items(a) {
			s.passElem(v)
		}
	}
	e.close(']')
}

// passValue re-encodes any value, sanitizing objects and arrays within it.
// Recursion is bounded by the parser's depth limit.
func (s *state) passValue(v int32) {
	t := &s.t
	e := &s.e
	switch t.kindOf(v) {
	case kNull:
		e.raw("null")
	case kTrue:
		e.raw("true")
	case kFalse:
		e.raw("false")
	case kNumber:
		e.raw(t.nodes[v].s)
	case kString:
		e.str(t.nodes[v].s)
	case kArray:
		s.passArray(v)
	case kObject:
		e.open('{')
		mem := t.members(v)
		dd := newDedupe(t, mem)
		for k := 0; k < len(mem); k += 2 {
			key := t.nodes[mem[k]].s
			if dd.shadowed(k) {
				continue
			}
			s.passMember(v, key, mem[k+1])
		}
		e.close('}')
	}
}

// firstText finds the first TextBlock (or RichTextBlock) text in document
// order, for the summary.
func (s *state) firstText(v int32, depth int) string {
	t := &s.t
	if depth > maxDepth*2 {
		return ""
	}
	switch t.kindOf(v) {
	case kArray:
		for _, x := range t.items(v) {
			if r := s.firstText(x, depth+1); r != "" {
				return r
			}
		}
	case kObject:
		typ := t.str(v, "type")
		if equalFold(typ, "textblock") {
			if r := t.str(v, "text"); !isBlank(r) {
				return r
			}
			return ""
		}
		if equalFold(typ, "richtextblock") {
			var b strings.Builder
			for _, in := range t.items(t.get(v, "inlines")) {
				if t.isObject(in) {
					b.WriteString(t.str(in, "text"))
				} else {
					b.WriteString(t.text(in))
				}
			}
			if r := b.String(); !isBlank(r) {
				return r
			}
			return ""
		}
		mem := t.members(v)
		for k := 0; k < len(mem); k += 2 {
			key := t.nodes[mem[k]].s
			if equalFold(key, "actions") || equalFold(key, "selectaction") || equalFold(key, "fallback") {
				continue
			}
			if r := s.firstText(mem[k+1], depth+1); r != "" {
				return r
			}
		}
	}
	return ""
}

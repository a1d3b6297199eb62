package card

import (
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file holds a small JSON reader that builds an ordered, read-only tree.
//
// Why not encoding/json: the payloads we read are loosely typed (numbers where
// strings are expected, "false" where a bool is), keys must match
// case-insensitively also on map-like access, adaptive cards must be passed
// through with their member order intact, nesting must be capped before any
// work is done, and syntax errors must name a byte offset a sender can act on.
// A tree in two flat slices, reused through a sync.Pool, also costs a handful of
// allocations per payload instead of one per value, which matters on the
// ingest hot path.

// maxDepth caps nesting of objects and arrays. Newtonsoft (behind Teams) uses
// the same default, and it bounds our recursion.
const maxDepth = 64

type kind uint8

const (
	kNull kind = iota
	kFalse
	kTrue
	kNumber
	kString
	kArray
	kObject
)

// node is one JSON value. Strings hold the decoded text, numbers their literal.
// Containers point into tree.kids: arrays at n value indexes, objects at n
// (key, value) index pairs.
type node struct {
	s    string
	lo   int32
	n    int32
	kind kind
}

// none is the index of an absent value; every accessor treats it as null.
const none int32 = -1

type tree struct {
	src   string
	nodes []node
	kids  []int32
	stack []int32
	pos   int
}

// syntaxError is a JSON syntax problem at a byte offset of the input.
type syntaxError struct {
	msg string
	off int
}

func (t *tree) fail(msg string) error { return &syntaxError{msg: msg, off: t.pos} }

// parse reads src into the tree and returns the root index.
func (t *tree) parse(src string) (int32, error) {
	t.nodes = t.nodes[:0]
	t.kids = t.kids[:0]
	t.stack = t.stack[:0]
	return t.parseAt(src, 0)
}

// parseMore parses src as an additional document into the same tree (used for
// a card sent as a JSON string). The nesting budget continues from depth 2, the
// depth at which such content sits.
func (t *tree) parseMore(src string) (int32, error) {
	oldSrc, oldPos, oldStack := t.src, t.pos, len(t.stack)
	defer func() { t.src, t.pos, t.stack = oldSrc, oldPos, t.stack[:oldStack] }()
	return t.parseAt(src, 2)
}

func (t *tree) parseAt(src string, depth int) (int32, error) {
	t.src = src
	t.pos = 0
	// PowerShell and some .NET clients prefix a UTF-8 byte order mark.
	if strings.HasPrefix(src, "\ufeff") {
		t.pos = 3
	}
	t.skipSpace()
	if t.pos >= len(t.src) {
		return none, t.fail("the body is empty")
	}
	root, err := t.value(depth)
	if err != nil {
		return none, err
	}
	t.skipSpace()
	if t.pos < len(t.src) {
		return none, t.fail("unexpected " + t.describe() + " after the top-level value")
	}
	return root, nil
}

func (t *tree) skipSpace() {
	for t.pos < len(t.src) {
		switch t.src[t.pos] {
		case ' ', '\t', '\n', '\r':
			t.pos++
		default:
			return
		}
	}
}

// describe names the byte at the current position for an error message.
func (t *tree) describe() string {
	if t.pos >= len(t.src) {
		return "end of input"
	}
	c := t.src[t.pos]
	if c < 0x20 || c >= 0x7f {
		return "byte 0x" + strconv.FormatUint(uint64(c), 16)
	}
	return "character '" + string(rune(c)) + "'"
}

func (t *tree) add(k kind, s string) int32 {
	t.nodes = append(t.nodes, node{kind: k, s: s})
	return int32(len(t.nodes) - 1)
}

func (t *tree) value(depth int) (int32, error) {
	if t.pos >= len(t.src) {
		return none, t.fail("unexpected end of input")
	}
	switch c := t.src[t.pos]; c {
	case '{':
		return t.object(depth)
	case '[':
		return t.array(depth)
	case '"':
		s, err := t.scanString()
		if err != nil {
			return none, err
		}
		return t.add(kString, s), nil
	case 't':
		return t.literal("true", kTrue)
	case 'f':
		return t.literal("false", kFalse)
	case 'n':
		return t.literal("null", kNull)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return t.number()
		}
		if c == '\'' {
			return none, t.fail("strings must use double quotes, found character '''")
		}
		return none, t.fail("unexpected " + t.describe() + " where a value was expected")
	}
}

func (t *tree) literal(word string, k kind) (int32, error) {
	if !strings.HasPrefix(t.src[t.pos:], word) {
		return none, t.fail("unexpected " + t.describe() + " where a value was expected")
	}
	t.pos += len(word)
	return t.add(k, ""), nil
}

func (t *tree) number() (int32, error) {
	start := t.pos
	s := t.src
	i := t.pos
	if s[i] == '-' {
		i++
	}
	digits := func() bool {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return i > j
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if !digits() {
		t.pos = i
		return none, t.fail("invalid number: expected a digit, found " + t.describe())
	}
	if i < len(s) && s[i] == '.' {
		i++
		if !digits() {
			t.pos = i
			return none, t.fail("invalid number: expected a digit after '.', found " + t.describe())
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if !digits() {
			t.pos = i
			return none, t.fail("invalid number: expected a digit in the exponent, found " + t.describe())
		}
	}
	t.pos = i
	return t.add(kNumber, s[start:i]), nil
}

// scanString reads a string starting at the opening quote. Strings without escapes
// are returned as substrings of the input (no copy). Raw control characters are
// accepted, as Newtonsoft accepts them, because shell scripts often build JSON
// with literal newlines; invalid UTF-8 becomes U+FFFD.
func (t *tree) scanString() (string, error) {
	s := t.src
	start := t.pos + 1
	i := start
	for i < len(s) {
		c := s[i]
		if c == '"' {
			t.pos = i + 1
			return s[start:i], nil
		}
		if c == '\\' {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	if i >= len(s) {
		t.pos = len(s)
		return "", t.fail("unexpected end of input inside a string")
	}
	// Slow path: escapes or invalid UTF-8.
	b := make([]byte, 0, i-start+16)
	b = append(b, s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			t.pos = i + 1
			return string(b), nil
		case c == '\\':
			if i+1 >= len(s) {
				t.pos = len(s)
				return "", t.fail("unexpected end of input inside a string")
			}
			e := s[i+1]
			i += 2
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := hex4(s, i)
				if !ok {
					t.pos = i
					return "", t.fail(`invalid \u escape: expected 4 hex digits`)
				}
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						if x, ok := hex4(s, i+2); ok {
							r2 = x
						}
					}
					if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
						r = d
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
			default:
				t.pos = i - 2
				return "", t.fail("invalid escape '\\" + string(rune(e)) + "' in string")
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, s[i:i+size]...)
			}
			i += size
		}
	}
	t.pos = len(s)
	return "", t.fail("unexpected end of input inside a string")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

func (t *tree) object(depth int) (int32, error) {
	if depth >= maxDepth {
		return none, &syntaxError{msg: "nested deeper than 64 levels", off: t.pos}
	}
	idx := t.add(kObject, "")
	mark := len(t.stack)
	t.pos++ // {
	t.skipSpace()
	if t.pos < len(t.src) && t.src[t.pos] == '}' {
		t.pos++
		t.close(idx, mark, 2)
		return idx, nil
	}
	for {
		t.skipSpace()
		if t.pos >= len(t.src) {
			return none, t.fail("unexpected end of input")
		}
		if t.src[t.pos] != '"' {
			if t.src[t.pos] == '}' && len(t.stack) > mark {
				return none, t.fail("trailing comma before '}'")
			}
			return none, t.fail("expected a property name in double quotes, found " + t.describe())
		}
		ks, err := t.scanString()
		if err != nil {
			return none, err
		}
		key := t.add(kString, ks)
		t.skipSpace()
		if t.pos >= len(t.src) {
			return none, t.fail("unexpected end of input")
		}
		if t.src[t.pos] != ':' {
			return none, t.fail("expected ':' after a property name, found " + t.describe())
		}
		t.pos++
		t.skipSpace()
		val, err := t.value(depth + 1)
		if err != nil {
			return none, err
		}
		t.stack = append(t.stack, key, val)
		t.skipSpace()
		if t.pos >= len(t.src) {
			return none, t.fail("unexpected end of input")
		}
		switch t.src[t.pos] {
		case ',':
			t.pos++
		case '}':
			t.pos++
			t.close(idx, mark, 2)
			return idx, nil
		default:
			return none, t.fail("expected ',' or '}' after a property value, found " + t.describe())
		}
	}
}

func (t *tree) array(depth int) (int32, error) {
	if depth >= maxDepth {
		return none, &syntaxError{msg: "nested deeper than 64 levels", off: t.pos}
	}
	idx := t.add(kArray, "")
	mark := len(t.stack)
	t.pos++ // [
	t.skipSpace()
	if t.pos < len(t.src) && t.src[t.pos] == ']' {
		t.pos++
		t.close(idx, mark, 1)
		return idx, nil
	}
	for {
		t.skipSpace()
		if t.pos < len(t.src) && t.src[t.pos] == ']' && len(t.stack) > mark {
			return none, t.fail("trailing comma before ']'")
		}
		val, err := t.value(depth + 1)
		if err != nil {
			return none, err
		}
		t.stack = append(t.stack, val)
		t.skipSpace()
		if t.pos >= len(t.src) {
			return none, t.fail("unexpected end of input")
		}
		switch t.src[t.pos] {
		case ',':
			t.pos++
		case ']':
			t.pos++
			t.close(idx, mark, 1)
			return idx, nil
		default:
			return none, t.fail("expected ',' or ']' after an array element, found " + t.describe())
		}
	}
}

// close moves a container's children from the scratch stack to kids, where
// they end up contiguous.
func (t *tree) close(idx int32, mark, per int) {
	lo := len(t.kids)
	t.kids = append(t.kids, t.stack[mark:]...)
	t.nodes[idx].lo = int32(lo)
	t.nodes[idx].n = int32((len(t.stack) - mark) / per)
	t.stack = t.stack[:mark]
}

// --- accessors -----------------------------------------------------------
//
// Every accessor accepts none (or any index) and degrades to a zero value, so
// conversion code reads like a schema walk without error plumbing.

func (t *tree) kindOf(i int32) kind {
	if i < 0 || int(i) >= len(t.nodes) {
		return kNull
	}
	return t.nodes[i].kind
}

func (t *tree) isObject(i int32) bool { return t.kindOf(i) == kObject }
func (t *tree) isArray(i int32) bool  { return t.kindOf(i) == kArray }

// get returns the value of member key (given in lower case) of object i,
// matching ASCII case-insensitively as Newtonsoft does. The last match wins,
// as with encoding/json.
func (t *tree) get(i int32, key string) int32 {
	if t.kindOf(i) != kObject {
		return none
	}
	n := t.nodes[i]
	found := none
	for k := n.lo; k < n.lo+2*n.n; k += 2 {
		if equalFold(t.nodes[t.kids[k]].s, key) {
			found = t.kids[k+1]
		}
	}
	return found
}

// has reports whether object i has member key, whatever its value.
func (t *tree) has(i int32, key string) bool { return t.get(i, key) != none }

// members returns object i's (key, value) index pairs.
func (t *tree) members(i int32) []int32 {
	if t.kindOf(i) != kObject {
		return nil
	}
	n := t.nodes[i]
	return t.kids[n.lo : n.lo+2*n.n : n.lo+2*n.n]
}

// items returns the elements of array i. A lone object where an array is
// expected is read as a one-element array: some senders do that for facts,
// sections and actions.
func (t *tree) items(i int32) []int32 {
	switch t.kindOf(i) {
	case kArray:
		n := t.nodes[i]
		return t.kids[n.lo : n.lo+n.n : n.lo+n.n]
	case kObject:
		t.kids = append(t.kids, i)
		l := len(t.kids)
		return t.kids[l-1 : l : l]
	}
	return nil
}

// text returns a string value, coercing numbers and booleans to their text;
// objects, arrays, null and absent values give "".
func (t *tree) text(i int32) string {
	switch t.kindOf(i) {
	case kString, kNumber:
		return t.nodes[i].s
	case kTrue:
		return "true"
	case kFalse:
		return "false"
	}
	return ""
}

// str is text of member key of object i.
func (t *tree) str(i int32, key string) string { return t.text(t.get(i, key)) }

// boolean reads true/false, also from the strings "true"/"false" (any case,
// spaces ignored) and the numbers 1/0. ok is false when the value is absent or
// not boolean-like.
func (t *tree) boolean(i int32) (v, ok bool) {
	switch t.kindOf(i) {
	case kTrue:
		return true, true
	case kFalse:
		return false, true
	case kString, kNumber:
		s := strings.TrimSpace(t.nodes[i].s)
		switch {
		case equalFold(s, "true"), s == "1":
			return true, true
		case equalFold(s, "false"), s == "0":
			return false, true
		}
	}
	return false, false
}

// integer reads a whole number from a number or a numeric string.
func (t *tree) integer(i int32) (int64, bool) {
	switch t.kindOf(i) {
	case kNumber, kString:
		s := strings.TrimSpace(t.nodes[i].s)
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, true
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f >= -1e15 && f <= 1e15 {
			return int64(f), true
		}
	}
	return 0, false
}

// equalFold compares s with lower, an ASCII lower-case key, ignoring ASCII case.
func equalFold(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func (e *syntaxError) Error() string { return "card: invalid JSON: " + e.msg }

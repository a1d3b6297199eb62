package card

import "unicode/utf8"

// enc appends JSON to a byte slice. Commas are inferred from the last byte
// written, which keeps the conversion code free of "first element" flags and
// lets a caller drop a half-written element by truncating to a saved length.
type enc struct {
	b []byte
}

// sep writes the comma that must precede a new member or element.
func (e *enc) sep() {
	if n := len(e.b); n > 0 {
		switch e.b[n-1] {
		case '{', '[', ':':
		default:
			e.b = append(e.b, ',')
		}
	}
}

// open starts an object or array as a value ('{' or '[').
func (e *enc) open(c byte) {
	e.sep()
	e.b = append(e.b, c)
}

func (e *enc) close(c byte) { e.b = append(e.b, c) }

// key writes a member name. k must be a constant needing no escaping.
func (e *enc) key(k string) {
	e.sep()
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
}

// keyQ writes a member name from the input, escaped.
func (e *enc) keyQ(k string) {
	e.sep()
	e.b = appendQuoted(e.b, k)
	e.b = append(e.b, ':')
}

// str writes a string value.
func (e *enc) str(v string) {
	e.sep()
	e.b = appendQuoted(e.b, v)
}

// kv writes a string member.
func (e *enc) kv(k, v string) {
	e.key(k)
	e.b = appendQuoted(e.b, v)
}

// kb writes a boolean member.
func (e *enc) kb(k string, v bool) {
	e.key(k)
	if v {
		e.b = append(e.b, "true"...)
	} else {
		e.b = append(e.b, "false"...)
	}
}

// raw writes pre-encoded JSON as a value.
func (e *enc) raw(v string) {
	e.sep()
	e.b = append(e.b, v...)
}

// mark and reset let a caller abandon an element that turned out empty.
func (e *enc) mark() int   { return len(e.b) }
func (e *enc) reset(m int) { e.b = e.b[:m] }

const hexDigits = "0123456789abcdef"

// appendQuoted appends s as a JSON string. Like encoding/json it escapes <, >
// and & (so the card can be embedded in HTML <script> safely), U+2028/U+2029,
// and replaces invalid UTF-8 with U+FFFD.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

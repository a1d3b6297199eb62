package feed

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
)

// This file repairs what commonly breaks feed parsing before the document
// reaches gofeed, and after it fails. The repairs only ever change the
// encoding and the XML declaration, or cut a broken document short: they
// never invent content. Each one is reported in Feed.Warning.
//
// Before parsing, an XML document is brought to UTF-8 with a declaration
// that says so:
//
//   - UTF-16 and UTF-32 (with a byte order mark, or recognised from how
//     "<?xml" is encoded, as the XML specification's appendix F describes)
//     are decoded here: gofeed's type detection reads bytes as ASCII and
//     does not recognise them.
//   - Another declared encoding that Go's charset tables know (the WHATWG
//     labels: iso-8859-*, windows-*, koi8-r, big5, euc-jp, gb18030, ...) is
//     decoded here too, so that the document reaching gofeed is UTF-8.
//   - An unknown declared encoding ("bogus", "mac-cyrillic") is read as
//     UTF-8.
//   - Bytes that are not valid UTF-8 are read as Windows-1252, the usual
//     cause being Latin-1 text in a feed declared (or defaulting to) UTF-8.
//   - version="1.1" is read as 1.0 (Go's XML decoder accepts only 1.0, and
//     the differences do not matter to a feed).
//
// After a syntax error (a truncated download, a stray "<![" at the end), the
// document is cut at the start of the item or entry in which the error
// occurred, the elements still open are closed, and the result is parsed
// again, so that the items before the error are not lost.

// prepared is a document made ready for gofeed.
type prepared struct {
	body  []byte
	xml   bool     // an XML document (else JSON or unknown)
	notes []string // repairs made, for Feed.Warning
}

var (
	xmlDecl     = regexp.MustCompile(`^<\?xml\s[^>]*?\?>`)
	declEnc     = regexp.MustCompile(`encoding\s*=\s*["']([^"']*)["']`)
	declVersion = regexp.MustCompile(`version\s*=\s*["']([^"']*)["']`)
)

func prepare(body []byte) prepared {
	p := prepared{body: body}
	if b, ok := decodeWide(body); ok {
		p.body = b // UTF-16 and UTF-32 are proper XML encodings: no note
	}
	trimmed := bytes.TrimLeft(p.body, "\ufeff \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '<' {
		return p // JSON Feed, or not a feed: gofeed decides
	}
	p.xml = true
	// Line breaks removed here are put back after the new declaration, so
	// that line numbers in parser errors still match the document.
	lines := bytes.Count(p.body[:len(p.body)-len(trimmed)], []byte("\n"))
	p.body = trimmed

	// The XML declaration: version and encoding.
	decl := xmlDecl.Find(p.body)
	label := ""
	if decl != nil {
		if m := declEnc.FindSubmatch(decl); m != nil {
			label = strings.ToLower(strings.TrimSpace(string(m[1])))
		}
		if m := declVersion.FindSubmatch(decl); m != nil && string(m[1]) != "1.0" {
			p.notes = append(p.notes, fmt.Sprintf("XML version %q read as 1.0", m[1]))
		}
		p.body = p.body[len(decl):]
		lines += bytes.Count(decl, []byte("\n"))
	}
	switch label {
	case "", "utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "utf-32", "ucs-2", "iso-10646-ucs-2":
		// UTF-8 already (wide encodings were decoded above; a wide
		// label on single-byte text is a mislabel read as UTF-8).
	default:
		enc, _ := charset.Lookup(label)
		if enc == nil {
			p.notes = append(p.notes, fmt.Sprintf("unknown character encoding %q read as UTF-8", label))
			break
		}
		if out, err := enc.NewDecoder().Bytes(p.body); err == nil {
			p.body = out
		} else {
			p.notes = append(p.notes, fmt.Sprintf("text not valid in the declared encoding %q read as UTF-8", label))
		}
	}
	if !utf8.Valid(p.body) {
		p.body = latin1Repair(p.body)
		p.notes = append(p.notes, "bytes that are not UTF-8 read as Windows-1252")
	}
	head := `<?xml version="1.0" encoding="utf-8"?>` + strings.Repeat("\n", lines)
	p.body = append([]byte(head), p.body...)
	return p
}

// decodeWide decodes UTF-32 and UTF-16 documents to UTF-8, recognising them
// by their byte order mark or by how '<' is encoded at the start.
func decodeWide(b []byte) ([]byte, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0, 0, 0xFE, 0xFF}):
		return utf32(b[4:], binary.BigEndian), true
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE, 0, 0}):
		return utf32(b[4:], binary.LittleEndian), true
	case bytes.HasPrefix(b, []byte{0, 0, 0, '<'}):
		return utf32(b, binary.BigEndian), true
	case bytes.HasPrefix(b, []byte{'<', 0, 0, 0}):
		return utf32(b, binary.LittleEndian), true
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return utf16To8(b[2:], binary.BigEndian), true
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return utf16To8(b[2:], binary.LittleEndian), true
	case bytes.HasPrefix(b, []byte{0, '<', 0}):
		return utf16To8(b, binary.BigEndian), true
	case bytes.HasPrefix(b, []byte{'<', 0, '?', 0}), bytes.HasPrefix(b, []byte{'<', 0, '!', 0}), bytes.HasPrefix(b, []byte{'<', 0, 'r', 0}), bytes.HasPrefix(b, []byte{'<', 0, 'f', 0}):
		return utf16To8(b, binary.LittleEndian), true
	}
	return nil, false
}

func utf16To8(b []byte, order binary.ByteOrder) []byte {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = order.Uint16(b[2*i:])
	}
	return []byte(string(utf16.Decode(u)))
}

func utf32(b []byte, order binary.ByteOrder) []byte {
	out := make([]byte, 0, len(b)/4)
	for i := 0; i+4 <= len(b); i += 4 {
		r := rune(order.Uint32(b[i:]))
		if !utf8.ValidRune(r) {
			r = utf8.RuneError
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// cp1252 maps bytes 0x80-0xFF to the runes Windows-1252 gives them (as the
// WHATWG Encoding Standard defines it).
var cp1252 = func() [128]rune {
	var t [128]rune
	enc, _ := charset.Lookup("windows-1252")
	for i := range t {
		out, err := enc.NewDecoder().Bytes([]byte{byte(0x80 + i)})
		if r, _ := utf8.DecodeRune(out); err == nil && r != utf8.RuneError {
			t[i] = r
		} else {
			t[i] = rune(0x80 + i)
		}
	}
	return t
}()

// latin1Repair keeps valid UTF-8 sequences and reads every other byte as
// Windows-1252.
func latin1Repair(b []byte) []byte {
	out := make([]byte, 0, len(b)+len(b)/8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r == utf8.RuneError && n <= 1 {
			c := b[0]
			if c < 0x80 {
				out = append(out, c)
			} else {
				out = utf8.AppendRune(out, cp1252[c-0x80])
			}
			b = b[1:]
			continue
		}
		out = append(out, b[:n]...)
		b = b[n:]
	}
	return out
}

// rootName returns the name of an XML document's root element, or "".
func rootName(b []byte) string {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.CharsetReader = charset.NewReaderLabel
	for range 1000 {
		tok, err := d.RawToken()
		if err != nil {
			return ""
		}
		if se, ok := tok.(xml.StartElement); ok {
			return rawName(se.Name)
		}
	}
	return ""
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

// cutAtError scans an XML document (UTF-8, as prepare leaves it) until its
// first syntax error (or its end, if elements are left open), and returns
// the document cut before the item or entry in which the error occurred (or
// after the last complete token) with the open elements closed. ok is false
// when the scan finds nothing to repair or nothing would be left.
func cutAtError(b []byte) ([]byte, string, bool) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = false
	d.Entity = xml.HTMLEntity
	type open struct {
		name  string
		start int64
	}
	var stack []open
	var good int64
	var err error
	for {
		start := d.InputOffset()
		var tok xml.Token
		tok, err = d.RawToken()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, open{rawName(t.Name), start})
		case xml.EndElement:
			name := rawName(t.Name)
			for i := len(stack) - 1; i >= 0; i-- {
				if stack[i].name == name {
					stack = stack[:i]
					break
				}
			}
		}
		good = d.InputOffset()
	}
	if len(stack) == 0 {
		return nil, "", false
	}
	why := "unclosed elements at the end"
	if err != io.EOF {
		why = err.Error()
	}
	cut := good
	for i := len(stack) - 1; i >= 0; i-- {
		local := stack[i].name[strings.LastIndexByte(stack[i].name, ':')+1:]
		if strings.EqualFold(local, "item") || strings.EqualFold(local, "entry") {
			cut, stack = stack[i].start, stack[:i]
			break
		}
	}
	if len(stack) == 0 {
		return nil, "", false
	}
	var buf bytes.Buffer
	buf.Write(b[:cut])
	for i := len(stack) - 1; i >= 0; i-- {
		buf.WriteString("</" + stack[i].name + ">")
	}
	return buf.Bytes(), why, true
}

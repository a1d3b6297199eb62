package feed

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
)

const feedURL = "https://blog.example.com/feed.xml"

func mustParse(t *testing.T, doc string) *Feed {
	t.Helper()
	f, err := Parse([]byte(doc), feedURL)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return f
}

func TestParseFormats(t *testing.T) {
	for _, tc := range []struct {
		name, doc, format string
	}{
		{"rss 2.0", `<rss version="2.0"><channel><title>Blog</title><link>https://blog.example.com/</link>
			<item><title>One</title><link>https://blog.example.com/1</link><guid>id-1</guid></item></channel></rss>`, "rss 2.0"},
		{"rss 0.91", `<rss version="0.91"><channel><title>Blog</title><link>https://blog.example.com/</link>
			<item><title>One</title><link>https://blog.example.com/1</link></item></channel></rss>`, "rss 0.91"},
		{"rss 1.0", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
			<channel rdf:about="https://blog.example.com/"><title>Blog</title><link>https://blog.example.com/</link></channel>
			<item rdf:about="https://blog.example.com/1"><title>One</title><link>https://blog.example.com/1</link></item></rdf:RDF>`, "rss 1.0"},
		{"rss 0.90", `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/">
			<channel><title>Blog</title><link>https://blog.example.com/</link></channel>
			<item><title>One</title><link>https://blog.example.com/1</link></item></rdf:RDF>`, "rss 0.9"},
		{"atom 1.0", `<feed xmlns="http://www.w3.org/2005/Atom"><title>Blog</title><link href="https://blog.example.com/"/>
			<entry><title>One</title><link href="https://blog.example.com/1"/><id>id-1</id><updated>2026-11-01T10:00:00Z</updated></entry></feed>`, "atom 1.0"},
		{"atom 0.3", `<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Blog</title><link rel="alternate" href="https://blog.example.com/"/>
			<entry><title>One</title><link rel="alternate" href="https://blog.example.com/1"/><id>id-1</id></entry></feed>`, "atom 0.3"},
		{"json 1.1", `{"version":"https://jsonfeed.org/version/1.1","title":"Blog","home_page_url":"https://blog.example.com/",
			"items":[{"id":"id-1","url":"https://blog.example.com/1","title":"One"}]}`, "json 1.1"},
		{"json 1.0", `{"version":"https://jsonfeed.org/version/1","title":"Blog","home_page_url":"https://blog.example.com/",
			"items":[{"id":"id-1","url":"https://blog.example.com/1","title":"One"}]}`, "json 1.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := mustParse(t, tc.doc)
			if f.Title != "Blog" || f.Link != "https://blog.example.com/" || f.Format != tc.format {
				t.Errorf("feed = %q %q %q, want Blog, the site, %q", f.Title, f.Link, f.Format, tc.format)
			}
			if len(f.Items) != 1 || f.Items[0].Title != "One" || f.Items[0].Link != "https://blog.example.com/1" {
				t.Fatalf("items = %+v", f.Items)
			}
		})
	}
}

func TestItemFields(t *testing.T) {
	f := mustParse(t, `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Release &amp; Notes</title><link>/</link>
<item>
  <title>Herald &lt;b&gt;1.2&lt;/b&gt;   is out</title>
  <link>/posts/1.2?a=1&amp;b=2</link>
  <guid isPermaLink="false">  release-1.2  </guid>
  <description><![CDATA[<p>First paragraph with <a href="javascript:alert(1)">a link</a> &amp; an entity.</p>
     <script>alert("x")</script><style>p{}</style><p>Second&nbsp;paragraph.<br>New line.</p>
     <img src="/pixel.gif" width="1" height="1"><img src="/shot.png" alt="shot">]]></description>
  <dc:creator>Ada Lovelace</dc:creator>
  <pubDate>Tue, 03 Nov 2026 10:00:00 +0100</pubDate>
</item>
</channel></rss>`)
	if f.Title != "Release & Notes" || f.Link != "https://blog.example.com/" {
		t.Errorf("feed %q %q", f.Title, f.Link)
	}
	it := f.Items[0]
	want := Item{
		Key:       "guid:release-1.2",
		Title:     "Herald 1.2 is out",
		Link:      "https://blog.example.com/posts/1.2?a=1&b=2",
		Summary:   "First paragraph with a link & an entity.\n\nSecond\u00a0paragraph.\nNew line.",
		Author:    "Ada Lovelace",
		Published: time.Date(2026, 11, 3, 9, 0, 0, 0, time.UTC),
		Image:     "https://blog.example.com/shot.png",
	}
	if it != want {
		t.Errorf("item:\n got %#v\nwant %#v", it, want)
	}
	if f.Warning != "" {
		t.Errorf("warning %q", f.Warning)
	}
}

func TestKeys(t *testing.T) {
	long := strings.Repeat("x", 300)
	f := mustParse(t, `<rss version="2.0"><channel><title>K</title>
<item><guid>g-1</guid><link>https://e.example/1</link></item>
<item><link>https://e.example/2</link><title>no guid</title></item>
<item><title>neither</title><description>body</description></item>
<item><guid>`+long+`</guid></item>
<item><guid>https://e.example/5</guid><title>permalink guid</title></item>
</channel></rss>`)
	keys := []string{}
	for _, it := range f.Items {
		keys = append(keys, it.Key)
	}
	if keys[0] != "guid:g-1" || keys[1] != "link:https://e.example/2" || !strings.HasPrefix(keys[2], "hash:") || len(keys[2]) != 5+64 {
		t.Errorf("keys %q", keys)
	}
	if !strings.HasPrefix(keys[3], "guid:sha256:") || len(keys[3]) != 12+64 {
		t.Errorf("long GUID key %q", keys[3])
	}
	if keys[4] != "guid:https://e.example/5" || f.Items[4].Link != "https://e.example/5" {
		t.Errorf("permalink guid: key %q, link %q", keys[4], f.Items[4].Link)
	}
	// The same document gives the same keys; a changed body changes only
	// the hash key.
	g := mustParse(t, strings.Replace(`<rss version="2.0"><channel><item><title>neither</title><description>body</description></item></channel></rss>`, "", "", 1))
	if g.Items[0].Key != keys[2] {
		t.Errorf("hash key not stable: %q vs %q", g.Items[0].Key, keys[2])
	}
	h := mustParse(t, `<rss version="2.0"><channel><item><title>neither</title><description>edited</description></item></channel></rss>`)
	if h.Items[0].Key == keys[2] {
		t.Error("hash key ignores the content")
	}
}

func TestKeysForBrokenFeeds(t *testing.T) {
	// Every item carries the same GUID (the feed's own URL): the GUID
	// identifies nothing, so links are used.
	f := mustParse(t, `<rss version="2.0"><channel>
<item><guid>https://e.example/feed</guid><link>https://e.example/a</link><title>A</title></item>
<item><guid>https://e.example/feed</guid><link>https://e.example/b</link><title>B</title></item>
</channel></rss>`)
	if f.Items[0].Key != "link:https://e.example/a" || f.Items[1].Key != "link:https://e.example/b" {
		t.Errorf("shared GUID: keys %q %q", f.Items[0].Key, f.Items[1].Key)
	}
	// Every item links to the home page: links identify nothing either.
	f = mustParse(t, `<rss version="2.0"><channel>
<item><link>https://e.example/</link><title>Monday</title></item>
<item><link>https://e.example/</link><title>Tuesday</title></item>
</channel></rss>`)
	if !strings.HasPrefix(f.Items[0].Key, "hash:") || f.Items[0].Key == f.Items[1].Key {
		t.Errorf("shared link: keys %q %q", f.Items[0].Key, f.Items[1].Key)
	}
	// The same GUID on items without links: their content tells them apart.
	f = mustParse(t, `<rss version="2.0"><channel>
<item><guid>1</guid><title>Monday</title></item>
<item><guid>1</guid><title>Tuesday</title></item>
</channel></rss>`)
	if !strings.HasPrefix(f.Items[0].Key, "hash:") || f.Items[0].Key == f.Items[1].Key {
		t.Errorf("shared GUID, no links: keys %q %q", f.Items[0].Key, f.Items[1].Key)
	}
	// The same item listed twice is still one item.
	f = mustParse(t, `<rss version="2.0"><channel>
<item><guid>x</guid><link>https://e.example/x</link><title>X</title></item>
<item><guid>x</guid><link>https://e.example/x</link><title>X</title></item>
</channel></rss>`)
	if f.Items[0].Key != "guid:x" || f.Items[1].Key != "guid:x" {
		t.Errorf("repeated item: keys %q %q", f.Items[0].Key, f.Items[1].Key)
	}
}

func TestLinksAndImages(t *testing.T) {
	f := mustParse(t, `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>T</title>
<entry><id>1</id><title>js</title><link href="javascript:alert(1)"/>
  <content type="html">&lt;img src="data:image/png;base64,AAAA"&gt;</content></entry>
<entry><id>2</id><title>relative</title><link href="../2.html"/>
  <media:thumbnail url="//cdn.example.com/t.jpg"/></entry>
<entry><id>3</id><title>group</title><link href="https://user:pw@e.example/3"/>
  <media:group><media:title>ignored</media:title><media:thumbnail url="https://i.example/3.jpg"/><media:description>From the group</media:description></media:group></entry>
<entry><id>4</id><title>enclosure</title><link rel="enclosure" type="image/jpeg" href="https://i.example/4.jpg"/></entry>
<entry><id>5</id><title>mailto</title><link href="mailto:a@b.example"/></entry>
</feed>`)
	for i, want := range []struct{ link, image, summary string }{
		{"", "", ""},
		{"https://blog.example.com/2.html", "https://cdn.example.com/t.jpg", ""},
		{"https://e.example/3", "https://i.example/3.jpg", "From the group"},
		{"", "https://i.example/4.jpg", ""},
		{"", "", ""},
	} {
		it := f.Items[i]
		if it.Link != want.link || it.Image != want.image || it.Summary != want.summary {
			t.Errorf("item %d (%s): link %q image %q summary %q; want %q %q %q", i, it.Title, it.Link, it.Image, it.Summary, want.link, want.image, want.summary)
		}
	}
}

func TestJSONFeedItem(t *testing.T) {
	f := mustParse(t, `{"version":"https://jsonfeed.org/version/1.1","title":"J",
"items":[{"id":"1","url":"https://j.example/1","title":"Hello","content_html":"<p>Hi <b>there</b></p>",
"image":"https://j.example/1.png","date_modified":"2026-10-01T08:00:00Z","authors":[{"name":"A"},{"name":"B"},{"name":"A"}]},
{"id":"2","content_text":"A microblog post without a title","date_published":"2026-10-02T08:00:00+02:00"}]}`)
	a, b := f.Items[0], f.Items[1]
	if a.Summary != "Hi there" || a.Image != "https://j.example/1.png" || a.Author != "A, B" || !a.Published.Equal(time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("item 1: %+v", a)
	}
	if b.Title != "" || b.Summary != "A microblog post without a title" || b.Key != "guid:2" || b.Published != time.Date(2026, 10, 2, 6, 0, 0, 0, time.UTC) {
		t.Errorf("item 2: %+v", b)
	}
}

func TestSummaryTrimmed(t *testing.T) {
	long := strings.Repeat("word ", 200)
	f := mustParse(t, `<rss version="2.0"><channel><item><title>T</title><description>`+long+`</description></item></channel></rss>`)
	s := f.Items[0].Summary
	if n := len([]rune(s)); n > SummaryRunes || n < SummaryRunes-100 || !strings.HasSuffix(s, "word…") {
		t.Errorf("summary of %d runes: ...%q", n, s[len(s)-20:])
	}
	// A summary that only repeats the title is dropped.
	f = mustParse(t, `<rss version="2.0"><channel><item><title>Same</title><description>Same</description></item></channel></rss>`)
	if f.Items[0].Summary != "" {
		t.Errorf("summary %q", f.Items[0].Summary)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name, doc string
		is        error
		msg       string
	}{
		{"empty", "  \n ", ErrEmpty, "feed: the document is empty"},
		{"html page", `<!DOCTYPE html><html><head><link rel="alternate" type="application/rss+xml" href="/rss"></head><body>hi</body></html>`,
			ErrNotFeed, "feed: this is a web page, not a feed; the page links to a feed at https://blog.example.com/rss"},
		{"html page without feed", `<html><body>hi</body></html>`, ErrNotFeed, "use the address of the page's RSS or Atom feed"},
		{"other xml", `<?xml version="1.0"?><note><to>x</to></note>`, ErrNotFeed, "feed: not an RSS, Atom or JSON feed (the document's root element is <note>)"},
		{"plain text", "hello world", ErrNotFeed, `(the document starts with "hello world")`},
		{"bad json", `{"version": "https://jsonfeed.org/version/1.1", "items": [`, ErrMalformed, "feed: the feed cannot be read:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc), feedURL)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %v; want %v containing %q", err, tc.is, tc.msg)
			}
		})
	}
	var nf *NotFeedError
	_, err := Parse([]byte(`<html><head><link rel="alternate" type="application/atom+xml" href="https://e.example/atom"></head></html>`), "")
	if !errors.As(err, &nf) || len(nf.Alternates) != 1 || nf.Alternates[0] != "https://e.example/atom" {
		t.Errorf("alternates: %v", err)
	}
	if _, err := Parse(make([]byte, MaxSize+1), ""); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
}

func utf16Doc(s string, bigEndian, bom bool) []byte {
	var buf bytes.Buffer
	var order binary.ByteOrder = binary.LittleEndian
	if bigEndian {
		order = binary.BigEndian
	}
	if bom {
		binary.Write(&buf, order, uint16(0xFEFF))
	}
	for _, u := range utf16.Encode([]rune(s)) {
		binary.Write(&buf, order, u)
	}
	return buf.Bytes()
}

func TestRepairs(t *testing.T) {
	const doc = `<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel><title>Wide ✓</title><item><title>Ünïcode</title></item></channel></rss>`
	for _, tc := range []struct {
		name    string
		body    []byte
		title   string
		warning string
	}{
		{"utf-16le bom", utf16Doc(doc, false, true), "Ünïcode", ""},
		{"utf-16be no bom", utf16Doc(doc, true, false), "Ünïcode", ""},
		{"latin-1 declared", []byte("<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss version=\"2.0\"><channel><item><title>caf\xe9</title></item></channel></rss>"), "café", ""},
		{"latin-1 in utf-8", []byte("<rss version=\"2.0\"><channel><item><title>don\x92t caf\xe9 – ok</title></item></channel></rss>"), "don’t café – ok", "bytes that are not UTF-8 read as Windows-1252"},
		{"unknown encoding", []byte(`<?xml version="1.0" encoding="bogus"?><rss version="2.0"><channel><item><title>x</title></item></channel></rss>`), "x", `unknown character encoding "bogus" read as UTF-8`},
		{"xml 1.1", []byte(`<?xml version="1.1"?><rss version="2.0"><channel><item><title>x</title></item></channel></rss>`), "x", `XML version "1.1" read as 1.0`},
		{"truncated", []byte(`<rss version="2.0"><channel><item><title>kept</title></item><item><title>cut off`), "kept", "malformed XML"},
		{"broken cdata", []byte(`<rss version="2.0"><channel><item><title>kept</title></item><item><title><![CD`), "kept", "malformed XML"},
		{"unclosed tag", []byte(`<rss version="2.0"><channel><item><title>kept</title></item></channel></rss`), "kept", "malformed XML"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := Parse(tc.body, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Items) != 1 || f.Items[0].Title != tc.title {
				t.Fatalf("items %+v, want one titled %q", f.Items, tc.title)
			}
			if !strings.Contains(f.Warning, tc.warning) || tc.warning == "" && f.Warning != "" {
				t.Errorf("warning %q, want %q", f.Warning, tc.warning)
			}
		})
	}
}

func TestHTMLText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text", "plain text"},
		{"  lots\n\n of   space ", "lots of space"},
		{"a < b && c > d", "a < b && c > d"},
		{"AT&amp;T &lt;tag&gt; &#8217; &hellip;", "AT&T <tag> ’ …"},
		{"<p>one</p><p>two</p>", "one\n\ntwo"},
		{"<ul><li>a</li><li>b</li></ul>", "a\nb"},
		{"x<br>y<br/>z", "x\ny\nz"},
		{"<table><tr><td>a</td><td>b</td></tr></table>", "a b"},
		{`<script>alert(1)</script>ok<style>.x{}</style>`, "ok"},
		{`<svg><text>no</text></svg>yes`, "yes"},
		{`<iframe src="x">fallback</iframe>after`, "after"},
		{`<object data="x">fallback text</object>`, "fallback text"},
		{`<a href="javascript:x" onclick="y">click</a>`, "click"},
		{"zero\u200bwidth\ufeff", "zerowidth"},
		{"C1\u0093quotes\u0094", "C1“quotes”"},
		{"<p>unclosed <b>bold", "unclosed bold"},
		{"<!-- comment -->text", "text"},
	} {
		if got := htmlText(tc.in, 0); got != tc.want {
			t.Errorf("htmlText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly ten", 11, "exactly ten"},
		{"one two three four five", 12, "one two…"},
		{"abcdefghijklmnop", 6, "abcde…"},
		{"end of sentence. More", 18, "end of sentence…"},
		{"ünïcödé wörds hére", 10, "ünïcödé…"},
	} {
		if got := truncate(tc.in, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

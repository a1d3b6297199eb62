package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	ext "github.com/mmcdole/gofeed/extensions"
)

// Limits.
const (
	// SummaryRunes is the longest Item.Summary, "…" included.
	SummaryRunes = 500
	// MaxSize is the largest document Parse reads. The poller's outbound
	// cap is smaller; this only bounds Parse when called on its own.
	MaxSize = 32 << 20
	// maxKey is the longest key value kept as is; longer ones are hashed.
	maxKey = 200
	// maxTitle bounds titles and author lines.
	maxTitle  = 300
	maxAuthor = 120
)

// AcceptHeader is the Accept header for feed fetches: the feed types first,
// then XML and JSON in general, then anything (servers often label feeds
// text/html or application/octet-stream).
const AcceptHeader = "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

// Errors Parse wraps; test with errors.Is.
var (
	// ErrEmpty: the document is empty or white space.
	ErrEmpty = errors.New("feed: the document is empty")
	// ErrNotFeed: the document is not RSS, Atom or JSON Feed (an HTML page,
	// another XML or JSON document, ...).
	ErrNotFeed = errors.New("feed: not an RSS, Atom or JSON feed")
	// ErrMalformed: the document looks like a feed but cannot be read.
	ErrMalformed = errors.New("feed: the feed cannot be read")
	// ErrTooLarge: the document is over MaxSize.
	ErrTooLarge = errors.New("feed: the document is too large")
)

// NotFeedError is returned for an HTML page. Alternates are the feeds the
// page links to (resolved), so a person, or the form that adds a feed, can
// use the right URL.
type NotFeedError struct {
	Alternates []string
}

func (e *NotFeedError) Error() string {
	if len(e.Alternates) > 0 {
		return "feed: this is a web page, not a feed; the page links to a feed at " + e.Alternates[0]
	}
	return "feed: this is a web page, not a feed; use the address of the page's RSS or Atom feed"
}

// Is makes errors.Is(err, ErrNotFeed) true.
func (e *NotFeedError) Is(target error) bool { return target == ErrNotFeed }

// Feed is a parsed feed.
type Feed struct {
	Title  string // plain text
	Link   string // the site's address (http or https), or ""
	Format string // "rss 2.0", "atom 1.0", "json 1.1", ...
	Items  []Item // in the feed's order (usually newest first)
	// Warning says what was repaired to read the document (an encoding
	// read as another, a document cut at a syntax error), or "".
	Warning string
}

// Item is one entry of a feed, ready to become a card.
type Item struct {
	Key       string    // dedupe key: "guid:...", "link:..." or "hash:..."
	Title     string    // plain text
	Link      string    // absolute http(s) URL, or ""
	Summary   string    // plain text, at most SummaryRunes runes
	Author    string    // plain text, or ""
	Published time.Time // UTC; zero when the feed gives no date
	Image     string    // absolute http(s) URL, or ""
}

// Parse reads an RSS, Atom or JSON Feed document. feedURL, the address the
// document was fetched from (after redirects), resolves relative links; it
// may be empty. Parse never panics; see the package documentation for what
// it returns on documents it cannot read.
func Parse(body []byte, feedURL string) (*Feed, error) {
	if len(body) > MaxSize {
		return nil, fmt.Errorf("%w (%d bytes, the limit is %d)", ErrTooLarge, len(body), MaxSize)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, ErrEmpty
	}
	base, _ := url.Parse(strings.TrimSpace(feedURL))
	if base != nil && !base.IsAbs() {
		base = nil
	}
	p := prepare(body)
	gf, err := parseGofeed(p.body)
	if err != nil && p.xml {
		if cut, why, ok := cutAtError(p.body); ok {
			if gf2, err2 := parseGofeed(cut); err2 == nil {
				gf, err = gf2, nil
				p.notes = append(p.notes, "malformed XML ("+why+"): read up to the error")
			}
		}
	}
	if err != nil {
		return nil, parseError(p, base, err)
	}
	f := convert(gf, base)
	f.Warning = strings.Join(p.notes, "; ")
	return f, nil
}

// parseGofeed runs gofeed's universal parser, turning a panic into an error.
func parseGofeed(b []byte) (gf *gofeed.Feed, err error) {
	defer func() {
		if r := recover(); r != nil {
			gf, err = nil, fmt.Errorf("%w: the feed parser failed on this document (%v)", ErrMalformed, r)
		}
	}()
	gf, err = gofeed.NewParser().Parse(bytes.NewReader(b))
	if err == nil && gf == nil {
		err = ErrNotFeed
	}
	return gf, err
}

// parseError turns a gofeed error into one of ours.
func parseError(p prepared, base *url.URL, err error) error {
	if errors.Is(err, ErrMalformed) || errors.Is(err, ErrNotFeed) {
		return err
	}
	if !errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	head := p.body
	if len(head) > 4096 {
		head = head[:4096]
	}
	lower := bytes.ToLower(head)
	if bytes.Contains(lower, []byte("<html")) || bytes.Contains(lower, []byte("<!doctype html")) {
		var alts []string
		for _, a := range alternates(string(p.body)) {
			if u := resolve(base, a); u != "" {
				alts = append(alts, u)
			}
		}
		return &NotFeedError{Alternates: alts}
	}
	if p.xml {
		if root := rootName(p.body); root != "" {
			return fmt.Errorf("%w (the document's root element is <%s>)", ErrNotFeed, root)
		}
		return fmt.Errorf("%w (the XML document has no root element)", ErrNotFeed)
	}
	start := strings.TrimSpace(string(bytes.ToValidUTF8(head, nil)))
	start = strings.Join(strings.Fields(start), " ")
	if utf8.RuneCountInString(start) > 40 {
		start = string([]rune(start)[:40]) + "…"
	}
	return fmt.Errorf("%w (the document starts with %q)", ErrNotFeed, start)
}

func convert(gf *gofeed.Feed, base *url.URL) *Feed {
	f := &Feed{
		Title:  truncate(lineText(gf.Title, 4*maxTitle), maxTitle),
		Link:   resolve(base, gf.Link),
		Format: format(gf),
	}
	if f.Link == "" {
		for _, l := range gf.Links {
			if f.Link = resolve(base, l); f.Link != "" {
				break
			}
		}
	}
	f.Items = make([]Item, 0, len(gf.Items))
	type pending struct {
		Item
		guid, hash string
	}
	var ps []pending
	guidItem := map[string]string{} // GUID -> the first item seen with it (its link, else its hash)
	linkHash := map[string]string{} // link -> the first content hash seen with it
	badGUID := map[string]bool{}    // GUIDs shared by different items
	badLink := map[string]bool{}    // links shared by items with different content
	for _, gi := range gf.Items {
		if gi == nil {
			continue
		}
		p := pending{Item: item(gi, base), guid: strings.TrimSpace(gi.GUID), hash: contentHash(gi)}
		if p.guid != "" {
			id := p.Link
			if id == "" {
				id = p.hash
			}
			if first, ok := guidItem[p.guid]; !ok {
				guidItem[p.guid] = id
			} else if first != id {
				badGUID[p.guid] = true
			}
		}
		if p.Link != "" {
			if h, ok := linkHash[p.Link]; !ok {
				linkHash[p.Link] = p.hash
			} else if h != p.hash {
				badLink[p.Link] = true
			}
		}
		ps = append(ps, p)
	}
	for _, p := range ps {
		switch {
		case p.guid != "" && !badGUID[p.guid]:
			p.Key = key("guid:", p.guid)
		case p.Link != "" && !badLink[p.Link]:
			p.Key = key("link:", p.Link)
		default:
			p.Key = "hash:" + p.hash
		}
		f.Items = append(f.Items, p.Item)
	}
	return f
}

// format names the feed's format and version: "rss 2.0", "atom 1.0",
// "json 1.1".
func format(gf *gofeed.Feed) string {
	v := gf.FeedVersion
	if gf.FeedType == "json" {
		switch strings.TrimSuffix(v, "/") {
		case "https://jsonfeed.org/version/1", "http://jsonfeed.org/version/1":
			v = "1.0"
		default:
			v = v[strings.LastIndexByte(v, '/')+1:]
		}
	}
	return strings.TrimSpace(gf.FeedType + " " + v)
}

// key joins prefix and value, hashing values too long for an index.
func key(prefix, v string) string {
	if len(v) > maxKey {
		sum := sha256.Sum256([]byte(v))
		return prefix + "sha256:" + hex.EncodeToString(sum[:])
	}
	return prefix + v
}

func contentHash(gi *gofeed.Item) string {
	h := sha256.New()
	for _, s := range []string{gi.Title, gi.Content, gi.Description} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func item(gi *gofeed.Item, base *url.URL) Item {
	it := Item{
		Title: truncate(lineText(gi.Title, 4*maxTitle), maxTitle),
	}
	if it.Title == "" {
		it.Title = truncate(lineText(mediaText(gi, "title"), 4*maxTitle), maxTitle)
	}
	it.Link = resolve(base, gi.Link)
	if it.Link == "" {
		for _, l := range gi.Links {
			if it.Link = resolve(base, l); it.Link != "" {
				break
			}
		}
	}
	if it.Link == "" {
		// An RSS guid is a permalink unless isPermaLink="false"; gofeed
		// does not say which, so only an absolute URL is taken.
		if g := strings.TrimSpace(gi.GUID); strings.HasPrefix(g, "http://") || strings.HasPrefix(g, "https://") {
			it.Link = resolve(nil, g)
		}
	}
	// Resolve the item's own relative references against its link when
	// the feed URL is unknown.
	ibase := base
	if ibase == nil && it.Link != "" {
		ibase, _ = url.Parse(it.Link)
	}

	summary := gi.Description
	if lineText(summary, 64) == "" {
		summary = gi.Content
	}
	for _, alt := range []func() string{
		func() string { return mediaText(gi, "description") }, // YouTube's feeds, for one
		func() string { return extText(gi, "xhtml", "body") }, // RSS 2.0 with xhtml:body
		func() string { return gi.Custom["body"] },
		func() string { return gi.Custom["fullitem"] },
	} {
		if lineText(summary, 64) != "" {
			break
		}
		summary = alt()
	}
	it.Summary = truncate(htmlText(summary, 8*SummaryRunes), SummaryRunes)
	if it.Summary == it.Title {
		it.Summary = ""
	}

	it.Author = author(gi)

	switch {
	case gi.PublishedParsed != nil && !gi.PublishedParsed.IsZero():
		it.Published = gi.PublishedParsed.UTC()
	case gi.UpdatedParsed != nil && !gi.UpdatedParsed.IsZero():
		it.Published = gi.UpdatedParsed.UTC()
	}

	for _, c := range imageCandidates(gi) {
		if it.Image = resolve(ibase, c); it.Image != "" {
			break
		}
	}
	return it
}

func author(gi *gofeed.Item) string {
	var names []string
	seen := map[string]bool{}
	add := func(p *gofeed.Person) {
		if p == nil || len(names) == 3 {
			return
		}
		n := lineText(p.Name, 2*maxAuthor)
		if n == "" {
			n = lineText(p.Email, 2*maxAuthor)
		}
		if n != "" && !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, p := range gi.Authors {
		add(p)
	}
	if len(names) == 0 {
		add(gi.Author)
	}
	if len(names) == 0 && gi.DublinCoreExt != nil {
		for _, c := range gi.DublinCoreExt.Creator {
			add(&gofeed.Person{Name: c})
		}
	}
	return truncate(strings.Join(names, ", "), maxAuthor)
}

// imageCandidates lists the item's possible images, best first.
func imageCandidates(gi *gofeed.Item) []string {
	var out []string
	for _, e := range gi.Enclosures {
		if e != nil && (strings.HasPrefix(strings.ToLower(e.Type), "image/") || e.Type == "" && imageExt(e.URL)) {
			out = append(out, e.URL)
		}
	}
	if media, ok := gi.Extensions["media"]; ok {
		out = append(out, mediaImages(media)...)
		for _, g := range media["group"] {
			out = append(out, mediaImages(g.Children)...)
		}
	}
	// gofeed's item image is an iTunes or JSON Feed image, or else the
	// first <img> of the content, which the scan below finds too but
	// without tracking pixels.
	if gi.Image != nil && !strings.Contains(gi.Content, gi.Image.URL) && !strings.Contains(gi.Description, gi.Image.URL) {
		out = append(out, gi.Image.URL)
	}
	if src := firstImage(gi.Content); src != "" {
		out = append(out, src)
	}
	if src := firstImage(gi.Description); src != "" {
		out = append(out, src)
	}
	return out
}

// extText returns the text of the item's first prefix:name extension
// element, or "". gofeed keeps an extension's text without its markup.
func extText(gi *gofeed.Item, prefix, name string) string {
	for _, e := range gi.Extensions[prefix][name] {
		if e.Value != "" {
			return e.Value
		}
	}
	return ""
}

// mediaText returns a Media RSS text element (media:title,
// media:description) of the item or of its media:group, or "".
func mediaText(gi *gofeed.Item, name string) string {
	if v := extText(gi, "media", name); v != "" {
		return v
	}
	for _, g := range gi.Extensions["media"]["group"] {
		for _, e := range g.Children[name] {
			if e.Value != "" {
				return e.Value
			}
		}
	}
	return ""
}

// mediaImages returns Media RSS thumbnails, then media:content images.
func mediaImages(m map[string][]ext.Extension) []string {
	var out []string
	for _, t := range m["thumbnail"] {
		out = append(out, t.Attrs["url"])
	}
	for _, c := range m["content"] {
		typ, medium := strings.ToLower(c.Attrs["type"]), strings.ToLower(c.Attrs["medium"])
		if strings.HasPrefix(typ, "image/") || medium == "image" || typ == "" && medium == "" && imageExt(c.Attrs["url"]) {
			out = append(out, c.Attrs["url"])
		}
		for _, t := range c.Children["thumbnail"] {
			out = append(out, t.Attrs["url"])
		}
	}
	return out
}

func imageExt(u string) bool {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	switch strings.ToLower(path.Ext(u)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif":
		return true
	}
	return false
}

// resolve makes ref absolute against base and returns it if it is an http
// or https URL with a host, else "". White space around ref is ignored, and
// credentials are removed: every viewer of a card would see them.
func resolve(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" || len(ref) > 4096 || strings.ContainsAny(ref, "\x00\r\n\t") {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if !u.IsAbs() {
		if base == nil {
			return ""
		}
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.User = nil
	return u.String()
}

// Package feed turns the bytes of an RSS, Atom or JSON Feed document into
// Herald's feed items, items into cards, and a poll's items into the ones to
// post. It is pure: no network, no clock (callers pass now), no store. The
// poller fetches with package outbound (conditional GET, size cap, the guard
// against private addresses), hands the body to Parse, and keeps the dedupe
// keys.
//
// # Parsing
//
// Parse reads RSS 0.9x, 1.0 (RDF) and 2.0, Atom 0.3 and 1.0, and JSON Feed
// 1.0 and 1.1 through github.com/mmcdole/gofeed's universal parser, never a
// parser of our own: real feeds are too varied for that. gofeed detects the
// format from the first bytes and is lenient with the usual XML mistakes
// (its decoder runs in non-strict mode, with HTML entities known).
//
// Around it, Parse repairs what most often makes real feeds unreadable,
// and says so in Feed.Warning: it decodes UTF-16 and UTF-32 and any other
// declared character set to UTF-8 before gofeed sees the document, reads
// bytes that are not valid UTF-8 as Windows-1252 (Latin-1 text in a feed
// declared as UTF-8 is the classic), reads an unknown encoding label as
// UTF-8 and XML 1.1 as 1.0, and, when the XML breaks (a truncated download,
// an unclosed element), cuts the document before the item in which it broke
// and closes what is open, so the items before the break are still read.
// These repairs change only encodings and the end of a broken document;
// they never invent content (prepare.go).
//
// What cannot be read is an error a person can act on: an HTML page instead
// of a feed (a *NotFeedError naming the feeds the page links to), an empty
// document, another kind of XML or JSON document (naming its root element),
// or gofeed's own message on broken JSON or XML. A panic inside the parser
// is recovered and returned as an error, so one hostile feed cannot take a
// poller down. RSS 1.1, Microsoft CDF and Atom entry documents are not
// feeds Herald reads.
//
// Parse does no I/O: the caller fetches (AcceptHeader is the Accept header
// to send) and caps the body; MaxSize only bounds Parse called on its own.
//
// gofeed's results are copied into this package's own Feed and Item types,
// so that the rest of Herald does not depend on the library's model:
//
//   - Title: plain text (markup removed, entities decoded, white space
//     collapsed).
//   - Link: the item's link, else its first alternate link, else an RSS
//     guid that is an absolute URL (RSS guids are permalinks by default);
//     resolved against the feed's URL; http and https only.
//   - Summary: the item's description or summary, else its content, else a
//     Media RSS description (YouTube's feeds), as plain text: no raw HTML
//     ever reaches a card. Paragraph and line breaks are
//     kept; script, style and similar elements are dropped with their
//     content; the result is trimmed to SummaryRunes at a word boundary.
//   - Author: the item's authors' names (else e-mail addresses), up to three.
//   - Published: the publication time, else the update time, in UTC; zero
//     when the feed gives neither.
//   - Image: the first http(s) image among an image enclosure, a Media RSS
//     thumbnail or image, the item image gofeed found (iTunes image, JSON
//     Feed image or banner), and the first <img> of the content that is not
//     a 1x1 tracking pixel.
//
// # Dedupe keys
//
// Item.Key identifies an item across polls: "guid:" and the GUID (Atom id,
// JSON Feed id), else "link:" and the resolved link, else "hash:" and the
// SHA-256 of title, content and description. The prefixes keep a GUID that
// happens to equal another item's link from colliding with it. A value over
// 200 bytes is replaced by "sha256:" and its hex digest, so keys fit an
// index. Two repairs for broken feeds: a GUID shared by different items
// (different links, or without links, different content) identifies nothing
// and is skipped (the link is used), and so is a link shared by items with
// different content (the hash is used).
//
// # Cards
//
// Card lays an item out as a canonical Adaptive Card (version 1.5): the
// title as a bold markdown link, a subtle line with the feed's name, the
// author and the time (UTC, written out, as other Herald connectors do),
// the summary, the image, and an "Open" action. Text is escaped for Adaptive
// Card markdown, so a title with * or [ shows as written and no link can be
// smuggled in; link targets are http, https or mailto only.
//
// # Selecting what to post
//
// Select applies the polling rules: on a connection's first poll, post only
// the newest few items and none older than 30 days, so that adding a feed
// does not flood the channel with its archive; afterwards, post every item
// not seen before. Items are returned oldest first, so a channel reads in
// order. Items without dates keep their place in the feed (feeds list newest
// first, so feed order is reversed). The caller marks every item of the first
// poll as seen, posted or not; the keys live in the store, per connection,
// and seen consults them.
package feed

package main

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// feedSet is the feed server: n distinct RSS 2.0 feeds at /feeds/{i}.xml,
// each with the same number of items. A per-feed version decides the
// content: version v holds items v .. v+items-1, newest first, so bumping
// the version puts one new item at the top and drops the oldest, as a blog
// or a release feed does.
//
// Bodies are generated for a version before a round starts (prepare), both
// plain and gzip-compressed, so that during the measured round the server
// only matches validators and writes bytes: the round measures the poller,
// not this server's XML and gzip work.
type feedSet struct {
	n, items int
	epoch    time.Time // item k was published at epoch + k minutes

	mu      sync.RWMutex
	version []int
	bodies  []feedBody

	requests, ok, notModified, bytes, conns atomic.Int64
}

type feedBody struct {
	plain, gz    []byte
	etag, lastMo string
}

func newFeedSet(n, items int, now time.Time) *feedSet {
	return &feedSet{
		n: n, items: items,
		// Recent enough that a first poll posts its newest items (no older
		// than 30 days), old enough that no item is dated in the future
		// however many rounds run.
		epoch:   now.Add(-48 * time.Hour).Truncate(time.Minute),
		version: make([]int, n),
		bodies:  make([]feedBody, n),
	}
}

// bump moves every feed to its next version: one new item each.
func (s *feedSet) bump() {
	s.mu.Lock()
	for i := range s.version {
		s.version[i]++
	}
	s.mu.Unlock()
	s.prepare()
}

// prepare generates every feed's body for its current version, using every
// CPU, before the round that serves them.
func (s *feedSet) prepare() {
	s.mu.Lock()
	defer s.mu.Unlock()
	var wg sync.WaitGroup
	workers := 8
	for w := range workers {
		wg.Go(func() {
			var zb bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&zb, gzip.DefaultCompression)
			for i := w; i < s.n; i += workers {
				plain := renderFeed(i, s.version[i], s.items, s.epoch)
				zb.Reset()
				zw.Reset(&zb)
				zw.Write(plain)
				zw.Close()
				s.bodies[i] = feedBody{
					plain:  plain,
					gz:     bytes.Clone(zb.Bytes()),
					etag:   etagOf(i, s.version[i], plain),
					lastMo: s.lastModified(i).Format(http.TimeFormat),
				}
			}
		})
	}
	wg.Wait()
}

// lastModified is when feed i's newest item was published.
func (s *feedSet) lastModified(i int) time.Time {
	return s.epoch.Add(time.Duration(s.version[i]+s.items-1) * time.Minute)
}

// etagOf is a strong validator of one version's body.
func etagOf(i, v int, body []byte) string {
	h := fnv.New64a()
	h.Write(body)
	return fmt.Sprintf(`"%d-%d-%016x"`, i, v, h.Sum64())
}

// totals is a snapshot of the server's counters.
type totals struct{ requests, ok, notModified, bytes, conns int64 }

func (s *feedSet) totals() totals {
	return totals{s.requests.Load(), s.ok.Load(), s.notModified.Load(), s.bytes.Load(), s.conns.Load()}
}

func (a totals) minus(b totals) totals {
	return totals{a.requests - b.requests, a.ok - b.ok, a.notModified - b.notModified, a.bytes - b.bytes, a.conns - b.conns}
}

// serve answers on ln until it is closed. Every new TCP connection is
// counted: a client that keeps too few idle connections pays a handshake
// per request, which shows here.
func (s *feedSet) serve(ln net.Listener) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feeds/{file}", s.handle)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ConnState: func(_ net.Conn, st http.ConnState) {
			if st == http.StateNew {
				s.conns.Add(1)
			}
		},
	}
	go srv.Serve(ln)
	return srv
}

func (s *feedSet) handle(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	num, ok := strings.CutSuffix(r.PathValue("file"), ".xml")
	i, err := strconv.Atoi(num)
	if !ok || err != nil || i < 0 || i >= s.n {
		http.NotFound(w, r)
		return
	}
	s.mu.RLock()
	b := s.bodies[i]
	s.mu.RUnlock()
	h := w.Header()
	h.Set("ETag", b.etag)
	h.Set("Last-Modified", b.lastMo)
	h.Set("Cache-Control", "max-age=300")
	h.Set("Vary", "Accept-Encoding")
	if notModified(r, b.etag, b.lastMo) {
		s.notModified.Add(1)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := b.plain
	if acceptsGzip(r.Header.Get("Accept-Encoding")) {
		body = b.gz
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("Content-Type", "application/rss+xml; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	n, _ := w.Write(body)
	s.ok.Add(1)
	s.bytes.Add(int64(n))
}

// notModified applies RFC 9110's conditional GET: If-None-Match decides
// when present (weak comparison, as GET allows); otherwise If-Modified-Since.
func notModified(r *http.Request, etag, lastModified string) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for t := range strings.SplitSeq(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == strings.TrimPrefix(etag, "W/") {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		since, err1 := http.ParseTime(ims)
		lm, err2 := http.ParseTime(lastModified)
		return err1 == nil && err2 == nil && !lm.After(since)
	}
	return false
}

func acceptsGzip(ae string) bool {
	for c := range strings.SplitSeq(ae, ",") {
		name, q, _ := strings.Cut(strings.TrimSpace(c), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return strings.ReplaceAll(q, " ", "") != "q=0"
		}
	}
	return false
}

// words make the generated prose: varied enough that gzip compresses it
// about as well as real feed text (3-4x), not to nothing.
var words = strings.Fields(`the a of to and in for on with release update fixes security performance
server client database queue feed poll channel team webhook alert build deploy pipeline cluster node
memory latency throughput error warning notice changelog version patch minor major stable beta
improves adds removes deprecates migrates documents supports handles reports retries caches
configuration option default behaviour timeout limit request response header body parser scheduler
storage index transaction commit rollback backup restore replica primary region zone upstream`)

// renderFeed returns feed i's RSS 2.0 document at version v: items items,
// numbered v+items-1 down to v, each with a title, a description of a few
// hundred bytes, a link, a guid and a pubDate. The same (i, v) always gives
// the same bytes.
func renderFeed(i, v, items int, epoch time.Time) []byte {
	var b bytes.Buffer
	b.Grow(items * 700)
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>Project %d releases</title>
<link>https://example.com/projects/%d</link>
<description>Releases, security notices and changes of project %d.</description>
<language>en</language>
<atom:link href="https://example.com/feeds/%d.xml" rel="self" type="application/rss+xml"/>
<lastBuildDate>%s</lastBuildDate>
`, i, i, i, i, epoch.Add(time.Duration(v+items-1)*time.Minute).Format(time.RFC1123Z))
	for k := v + items - 1; k >= v; k-- {
		rng := rand.New(rand.NewPCG(uint64(i), uint64(k)))
		fmt.Fprintf(&b, "<item>\n<title>Project %d %d.%d: %s</title>\n", i, k/10, k%10, sentence(rng, 6+rng.IntN(6)))
		fmt.Fprintf(&b, "<link>https://example.com/projects/%d/releases/%d</link>\n", i, k)
		fmt.Fprintf(&b, "<guid isPermaLink=\"false\">urn:bench:feed:%d:item:%d</guid>\n", i, k)
		fmt.Fprintf(&b, "<pubDate>%s</pubDate>\n", epoch.Add(time.Duration(k)*time.Minute).Format(time.RFC1123Z))
		fmt.Fprintf(&b, "<description>%s</description>\n</item>\n", sentence(rng, 40+rng.IntN(30)))
	}
	b.WriteString("</channel>\n</rss>\n")
	return b.Bytes()
}

func sentence(rng *rand.Rand, n int) string {
	var b strings.Builder
	for j := range n {
		if j > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[rng.IntN(len(words))])
	}
	return b.String()
}

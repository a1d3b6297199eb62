package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/feed"
)

// The feed server's bodies parse as feeds, a version bump adds exactly one
// item, and conditional GET and gzip behave as a real server's.
func TestFeedServer(t *testing.T) {
	epoch := time.Now()
	fs := newFeedSet(3, 5, epoch)
	fs.prepare()
	if !bytes.Equal(renderFeed(1, 0, 5, fs.epoch), fs.bodies[1].plain) {
		t.Fatal("renderFeed is not deterministic")
	}
	f0, err := feed.Parse(fs.bodies[1].plain, "http://example.com/feeds/1.xml")
	if err != nil || len(f0.Items) != 5 {
		t.Fatalf("version 0: %v, %d items", err, len(f0.Items))
	}
	etag0 := fs.bodies[1].etag
	fs.bump()
	f1, err := feed.Parse(fs.bodies[1].plain, "http://example.com/feeds/1.xml")
	if err != nil {
		t.Fatal(err)
	}
	old := map[string]bool{}
	for _, it := range f0.Items {
		old[it.Key] = true
	}
	var added []string
	for _, it := range f1.Items {
		if !old[it.Key] {
			added = append(added, it.Key)
		}
	}
	if len(added) != 1 || f1.Items[0].Key != added[0] {
		t.Fatalf("a bump should add one item at the top; added %v", added)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := fs.serve(ln)
	defer srv.Close()
	get := func(hdr ...string) *http.Response {
		req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/feeds/1.xml", nil)
		for i := 0; i < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	cur := fs.bodies[1]
	if r := get("If-None-Match", cur.etag); r.StatusCode != http.StatusNotModified || r.Header.Get("ETag") != cur.etag {
		t.Errorf("matching If-None-Match: %d %q", r.StatusCode, r.Header.Get("ETag"))
	}
	if r := get("If-None-Match", etag0, "If-Modified-Since", cur.lastMo); r.StatusCode != http.StatusOK {
		t.Errorf("an old ETag must get the new body even with a current If-Modified-Since: %d", r.StatusCode)
	}
	if r := get("If-Modified-Since", cur.lastMo); r.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since at Last-Modified: %d", r.StatusCode)
	}
	r := get("Accept-Encoding", "gzip")
	if r.StatusCode != http.StatusOK || r.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip asked: %d %q", r.StatusCode, r.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if body, _ := io.ReadAll(zr); !bytes.Equal(body, cur.plain) {
		t.Error("the gzip body differs from the plain one")
	}
	if r := get(); r.Header.Get("Content-Encoding") != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/rss+xml") {
		t.Errorf("plain: %q %q", r.Header.Get("Content-Encoding"), r.Header.Get("Content-Type"))
	}
	if got := fs.totals(); got.requests != 5 || got.notModified != 2 || got.ok != 3 {
		t.Errorf("counters: %+v", got)
	}
}

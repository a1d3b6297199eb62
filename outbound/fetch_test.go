package outbound

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// newTestClient returns a client that may reach the loopback test servers.
func newTestClient(t *testing.T, o Options) *Client {
	t.Helper()
	o.AllowPrivate = true
	c := New(o)
	t.Cleanup(c.http.CloseIdleConnections)
	return c
}

func server(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

func mustFetch(t *testing.T, c *Client, r FetchRequest) *FetchResult {
	t.Helper()
	res, err := c.Fetch(context.Background(), r)
	if err != nil {
		t.Fatalf("Fetch(%s): %v", r.URL, err)
	}
	return res
}

func asError(t *testing.T, err error, want Kind) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *outbound.Error", err, err)
	}
	if e.Kind != want {
		t.Fatalf("kind = %v, want %v (error: %v)", e.Kind, want, err)
	}
	t.Logf("%v: %v", e.Kind, e)
	return e
}

func TestConditionalGETWithETag(t *testing.T) {
	var gets atomic.Int32
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		gets.Add(1)
		w.Header().Set("ETag", `"v1"`)
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		io.WriteString(w, "<rss/>")
	})
	c := newTestClient(t, Options{})
	first := mustFetch(t, c, FetchRequest{URL: s.URL})
	if first.Status != 200 || first.NotModified || string(first.Body) != "<rss/>" || first.ETag != `"v1"` {
		t.Fatalf("first fetch = %+v", first)
	}
	second := mustFetch(t, c, FetchRequest{URL: s.URL, ETag: first.ETag, LastModified: first.LastModified})
	if second.Status != 304 || !second.NotModified || second.Body != nil || second.ETag != `"v1"` {
		t.Fatalf("second fetch = %+v", second)
	}
	if gets.Load() != 2 {
		t.Fatalf("server saw %d requests, want 2", gets.Load())
	}
}

func TestConditionalGETWithLastModified(t *testing.T) {
	const lm = "Tue, 03 Nov 2026 10:00:00 GMT"
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") != "" {
			t.Errorf("If-None-Match sent without an ETag: %q", r.Header.Get("If-None-Match"))
		}
		if r.Header.Get("If-Modified-Since") == lm {
			// A 304 without validators: the request's are kept.
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", lm)
		io.WriteString(w, "feed")
	})
	c := newTestClient(t, Options{})
	first := mustFetch(t, c, FetchRequest{URL: s.URL})
	if first.LastModified != lm || first.ETag != "" || first.NotModified {
		t.Fatalf("first fetch = %+v", first)
	}
	second := mustFetch(t, c, FetchRequest{URL: s.URL, LastModified: first.LastModified})
	if !second.NotModified || second.LastModified != lm {
		t.Fatalf("second fetch = %+v", second)
	}
}

func TestHeaders(t *testing.T) {
	var ua, accept, ae string
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		ua, accept, ae = r.UserAgent(), r.Header.Get("Accept"), r.Header.Get("Accept-Encoding")
	})
	mustFetch(t, newTestClient(t, Options{}), FetchRequest{URL: s.URL, Accept: "application/rss+xml"})
	if !strings.HasPrefix(ua, "Herald") || accept != "application/rss+xml" || !strings.Contains(ae, "gzip") {
		t.Fatalf("User-Agent %q, Accept %q, Accept-Encoding %q", ua, accept, ae)
	}
	mustFetch(t, newTestClient(t, Options{UserAgent: "Herald/9 (test)"}), FetchRequest{URL: s.URL})
	if ua != "Herald/9 (test)" || accept != "*/*" {
		t.Fatalf("User-Agent %q, Accept %q", ua, accept)
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	plain := bytes.Repeat([]byte("<item>herald</item>\n"), 500)
	z := gzipped(t, plain)
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			w.Write(plain)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(z)
	})
	res := mustFetch(t, newTestClient(t, Options{}), FetchRequest{URL: s.URL})
	if !bytes.Equal(res.Body, plain) {
		t.Fatalf("body is %d bytes, want the %d decompressed bytes (compressed: %d)", len(res.Body), len(plain), len(z))
	}
}

func TestSizeCap(t *testing.T) {
	big := bytes.Repeat([]byte("x"), 5000)
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/declared": // Content-Length known up front
			w.Header().Set("Content-Length", "5000")
			w.Write(big)
		case "/chunked": // no length: the cap trips while reading
			w.Write(big[:1000])
			w.(http.Flusher).Flush()
			w.Write(big[1000:])
		case "/bomb": // small on the wire, large decompressed
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipped(t, bytes.Repeat([]byte{0}, 1<<20)))
		case "/exact":
			w.Write(big[:4096])
		}
	})
	c := newTestClient(t, Options{MaxBody: 4096})
	for _, path := range []string{"/declared", "/chunked", "/bomb"} {
		_, err := c.Fetch(context.Background(), FetchRequest{URL: s.URL + path})
		e := asError(t, err, KindTooLarge)
		if e.Limit != 4096 || !strings.Contains(err.Error(), "4 KiB limit") {
			t.Errorf("%s: %v (limit %d)", path, err, e.Limit)
		}
	}
	if res := mustFetch(t, c, FetchRequest{URL: s.URL + "/exact"}); len(res.Body) != 4096 {
		t.Fatalf("a body of exactly the cap: got %d bytes", len(res.Body))
	}
}

// redirector serves /r/<status>/<rest...>: answers status with Location
// /r/<rest...>, and /ok with 200.
func redirector(t *testing.T) *httptest.Server {
	return server(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/ok":
			io.WriteString(w, "ok")
		case r.URL.Path == "/loop-a":
			http.Redirect(w, r, "/loop-b", http.StatusMovedPermanently)
		case r.URL.Path == "/loop-b":
			http.Redirect(w, r, "/loop-a", http.StatusMovedPermanently)
		case r.URL.Path == "/self":
			http.Redirect(w, r, "/self", http.StatusFound)
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.com/feed", http.StatusMovedPermanently)
		case strings.HasPrefix(r.URL.Path, "/r/"):
			var code int
			rest := strings.TrimPrefix(r.URL.Path, "/r/")
			fmt.Sscanf(rest, "%d", &code)
			_, next, _ := strings.Cut(rest, "/")
			if strings.HasPrefix(next, "r/") || next == "ok" {
				next = "/" + next
			}
			http.Redirect(w, r, next, code)
		default:
			http.NotFound(w, r)
		}
	})
}

func TestRedirects(t *testing.T) {
	s := redirector(t)
	c := newTestClient(t, Options{})
	for _, tc := range []struct {
		path      string
		permanent bool
	}{
		{"/ok", false},
		{"/r/301/ok", true},
		{"/r/308/ok", true},
		{"/r/301/r/308/ok", true},
		{"/r/302/ok", false},
		{"/r/307/ok", false},
		{"/r/301/r/302/ok", false},
		{"/r/302/r/301/ok", false},
		{"/r/301/r/301/r/301/r/301/r/301/ok", true}, // 5 hops: the most allowed
	} {
		res := mustFetch(t, c, FetchRequest{URL: s.URL + tc.path})
		if res.Status != 200 || string(res.Body) != "ok" || res.FinalURL != s.URL+"/ok" || res.PermanentRedirect != tc.permanent {
			t.Errorf("%s: status %d, body %q, final %q, permanent %v (want %v)", tc.path, res.Status, res.Body, res.FinalURL, res.PermanentRedirect, tc.permanent)
		}
	}
	for _, tc := range []struct{ path, want string }{
		{"/loop-a", "redirect loop"},
		{"/self", "redirect loop"},
		{"/r/301/r/301/r/301/r/301/r/301/r/301/ok", "more than 5 redirects"},
		{"/ftp", "not an http or https URL"},
	} {
		_, err := c.Fetch(context.Background(), FetchRequest{URL: s.URL + tc.path})
		asError(t, err, KindRedirect)
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want it to mention %q", tc.path, err, tc.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/seconds":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/date":
			w.Header().Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
			w.WriteHeader(http.StatusTooManyRequests)
		case "/503":
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/none":
			w.WriteHeader(http.StatusTooManyRequests)
		case "/404":
			w.Header().Set("Retry-After", "30") // ignored: not 429 or 503
			http.NotFound(w, r)
		}
	})
	c := newTestClient(t, Options{})
	c.now = func() time.Time { return now }
	for _, tc := range []struct {
		path   string
		status int
		want   time.Duration
	}{
		{"/seconds", 429, 2 * time.Minute},
		{"/date", 429, 90 * time.Second},
		{"/503", 503, 30 * time.Second},
		{"/none", 429, 0},
		{"/404", 404, 0},
	} {
		res, err := c.Fetch(context.Background(), FetchRequest{URL: s.URL + tc.path})
		e := asError(t, err, KindStatus)
		if res == nil || res.Status != tc.status || res.RetryAfter != tc.want || e.Status != tc.status || e.RetryAfter != tc.want {
			t.Errorf("%s: result %+v, error %+v; want status %d, retry after %v", tc.path, res, e, tc.status, tc.want)
		}
	}
	_, err := c.Fetch(context.Background(), FetchRequest{URL: s.URL + "/404"})
	if !strings.Contains(err.Error(), "HTTP 404 Not Found; check the URL") {
		t.Errorf("404 message: %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"0", 0},
		{"-5", 0},
		{" 7 ", 7 * time.Second},
		{"soon", 0},
		{"99999999999999999999", MaxRetryAfter},
		{"604800", MaxRetryAfter},
		{"Fri, 27 Nov 2026 12:01:00 GMT", time.Minute},
		{"Friday, 27-Nov-26 12:01:00 GMT", time.Minute}, // RFC 850
		{"Fri Nov 27 12:01:00 2026", time.Minute},       // asctime
		{"Fri, 27 Nov 2026 11:00:00 GMT", 0},            // past
		{"Fri, 27 Nov 2036 11:00:00 GMT", MaxRetryAfter},
	} {
		if got := parseRetryAfter(tc.in, now); got != tc.want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := newTestClient(t, Options{Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := c.Fetch(context.Background(), FetchRequest{URL: s.URL})
	asError(t, err, KindTimeout)
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("timeout took %v", el)
	}
	if !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("message: %v", err)
	}
}

func TestTimeoutWhileReadingBody(t *testing.T) {
	release := make(chan struct{})
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "<rss>")
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	c := newTestClient(t, Options{Timeout: 300 * time.Millisecond})
	_, err := c.Fetch(context.Background(), FetchRequest{URL: s.URL})
	asError(t, err, KindTimeout)
}

func TestCanceled(t *testing.T) {
	release := make(chan struct{})
	s := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := newTestClient(t, Options{}).Fetch(ctx, FetchRequest{URL: s.URL})
	asError(t, err, KindCanceled)
}

func TestRefusesLoopbackByDefault(t *testing.T) {
	var hit atomic.Bool
	s := server(t, func(w http.ResponseWriter, r *http.Request) { hit.Store(true) })
	c := New(Options{}) // production settings: no private networks
	_, err := c.Fetch(context.Background(), FetchRequest{URL: s.URL})
	e := asError(t, err, KindRefused)
	if e.Addr.String() != "127.0.0.1" {
		t.Errorf("Addr = %v", e.Addr)
	}
	want := "127.0.0.1 is a loopback address; herald serve --allow-private-networks permits it"
	if err.Error() != want {
		t.Errorf("message:\n got %s\nwant %s", err, want)
	}
	if hit.Load() {
		t.Fatal("the request reached the server")
	}

	// By name, the message says what the name resolved to.
	port := s.URL[strings.LastIndexByte(s.URL, ':'):]
	_, err = c.Fetch(context.Background(), FetchRequest{URL: "http://localhost" + port + "/feed"})
	asError(t, err, KindRefused)
	if !strings.HasPrefix(err.Error(), "localhost resolves to a loopback address (") {
		t.Errorf("message: %v", err)
	}
	// Also through the plain http.Client, for callers that use HTTP().
	if resp, err := c.HTTP().Get(s.URL); err == nil {
		resp.Body.Close()
		t.Fatal("HTTP() reached a loopback server")
	}
	if hit.Load() {
		t.Fatal("the request reached the server")
	}
}

func TestInvalidURL(t *testing.T) {
	c := New(Options{})
	for _, u := range []string{"", "feed.example.com/rss", "file:///etc/passwd", "gopher://x/", "http://", "http://%zz"} {
		_, err := c.Fetch(context.Background(), FetchRequest{URL: u})
		asError(t, err, KindInvalidURL)
	}
}

func TestNetworkErrors(t *testing.T) {
	s := httptest.NewServer(http.NotFoundHandler())
	url := s.URL
	s.Close() // nothing listens there now
	_, err := newTestClient(t, Options{}).Fetch(context.Background(), FetchRequest{URL: url})
	asError(t, err, KindNetwork)
	// Name lookups are not made here (tests stay on loopback); the
	// classification of a resolver error is checked directly.
	u, _ := neturl.Parse("http://no-such-host.invalid/feed")
	e := classify(context.Background(), &neturl.Error{Op: "Get", URL: u.String(), Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "no-such-host.invalid", IsNotFound: true}}}, u)
	if e.Kind != KindNetwork || e.Error() != "no-such-host.invalid: no such host; check the URL" {
		t.Errorf("DNS error: %v %q", e.Kind, e)
	}
}

func TestCredentialsRedacted(t *testing.T) {
	s := server(t, func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	u := strings.Replace(s.URL, "http://", "http://user:secret@", 1)
	res, err := newTestClient(t, Options{}).Fetch(context.Background(), FetchRequest{URL: u})
	e := asError(t, err, KindStatus)
	if strings.Contains(e.URL, "secret") || strings.Contains(err.Error(), "secret") {
		t.Fatalf("password leaked: %q %q", e.URL, err)
	}
	if res.FinalURL != u {
		t.Fatalf("FinalURL %q, want the URL to store, %q", res.FinalURL, u)
	}
}

func TestKindString(t *testing.T) {
	if KindRefused.String() != "refused" || KindStatus.String() != "http_status" || Kind(0).String() != "unknown" || Kind(99).String() != "unknown" {
		t.Fatal("Kind names changed; they are stable codes")
	}
	if KindOf(errors.New("x")) != 0 || KindOf(fmt.Errorf("poll: %w", &Error{Kind: KindTimeout})) != KindTimeout {
		t.Fatal("KindOf")
	}
}

func TestTransportSettings(t *testing.T) {
	tr := New(Options{}).http.Transport.(*http.Transport)
	if tr.Proxy != nil {
		t.Error("Proxy must be nil: a proxy would reach private addresses past the guard")
	}
	if tr.TLSClientConfig.MinVersion < 0x0303 {
		t.Error("TLS below 1.2 allowed")
	}
	if tr.DisableCompression {
		t.Error("compression disabled")
	}
}

func TestTLSVerified(t *testing.T) {
	s := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer s.Close()
	_, err := newTestClient(t, Options{}).Fetch(context.Background(), FetchRequest{URL: s.URL})
	asError(t, err, KindNetwork)
	if !strings.Contains(err.Error(), "TLS failed") {
		t.Errorf("message: %v", err)
	}
}

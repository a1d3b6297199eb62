package outbound

import (
	"context"
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"code.dny.dev/ssrf"
)

// Defaults for the zero values of Options.
const (
	DefaultTimeout   = 30 * time.Second
	DefaultMaxBody   = 10 << 20
	DefaultUserAgent = "Herald (+https://github.com/heraldhq/herald)"
)

// MaxRedirects is the longest redirect chain followed.
const MaxRedirects = 5

// Timeouts of the individual steps of a request, inside Options.Timeout.
const (
	dialTimeout      = 10 * time.Second
	handshakeTimeout = 10 * time.Second
	idleConnTimeout  = 90 * time.Second
)

// Options configure New. A zero Options is the production default: public
// destinations only, DefaultUserAgent, DefaultTimeout and DefaultMaxBody.
type Options struct {
	// AllowPrivate permits private, loopback and other non-public
	// addresses and any port (herald serve --allow-private-networks;
	// tests on loopback).
	AllowPrivate bool
	// UserAgent is sent on every request that does not set its own.
	UserAgent string
	// Timeout bounds a whole request: connecting, redirects, headers and
	// reading the body.
	Timeout time.Duration
	// MaxBody caps a response body, counted after decompression.
	MaxBody int64
}

// Client is the guarded outbound HTTP client. It is safe for concurrent use;
// make one per process and share it.
type Client struct {
	http      *http.Client
	userAgent string
	maxBody   int64
	now       func() time.Time // for Retry-After dates; tests replace it
}

// New returns a Client configured by o. See the package documentation for
// what the guard refuses and why.
func New(o Options) *Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxBody <= 0 {
		o.MaxBody = DefaultMaxBody
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	g := newGuard(o.AllowPrivate)
	dialer := &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			return g.check(network, address)
		},
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial the target for us, past the guard
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true, // a custom DialContext otherwise turns HTTP/2 off
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   handshakeTimeout,
		ResponseHeaderTimeout: o.Timeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       idleConnTimeout,
		// Many feeds often live on one host (a blog platform, a forge):
		// keeping a connection per concurrent poll saves them and us a TCP
		// and TLS handshake on every poll.
		MaxIdleConns:           256,
		MaxIdleConnsPerHost:    64,
		MaxResponseHeaderBytes: 64 << 10,
		// DisableCompression stays false: with no Accept-Encoding on the
		// request the transport asks for gzip and decompresses.
	}
	return &Client{
		http: &http.Client{
			Transport:     tr,
			Timeout:       o.Timeout,
			CheckRedirect: checkRedirect,
		},
		userAgent: o.UserAgent,
		maxBody:   o.MaxBody,
		now:       time.Now,
	}
}

// newGuard returns the dial-time guard: public addresses on ports 80 and 443
// over TCP, or with allowPrivate any address and port over TCP.
func newGuard(allowPrivate bool) guard {
	if allowPrivate {
		return guard{ssrf.New(
			ssrf.WithAnyPort(),
			ssrf.WithAllowedV4Prefixes(netip.MustParsePrefix("0.0.0.0/0")),
			ssrf.WithAllowedV6Prefixes(netip.MustParsePrefix("::/0")),
		)}
	}
	return guard{ssrf.New()}
}

// HTTP returns the underlying *http.Client, for libraries that want one.
// The guard, timeouts and redirect policy apply; the body cap and typed
// errors do not (use Do for those).
func (c *Client) HTTP() *http.Client { return c.http }

// MaxBody returns the body cap in bytes.
func (c *Client) MaxBody() int64 { return c.maxBody }

// Do sends req through the guarded client, setting the User-Agent unless req
// has one. It returns the server's response whatever its status, and an
// *Error only when there is no response to return. The body is capped:
// reading past MaxBody fails with a KindTooLarge *Error, and a declared
// Content-Length over the cap fails at once. The caller closes the body.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if err := checkURL(req.URL); err != nil {
		return nil, err
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, classify(req.Context(), err, req.URL)
	}
	final := resp.Request.URL
	if resp.ContentLength > c.maxBody {
		resp.Body.Close()
		return nil, tooLarge(final, c.maxBody)
	}
	resp.Body = &cappedBody{rc: resp.Body, limit: c.maxBody, ctx: req.Context(), u: final}
	return resp, nil
}

// checkURL refuses what no transport should be asked to fetch.
func checkURL(u *url.URL) *Error {
	bad := func(why string) *Error {
		return &Error{Kind: KindInvalidURL, URL: redact(u), msg: why}
	}
	switch {
	case u == nil:
		return bad("no URL given")
	case !u.IsAbs():
		return bad(redact(u) + " is not an absolute URL; write it with http:// or https://")
	case u.Scheme != "http" && u.Scheme != "https":
		return bad(redact(u) + ": only http and https URLs can be fetched")
	case u.Hostname() == "":
		return bad("the URL " + redact(u) + " has no host name")
	}
	return nil
}

// ParseURL parses s for Fetch and Do, refusing what Fetch would refuse
// (relative URLs, schemes other than http and https, no host) with a
// KindInvalidURL *Error. Connection forms use it to reject a URL as typed.
func ParseURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, &Error{Kind: KindInvalidURL, msg: "no URL given"}
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, &Error{Kind: KindInvalidURL, Err: err, msg: "not a valid URL: " + shortErr(err)}
	}
	if e := checkURL(u); e != nil {
		return nil, e
	}
	return u, nil
}

// hopsKey is the context key under which Fetch asks checkRedirect to record
// each redirect's status.
type hopsKey struct{}

// checkRedirect is the client's redirect policy: at most MaxRedirects hops,
// no loops, http and https only. When the request context carries a *[]int
// under hopsKey, the status of each redirect followed is appended to it.
func checkRedirect(req *http.Request, via []*http.Request) error {
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &redirectError{msg: hostOf(via[0].URL) + " redirects to " + redact(req.URL) + ", which is not an http or https URL"}
	}
	next := req.URL.String()
	for _, v := range via {
		if v.URL.String() == next {
			return &redirectError{msg: hostOf(via[0].URL) + ": redirect loop (" + chain(via, req) + ")"}
		}
	}
	if len(via) > MaxRedirects {
		return &redirectError{msg: hostOf(via[0].URL) + ": more than " + strconv.Itoa(MaxRedirects) + " redirects (" + chain(via, req) + ")"}
	}
	if hops, ok := req.Context().Value(hopsKey{}).(*[]int); ok && req.Response != nil {
		*hops = append(*hops, req.Response.StatusCode)
	}
	return nil
}

func chain(via []*http.Request, last *http.Request) string {
	var b strings.Builder
	for _, v := range via {
		b.WriteString(redact(v.URL))
		b.WriteString(" -> ")
	}
	b.WriteString(redact(last.URL))
	return b.String()
}

// cappedBody returns a KindTooLarge *Error once more than limit bytes were
// read, and typed errors for failures while reading (a timeout mid-body).
type cappedBody struct {
	rc    io.ReadCloser
	n     int64
	limit int64
	ctx   context.Context
	u     *url.URL
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.n > b.limit {
		return 0, tooLarge(b.u, b.limit)
	}
	// Ask for at most one byte past the limit: enough to know it was
	// passed without reading (and decompressing) much more.
	if rest := b.limit - b.n + 1; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := b.rc.Read(p)
	b.n += int64(n)
	if b.n > b.limit {
		return n - int(b.n-b.limit), tooLarge(b.u, b.limit)
	}
	if err != nil && err != io.EOF {
		return n, classify(b.ctx, err, b.u)
	}
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

package outbound

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps the delay taken from a Retry-After header, so that a
// server cannot stop a poll for good with a date years ahead.
const MaxRetryAfter = 24 * time.Hour

// FetchRequest is one conditional GET.
type FetchRequest struct {
	URL string
	// ETag and LastModified are the validators stored from the previous
	// FetchResult, sent as If-None-Match and If-Modified-Since (verbatim).
	ETag         string
	LastModified string
	// Accept is the Accept header; empty sends "*/*".
	Accept string
}

// FetchResult is the outcome of a conditional GET.
type FetchResult struct {
	Status int
	// NotModified is true on 304: Body is nil and the stored copy is
	// current.
	NotModified bool
	// Body is the (decompressed) body of a successful answer.
	Body []byte
	// ContentType is the response's Content-Type header.
	ContentType string
	// ETag and LastModified are the validators to store for the next
	// request: the response's, or on a 304 that omits them, the request's.
	ETag         string
	LastModified string
	// FinalURL is the URL that answered, after redirects. It is meant to
	// be stored, so it keeps any credentials the request URL had: redact
	// it (url.URL.Redacted) before showing it.
	FinalURL string
	// PermanentRedirect is true when at least one redirect was followed
	// and every hop was permanent (301 or 308): the caller may then store
	// FinalURL in place of the URL it asked for.
	PermanentRedirect bool
	// RetryAfter is the server's Retry-After on 429 and 503 (seconds or an
	// HTTP date), capped at MaxRetryAfter; 0 otherwise.
	RetryAfter time.Duration
}

// Fetch performs a conditional GET of r.URL.
//
// A 2xx answer returns the body; a 304 returns NotModified. Any other status
// returns both the FetchResult (Status, FinalURL, RetryAfter) and a
// KindStatus *Error carrying the same Status and RetryAfter. Every other
// failure returns only an *Error; see Kind.
func (c *Client) Fetch(ctx context.Context, r FetchRequest) (*FetchResult, error) {
	u, err := ParseURL(r.URL)
	if err != nil {
		return nil, err
	}
	var hops []int
	ctx = context.WithValue(ctx, hopsKey{}, &hops)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Kind: KindInvalidURL, URL: redact(u), Err: err, msg: "not a valid URL: " + err.Error()}
	}
	accept := r.Accept
	if accept == "" {
		accept = "*/*"
	}
	req.Header.Set("Accept", accept)
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()

	res := &FetchResult{
		Status:            resp.StatusCode,
		ContentType:       resp.Header.Get("Content-Type"),
		ETag:              resp.Header.Get("ETag"),
		LastModified:      resp.Header.Get("Last-Modified"),
		FinalURL:          resp.Request.URL.String(),
		PermanentRedirect: len(hops) > 0,
	}
	for _, h := range hops {
		if h != http.StatusMovedPermanently && h != http.StatusPermanentRedirect {
			res.PermanentRedirect = false
		}
	}
	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.NotModified = true
		if res.ETag == "" {
			res.ETag = r.ETag
		}
		if res.LastModified == "" {
			res.LastModified = r.LastModified
		}
		return res, nil
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, classify(ctx, err, resp.Request.URL)
		}
		res.Body = body
		return res, nil
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		res.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), c.now())
	}
	// Drain a little so that the connection can be reused; error pages
	// are small, and anything larger is not worth reading.
	io.CopyN(io.Discard, resp.Body, 4<<10)
	return res, statusError(resp.Request.URL, resp.StatusCode, res.RetryAfter)
}

// parseRetryAfter reads a Retry-After value: delay-seconds or an HTTP date
// (RFC 9110, section 10.2.3). Anything unreadable, negative or in the past
// is 0; the result is at most MaxRetryAfter.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		if n <= 0 {
			return 0
		}
		if n >= int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	if d <= 0 {
		return 0
	}
	return min(d, MaxRetryAfter)
}

package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"

	"code.dny.dev/ssrf"
)

// Kind classifies an outbound failure.
type Kind int

const (
	// KindInvalidURL: the URL cannot be fetched as written (not absolute,
	// not http or https, no host). A person must change it.
	KindInvalidURL Kind = iota + 1
	// KindRefused: the guard refused the destination (a private, loopback
	// or otherwise non-public address, or a port other than 80 and 443).
	// Error.Addr holds the refused address.
	KindRefused
	// KindNetwork: DNS, connection or TLS failure.
	KindNetwork
	// KindTimeout: the request or the body read took longer than allowed.
	KindTimeout
	// KindCanceled: the caller's context was canceled (shutdown); not a
	// failure of the remote server.
	KindCanceled
	// KindRedirect: too many redirects, a loop, or a redirect to a scheme
	// other than http or https.
	KindRedirect
	// KindStatus: the server answered with an HTTP status that is not a
	// success (nor 304 for Fetch). Error.Status holds it, and
	// Error.RetryAfter the server's Retry-After on 429 and 503.
	KindStatus
	// KindTooLarge: the body is larger than Options.MaxBody. Error.Limit
	// holds the cap.
	KindTooLarge
)

var kindNames = [...]string{
	KindInvalidURL: "invalid_url",
	KindRefused:    "refused",
	KindNetwork:    "network",
	KindTimeout:    "timeout",
	KindCanceled:   "canceled",
	KindRedirect:   "redirect",
	KindStatus:     "http_status",
	KindTooLarge:   "too_large",
}

// String returns a stable snake_case name, suitable for logs, metrics and
// API error codes.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "unknown"
}

// Error is an outbound failure. Its message is meant for a person: it names
// the host and says what to do where something can be done.
type Error struct {
	Kind Kind
	// URL is the URL that failed, with credentials redacted: the redirect
	// target when a hop failed.
	URL string
	// Status is the HTTP status for KindStatus.
	Status int
	// RetryAfter is the delay the server asked for with Retry-After on a
	// 429 or 503 answer (at most MaxRetryAfter), or 0.
	RetryAfter time.Duration
	// Addr is the refused address for KindRefused (invalid when the port,
	// not the address, was refused: see Port).
	Addr netip.Addr
	// Port is the destination port for KindRefused.
	Port uint16
	// Limit is the body cap for KindTooLarge.
	Limit int64
	// Err is the underlying cause, if any.
	Err error

	msg string
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of the *Error in err's chain, or 0 when there is
// none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// refusal is what the dialer's Control function returns when the guard
// refuses a destination. It travels up through net.OpError and url.Error and
// is turned into a KindRefused *Error by classify, which knows the host name.
type refusal struct {
	addr    netip.AddrPort
	portErr bool // the port was refused, not the address
	err     error
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// redirectError is what CheckRedirect returns to stop a chain.
type redirectError struct{ msg string }

func (r *redirectError) Error() string { return r.msg }

// addrClass names the kind of non-public address a is, for messages.
func addrClass(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsLoopback():
		return "loopback"
	case a.IsPrivate():
		return "private"
	case a.IsLinkLocalUnicast():
		return "link-local"
	case a.IsUnspecified():
		return "unspecified"
	case a.IsMulticast(), a.IsLinkLocalMulticast(), a.IsInterfaceLocalMulticast():
		return "multicast"
	case a.Is4() && netip.MustParsePrefix("100.64.0.0/10").Contains(a):
		return "shared (carrier-grade NAT)"
	}
	return "non-public"
}

// redact returns u without its password, for messages.
func redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Redacted()
}

// hostOf names the server in messages: the host and, when the URL has one,
// the port.
func hostOf(u *url.URL) string {
	if u == nil || u.Host == "" {
		return "the server"
	}
	return u.Host
}

// classify turns an error from the http.Client (or from reading a body) into
// an *Error. u is the URL being fetched when the error occurred, if known;
// a *url.Error in the chain gives a more precise one (the failed hop).
func classify(ctx context.Context, err error, u *url.URL) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if p, perr := url.Parse(ue.URL); perr == nil {
			u = p
		}
	}
	out := &Error{URL: redact(u), Err: err}
	host := hostOf(u)
	name := "the server"
	if u != nil && u.Hostname() != "" {
		name = u.Hostname()
	}

	var ref *refusal
	var rd *redirectError
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	var netErr net.Error
	var opErr *net.OpError
	switch {
	case errors.As(err, &ref):
		out.Kind = KindRefused
		out.Port = ref.addr.Port()
		if !ref.addr.IsValid() {
			out.msg = fmt.Sprintf("%s: connection refused by Herald's address guard (%v)", host, ref.err)
			break
		}
		if ref.portErr {
			out.msg = fmt.Sprintf("%s: port %d refused: Herald connects to ports 80 and 443 only; herald serve --allow-private-networks permits other ports", name, ref.addr.Port())
			break
		}
		a := ref.addr.Addr()
		out.Addr = a
		class := addrClass(a)
		if ip, perr := netip.ParseAddr(name); perr == nil && ip.Unmap() == a.Unmap() {
			out.msg = fmt.Sprintf("%s is a %s address; herald serve --allow-private-networks permits it", name, class)
		} else {
			out.msg = fmt.Sprintf("%s resolves to a %s address (%s); herald serve --allow-private-networks permits it", name, class, a.Unmap())
		}
	case errors.As(err, &rd):
		out.Kind = KindRedirect
		out.msg = rd.msg
	case errors.Is(err, context.Canceled) && ctx != nil && ctx.Err() != nil:
		out.Kind = KindCanceled
		out.msg = fmt.Sprintf("request to %s canceled", host)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		out.Kind = KindTimeout
		out.msg = fmt.Sprintf("%s did not answer in time; Herald will retry later", host)
	case errors.As(err, &dnsErr):
		out.Kind = KindNetwork
		if dnsErr.IsNotFound {
			out.msg = fmt.Sprintf("%s: no such host; check the URL", name)
		} else {
			out.msg = fmt.Sprintf("%s: name lookup failed (%s)", name, dnsErr.Err)
		}
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostnameErr), errors.As(err, &recordErr):
		out.Kind = KindNetwork
		out.msg = fmt.Sprintf("%s: TLS failed (%s); the server's certificate or HTTPS setup is not valid", host, shortErr(err))
	case errors.As(err, &opErr) && opErr.Op == "dial":
		out.Kind = KindNetwork
		out.msg = fmt.Sprintf("%s: cannot connect (%v)", host, innermost(opErr))
	default:
		out.Kind = KindNetwork
		out.msg = fmt.Sprintf("%s: %s", host, shortErr(err))
	}
	return out
}

// shortErr is err's innermost useful text: url.Error repeats the method and
// URL, which the message already names.
func shortErr(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// innermost is the deepest error in err's Unwrap chain: "connection
// refused" rather than "dial tcp 10.1.2.3:443: connect: connection refused".
func innermost(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// statusError builds the KindStatus error for an answer that is neither a
// success nor, for Fetch, a 304.
func statusError(u *url.URL, status int, retryAfter time.Duration) *Error {
	host := hostOf(u)
	text := http.StatusText(status)
	if text == "" {
		text = "status " + strconv.Itoa(status)
	}
	var hint string
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		if retryAfter > 0 {
			hint = "; the server asked to wait " + retryAfter.String()
		} else {
			hint = "; Herald will retry later"
		}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		hint = "; the server refuses Herald (it may need credentials or block unknown clients)"
	case status == http.StatusNotFound || status == http.StatusGone:
		hint = "; check the URL"
	case status >= 500:
		hint = "; a server error, Herald will retry later"
	case status >= 300 && status < 400:
		hint = "; a redirect without a usable Location"
	}
	return &Error{
		Kind:       KindStatus,
		URL:        redact(u),
		Status:     status,
		RetryAfter: retryAfter,
		msg:        fmt.Sprintf("%s answered HTTP %d %s%s", host, status, text, hint),
	}
}

func tooLarge(u *url.URL, limit int64) *Error {
	return &Error{
		Kind:  KindTooLarge,
		URL:   redact(u),
		Limit: limit,
		msg:   fmt.Sprintf("the response from %s is larger than the %s limit", hostOf(u), formatBytes(limit)),
	}
}

// formatBytes writes n in the largest binary unit that divides it, else in
// bytes: 10 MiB, 1536 KiB, 1000 bytes.
func formatBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + " GiB"
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// guard wraps an ssrf.Guardian as a net.Dialer Control function that
// returns *refusal. The address is checked before the port so that a
// private address on an odd port is reported as what matters: the address.
type guard struct{ g *ssrf.Guardian }

func (g guard) check(network, address string) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refusal{err: fmt.Errorf("%w: %s", ssrf.ErrInvalidHostPort, address)}
	}
	if err := g.g.SafeAddr(ap.Addr()); err != nil {
		return &refusal{addr: ap, err: err}
	}
	if err := g.g.Safe(network, address, nil); err != nil {
		return &refusal{addr: ap, portErr: errors.Is(err, ssrf.ErrProhibitedPort), err: err}
	}
	return nil
}

// Package outbound is the one HTTP client Herald uses to reach other servers:
// feed polls today, action callbacks and deliveries later. Every outbound
// request goes through a [Client] made by [New], so the rules below hold for
// all of them and are tested once.
//
// # The private-address guard
//
// A connector URL is chosen by a team member, not by the operator, so a poll
// must not become a way to read the operator's internal network (cloud
// metadata at 169.254.169.254, an admin page on 10.0.0.4, Herald itself on
// 127.0.0.1). The guard is code.dny.dev/ssrf installed as the dialer's
// Control function: it sees the IP address the socket is about to connect to,
// after DNS resolution, for the first request and for every redirect hop. A
// host name that resolves to a public address for a check and to a private
// one for the connection (DNS rebinding) is therefore still refused, because
// there is no separate check to fool.
//
// Without [Options.AllowPrivate] the guard refuses the IANA special-purpose
// ranges (private, loopback, link-local, shared, documentation, multicast,
// reserved; IPv6 outside global unicast, IPv4-mapped addresses included) and
// every port but 80 and 443. The port rule stops Herald from being used to
// knock on SMTP, Redis or database ports of public hosts. AllowPrivate (the
// operator's `herald serve --allow-private-networks`, and tests on loopback)
// lifts both rules: an operator who trusts the network to that degree
// trusts its ports too, and one switch is easier to reason about than two.
//
// The transport's Proxy is nil on purpose: with a proxy the dialer would
// connect to the proxy, the guard would check the proxy's address, and the
// proxy would reach the private target for us. HTTP_PROXY and friends are
// therefore ignored.
//
// # Transport settings
//
// TLS 1.2 or later; HTTP/2 when the server offers it; connection, TLS
// handshake and response-header timeouts, and an overall per-request
// deadline ([Options.Timeout], default 30 s). No cookie jar. Compression is
// left to Go's transport: when a request carries no Accept-Encoding header,
// the transport asks for gzip and decompresses the body itself, so callers
// always see plain bytes. The body cap ([Options.MaxBody], default 10 MiB)
// counts decompressed bytes, which also stops a small gzip bomb from
// becoming a large allocation.
//
// Redirects are followed up to [MaxRedirects] hops; a loop (a URL seen
// before in the same chain) and a hop to a scheme other than http or https
// stop the chain with a [KindRedirect] error.
//
// # Conditional GET
//
// [Client.Fetch] is the polite feed GET: it sends If-None-Match and
// If-Modified-Since from the validators the caller stored, reports 304 as
// NotModified, returns the validators to store next, reports whether every
// redirect hop was permanent (301 or 308) so the caller may update the
// stored URL, and reads Retry-After on 429 and 503. The feed library Herald
// uses (gofeed) has no conditional GET of its own, which is why this lives
// here and the feed package only parses bytes.
//
// # Errors
//
// Failures are *[Error] values. Their [Kind] tells a refused destination from
// an HTTP status, a timeout, a body over the cap, a bad redirect chain or a
// network failure, so that a scheduler can choose between retrying, backing
// off and asking a person to act; their message is written for that person,
// e.g. "feed.example.com resolves to a private address (10.0.0.4); herald
// serve --allow-private-networks permits it". Unlike most of Herald's error
// strings they do not start with the package name, because they are shown
// as they are (a connection's "Attention required" reason). URLs in messages
// have their credentials redacted. [Kind.String] gives stable codes for logs,
// metrics and the API.
//
// # Other callers
//
// [Client.Do] sends any request through the same guard, with the same
// User-Agent, body cap and typed errors (action callbacks, deliveries).
// [Client.HTTP] hands the *http.Client itself to libraries that insist on
// one; the guard, timeouts and redirect policy still apply there. [ParseURL]
// checks a URL as typed into a form, before anything is fetched.
//
// # Backoff
//
// [Backoff] gives the delay before the next attempt after consecutive
// failures: exponential from a base (a feed's interval), capped at a day,
// with jitter so that feeds that failed together do not retry together. A
// server's Retry-After, when longer, should win; a KindRefused or
// KindInvalidURL failure will not heal by itself and is worth showing to a
// person at once.
package outbound

package outbound

import (
	"errors"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestGuard checks the dial-time decision on addresses that no test may
// actually connect to.
func TestGuard(t *testing.T) {
	g := newGuard
	for _, tc := range []struct {
		network, addr string
		strict, open  bool // allowed?
		class         string
	}{
		{"tcp4", "93.184.215.14:443", true, true, ""},
		{"tcp4", "93.184.215.14:80", true, true, ""},
		{"tcp4", "93.184.215.14:8080", false, true, ""},
		{"tcp4", "93.184.215.14:25", false, true, ""},
		{"tcp6", "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:443", true, true, ""},
		{"tcp4", "10.0.0.4:443", false, true, "private"},
		{"tcp4", "172.16.5.5:80", false, true, "private"},
		{"tcp4", "192.168.64.1:443", false, true, "private"},
		{"tcp4", "127.0.0.1:80", false, true, "loopback"},
		{"tcp4", "169.254.169.254:80", false, true, "link-local"},
		{"tcp4", "100.100.100.200:80", false, true, "shared (carrier-grade NAT)"},
		{"tcp4", "0.0.0.0:80", false, true, "unspecified"},
		{"tcp4", "224.0.0.1:80", false, true, "multicast"},
		{"tcp4", "198.18.0.1:443", false, true, "non-public"},
		{"tcp6", "[::1]:443", false, true, "loopback"},
		{"tcp6", "[fe80::1]:443", false, true, "link-local"},
		{"tcp6", "[fd00::1]:443", false, true, "private"},
		{"tcp6", "[::ffff:127.0.0.1]:443", false, true, "loopback"},
		{"tcp6", "[::ffff:10.0.0.1]:443", false, true, "private"},
		{"udp4", "93.184.215.14:443", false, false, ""},
	} {
		errStrict := g(false).check(tc.network, tc.addr)
		if (errStrict == nil) != tc.strict {
			t.Errorf("strict %s %s: %v", tc.network, tc.addr, errStrict)
		}
		if err := g(true).check(tc.network, tc.addr); (err == nil) != tc.open {
			t.Errorf("AllowPrivate %s %s: %v", tc.network, tc.addr, err)
		}
		var ref *refusal
		if tc.class != "" && errors.As(errStrict, &ref) {
			if ref.portErr {
				t.Errorf("%s: reported as a port refusal", tc.addr)
			}
			if got := addrClass(ref.addr.Addr()); got != tc.class {
				t.Errorf("%s: class %q, want %q", tc.addr, got, tc.class)
			}
		}
	}
}

func TestRefusalMessages(t *testing.T) {
	u, _ := url.Parse("https://feed.example.com/rss")
	ap := netip.MustParseAddrPort("10.0.0.4:443")
	err := classify(nil, &url.Error{Op: "Get", URL: u.String(), Err: &refusal{addr: ap, err: errors.New("x")}}, nil)
	want := "feed.example.com resolves to a private address (10.0.0.4); herald serve --allow-private-networks permits it"
	if err.Kind != KindRefused || err.Error() != want || err.Addr != ap.Addr() || err.Port != 443 {
		t.Errorf("got %v %q, want %q", err.Kind, err.Error(), want)
	}
	err = classify(nil, &url.Error{Op: "Get", URL: "http://feed.example.com:8080/rss", Err: &refusal{addr: netip.MustParseAddrPort("93.184.215.14:8080"), portErr: true, err: errors.New("x")}}, nil)
	if err.Kind != KindRefused || !strings.Contains(err.Error(), "port 8080 refused: Herald connects to ports 80 and 443 only") {
		t.Errorf("port refusal: %v", err)
	}
}

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		base     time.Duration
		failures int
		r        float64
		want     time.Duration
	}{
		{time.Minute, -1, 0, 0},
		{time.Minute, 0, 0.5, 0},
		{0, 3, 0.5, 0},
		{time.Minute, 1, 0, time.Minute},
		{time.Minute, 1, 0.999999, time.Minute - 15*time.Second + 15*time.Microsecond},
		{time.Minute, 2, 0, 2 * time.Minute},
		{time.Minute, 3, 0.5, 4*time.Minute - 30*time.Second},
		{time.Minute, 10, 0, 512 * time.Minute},
		{time.Minute, 11, 0, 1024 * time.Minute},
		{time.Minute, 12, 0, 24 * time.Hour},
		{time.Minute, 64, 0, 24 * time.Hour},
		{time.Minute, 1 << 30, 0.5, 21 * time.Hour},
		{15 * time.Minute, 3, 0, time.Hour},
		{15 * time.Minute, 7, 0, 16 * time.Hour},
		{15 * time.Minute, 8, 0, 24 * time.Hour},
		{48 * time.Hour, 1, 0, 48 * time.Hour}, // a base over the cap is the cap
		{48 * time.Hour, 5, 0, 48 * time.Hour},
	} {
		if got := backoff(tc.base, tc.failures, tc.r); got != tc.want {
			t.Errorf("backoff(%v, %d, %v) = %v, want %v", tc.base, tc.failures, tc.r, got, tc.want)
		}
	}
	// The random variant stays within its bounds and grows.
	prev := time.Duration(0)
	for n := 1; n <= 80; n++ {
		hi := min(time.Minute<<min(n-1, 11), BackoffMax)
		for range 50 {
			d := Backoff(time.Minute, n)
			if d <= hi*3/4-time.Microsecond || d > hi {
				t.Fatalf("Backoff(1m, %d) = %v, outside (%v, %v]", n, d, hi*3/4, hi)
			}
		}
		if hi < prev {
			t.Fatalf("bound shrank at %d", n)
		}
		prev = hi
	}
}

package httpapi

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"
	"golang.org/x/time/rate"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/password"
	"github.com/heraldhq/herald/store"
)

const sessionUser = "user_id"

func newSessions(st *store.Store, baseURL string) *scs.SessionManager {
	sm := scs.New()
	sm.Store = st.Sessions()
	sm.Lifetime = 14 * 24 * time.Hour
	sm.IdleTimeout = 3 * 24 * time.Hour
	sm.Cookie.Name = "herald_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = strings.HasPrefix(baseURL, "https://")
	sm.Cookie.Path = "/"
	return sm
}

// dummyHash is checked when no user has the email given, so that a sign-in
// takes as long for an unknown email as for a wrong password.
var dummyHash = password.Hash("no user has this password")

// signIn is POST /api/v1/session {"email","password"}: it starts a browser
// session (a cookie) and answers with the user.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request) error {
	if !s.signins.allow(clientIP(r)) {
		return herald.Errorf(herald.ETooMany, "Too many sign-in attempts from your address; wait a minute and try again.")
	}
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	org, err := s.store.Org(r.Context())
	if err != nil {
		return err
	}
	u, hash, err := s.store.UserByEmail(r.Context(), org.ID, strings.TrimSpace(req.Email))
	if err != nil && herald.ErrorCode(err) != herald.ENotFound {
		return err
	}
	if u == nil || hash == "" {
		hash = dummyHash
	}
	ok, err := password.Verify(req.Password, hash)
	if err != nil || !ok || u == nil {
		return herald.Errorf(herald.EUnauthorized, "The email or the password is wrong.")
	}
	// A new token on sign-in, so that a token planted before it is useless.
	if err := s.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	s.sessions.Put(r.Context(), sessionUser, u.ID)
	return writeJSON(w, http.StatusOK, u)
}

// signOut is DELETE /api/v1/session.
func (s *Server) signOut(w http.ResponseWriter, r *http.Request) error {
	if err := s.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sessionUserID returns the user of the request's browser session, if any.
func (s *Server) sessionUserID(ctx context.Context) string {
	return s.sessions.GetString(ctx, sessionUser)
}

// clientIP is the peer's address. Herald does not trust X-Forwarded-For:
// behind a proxy, every client shares the proxy's budget.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// ipLimiter allows a burst of attempts per address, refilled slowly.
type ipLimiter struct {
	mu    sync.Mutex
	every time.Duration
	burst int
	ips   map[string]*ipEntry
	swept time.Time
}

type ipEntry struct {
	l    *rate.Limiter
	seen time.Time
}

func newIPLimiter(every time.Duration, burst int) *ipLimiter {
	return &ipLimiter{every: every, burst: burst, ips: make(map[string]*ipEntry)}
}

func (l *ipLimiter) allow(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.swept) > time.Hour {
		for k, e := range l.ips {
			if now.Sub(e.seen) > time.Hour {
				delete(l.ips, k)
			}
		}
		l.swept = now
	}
	e := l.ips[ip]
	if e == nil {
		e = &ipEntry{l: rate.NewLimiter(rate.Every(l.every), l.burst)}
		l.ips[ip] = e
	}
	e.seen = now
	return e.l.AllowN(now, 1)
}

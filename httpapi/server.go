// Package httpapi serves Herald over HTTP: the webhook endpoints (Teams and
// Slack URL shapes), the JSON API under /api/v1 with its live streams, and
// the health endpoints. Every route is registered in routes(), so the whole
// surface can be read in one place.
package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/alexedwards/scs/v2"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/ingest"
	"github.com/heraldhq/herald/live"
	"github.com/heraldhq/herald/poll"
	"github.com/heraldhq/herald/store"
	"github.com/heraldhq/herald/webhookurl"
)

// ErrorMode chooses how the webhook reports failures after a payload was
// read (too large, throttled): "strict" answers with the real status; "teams-compat"
// answers 200 with the text Teams uses, for senders that remove a webhook on
// any non-2xx answer.
const (
	ErrorModeStrict      = "strict"
	ErrorModeTeamsCompat = "teams-compat"
)

// Config holds what the server needs besides its collaborators.
type Config struct {
	BaseURL   string // scheme://host[:port] that webhook URLs are built on
	ErrorMode string
	Logger    *slog.Logger
	Now       func() time.Time // the clock, for tests; default time.Now
	// Web serves every path no other route takes (the browser UI); nil
	// leaves them unanswered (404).
	Web http.Handler
	// Poller polls feed connections; nil on a node that does not.
	Poller *poll.Poller
}

// Server is the HTTP surface of one Herald node.
type Server struct {
	cfg    Config
	store  *store.Store
	ingest *ingest.Service
	hub    *live.Hub
	keys   *webhookurl.Keyring
	log    *slog.Logger
	mux    *http.ServeMux
	done   chan struct{} // closed when the server shuts down
	once   sync.Once

	sessions *scs.SessionManager
	signins  *ipLimiter
	csrf     *http.CrossOriginProtection
}

// New returns a Server.
func New(cfg Config, st *store.Store, in *ingest.Service, hub *live.Hub, keys *webhookurl.Keyring) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.ErrorMode == "" {
		cfg.ErrorMode = ErrorModeStrict
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, store: st, ingest: in, hub: hub, keys: keys, log: cfg.Logger, mux: http.NewServeMux(), done: make(chan struct{}),
		sessions: newSessions(st, cfg.BaseURL), signins: newIPLimiter(6*time.Second, 10), csrf: http.NewCrossOriginProtection()}
	s.routes()
	return s
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// Shutdown ends the long-lived streams, so that http.Server.Shutdown, which
// waits for handlers to return, can finish. Register it with
// http.Server.RegisterOnShutdown.
func (s *Server) Shutdown() { s.once.Do(func() { close(s.done) }) }

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

func (s *Server) routes() {
	// Webhooks: the Teams URL (and its pre-2021 alias /webhook/), and the
	// Slack-compatible one. The token segment starts with "V2" in Teams URLs.
	s.mux.HandleFunc("POST /webhookb2/{group}/{connector}/{connection}/{creator}/{token}", s.handleTeamsWebhook)
	s.mux.HandleFunc("POST /webhook/{group}/{connector}/{connection}/{creator}/{token}", s.handleTeamsWebhook)
	s.mux.HandleFunc("POST /services/{team}/{bot}/{token}", s.handleSlackWebhook)

	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	s.mux.HandleFunc("GET /readyz", s.handleReady)

	s.mux.Handle("GET /api/v1/teams", s.api(s.listTeams))
	s.mux.Handle("POST /api/v1/teams", s.api(s.createTeam))
	s.mux.Handle("GET /api/v1/teams/{id}", s.api(s.getTeam))
	s.mux.Handle("GET /api/v1/teams/{id}/channels", s.api(s.listChannels))
	s.mux.Handle("POST /api/v1/teams/{id}/channels", s.api(s.createChannel))
	s.mux.Handle("GET /api/v1/channels/{id}", s.api(s.getChannel))
	s.mux.Handle("GET /api/v1/channels/{id}/connections", s.api(s.listConnections))
	s.mux.Handle("POST /api/v1/channels/{id}/connections", s.api(s.createConnection))
	s.mux.Handle("GET /api/v1/channels/{id}/messages", s.api(s.listMessages))
	s.mux.Handle("GET /api/v1/channels/{id}/events", s.api(s.channelEvents))
	s.mux.Handle("GET /api/v1/connections/{id}", s.api(s.getConnection))
	s.mux.Handle("DELETE /api/v1/connections/{id}", s.api(s.deleteConnection))
	s.mux.Handle("PATCH /api/v1/connections/{id}", s.api(s.updateConnection))
	s.mux.Handle("POST /api/v1/connections/{id}/url", s.api(s.rotateURL))
	s.mux.Handle("POST /api/v1/connections/{id}/poll", s.api(s.pollConnection))
	s.mux.Handle("GET /api/v1/connections", s.api(s.listOrgConnections))
	s.mux.Handle("GET /api/v1/org/url-rotation", s.api(s.urlRotation))
	s.mux.Handle("POST /api/v1/org/url-rotation", s.api(s.requireURLUpdate))
	s.mux.Handle("DELETE /api/v1/org/url-rotation", s.api(s.cancelURLUpdate))
	s.mux.Handle("GET /api/v1/connections/{id}/image", s.api(s.getConnectionImage))
	s.mux.Handle("PUT /api/v1/connections/{id}/image", s.api(s.putConnectionImage))
	s.mux.Handle("DELETE /api/v1/connections/{id}/image", s.api(s.deleteConnectionImage))
	s.mux.Handle("GET /api/v1/connectors", s.api(s.listConnectors))
	s.mux.Handle("GET /api/v1/connectors/{id}/icon", s.api(s.connectorIcon))
	s.mux.Handle("POST /api/v1/connectors/{id}/retire", s.api(s.setRetired(true)))
	s.mux.Handle("POST /api/v1/connectors/{id}/restore", s.api(s.setRetired(false)))
	s.mux.Handle("POST /api/v1/connectors/generic/preview", s.api(s.previewTemplate))
	s.mux.Handle("GET /api/v1/connections/{id}/deliveries", s.api(s.listDeliveries))
	s.mux.Handle("GET /api/v1/me", s.api(s.me))
	s.mux.Handle("PATCH /api/v1/teams/{id}", s.api(s.updateTeam))
	s.mux.Handle("GET /api/v1/teams/{id}/members", s.api(s.listMembers))
	s.mux.Handle("POST /api/v1/teams/{id}/members", s.api(s.setMember))
	s.mux.Handle("DELETE /api/v1/teams/{id}/members/{user_id}", s.api(s.removeMember))
	s.mux.Handle("GET /api/v1/org", s.api(s.getOrg))
	s.mux.Handle("PATCH /api/v1/org", s.api(s.updateOrg))
	s.mux.Handle("GET /api/v1/users", s.api(s.listUsers))
	s.mux.Handle("POST /api/v1/users", s.api(s.createUser))
	s.mux.Handle("DELETE /api/v1/users/{id}", s.api(s.deleteUser))
	s.mux.Handle("GET /api/v1/tokens", s.api(s.listTokens))
	s.mux.Handle("POST /api/v1/tokens", s.api(s.createToken))
	s.mux.Handle("DELETE /api/v1/tokens/{id}", s.api(s.deleteToken))
	s.mux.Handle("GET /api/v1/audit", s.api(s.listAudit))
	s.mux.Handle("POST /api/v1/session", s.public(s.signIn))
	s.mux.Handle("DELETE /api/v1/session", s.public(s.signOut))
	s.mux.Handle("/api/", s.api(func(w http.ResponseWriter, r *http.Request) error {
		return herald.Errorf(herald.ENotFound, "No API endpoint %s %s; see the API reference in docs/api.md.", r.Method, r.URL.Path)
	}))
	if s.cfg.Web != nil {
		s.mux.Handle("/", s.cfg.Web) // the web UI: pages and /static/
	}
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if _, err := s.store.Org(r.Context()); err != nil {
		http.Error(w, "not ready: store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Write([]byte("ok\n"))
}

type ctxKey int

const userKey ctxKey = 0

// userFrom returns the authenticated caller.
func userFrom(ctx context.Context) *herald.User {
	u, _ := ctx.Value(userKey).(*herald.User)
	return u
}

// api wraps a JSON API handler: it authenticates the caller (a bearer
// token, or a browser session whose unsafe requests must come from Herald's
// own pages), runs the handler, and turns a returned error into the JSON
// error document.
func (s *Server) api(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	if h == nil {
		panic("httpapi: nil handler")
	}
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authenticate(r)
		if err == nil {
			r = r.WithContext(context.WithValue(r.Context(), userKey, u))
			err = h(w, r)
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	})
	withSession := s.sessions.LoadAndSave(inner)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			inner.ServeHTTP(w, r) // token callers never touch the session store
			return
		}
		withSession.ServeHTTP(w, r)
	})
}

// public wraps an API handler that needs no caller (signing in), with the
// browser session loaded.
func (s *Server) public(h func(http.ResponseWriter, *http.Request) error) http.Handler {
	return s.sessions.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := s.csrf.Check(r)
		if err == nil {
			err = h(w, r)
		} else {
			err = herald.Errorf(herald.EForbidden, "Cross-origin request refused.")
		}
		if err != nil {
			s.writeError(w, r, err)
		}
	}))
}

func (s *Server) authenticate(r *http.Request) (*herald.User, error) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		token, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return nil, herald.Errorf(herald.EUnauthorized, "Send an API token as 'Authorization: Bearer <token>'.")
		}
		// Tokens are looked up by their SHA-256, never compared as text.
		sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
		return s.store.UserByTokenHash(r.Context(), sum[:])
	}
	id := s.sessionUserID(r.Context())
	if id == "" {
		return nil, herald.Errorf(herald.EUnauthorized, "Sign in, or send an API token as 'Authorization: Bearer <token>'.")
	}
	// A cookie rides along with any request the browser makes, so a
	// state-changing one must come from Herald's own pages.
	if err := s.csrf.Check(r); err != nil {
		return nil, herald.Errorf(herald.EForbidden, "Cross-origin request refused.")
	}
	u, err := s.store.User(r.Context(), id)
	if herald.ErrorCode(err) == herald.ENotFound {
		return nil, herald.Errorf(herald.EUnauthorized, "Your session has ended; sign in again.")
	}
	return u, err
}

var errorStatus = map[string]int{
	herald.EInvalid:         http.StatusBadRequest,
	herald.EUnauthorized:    http.StatusUnauthorized,
	herald.EForbidden:       http.StatusForbidden,
	herald.ENotFound:        http.StatusNotFound,
	herald.EConflict:        http.StatusConflict,
	herald.EGone:            http.StatusGone,
	herald.EInternal:        http.StatusInternalServerError,
	herald.ETooMany:         http.StatusTooManyRequests,
	herald.EConflictRetired: http.StatusConflict,
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := herald.ErrorCode(err)
	status, ok := errorStatus[code]
	if !ok {
		status = http.StatusBadRequest
	}
	if code == herald.EInternal {
		s.log.Error("api: internal error", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="herald"`)
	}
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": herald.ErrorMessage(err)}})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// decode reads a JSON request body of at most 1 MB into v.
func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return herald.Errorf(herald.EInvalid, "The request body is over 1 MB.")
		}
		return herald.Errorf(herald.EInvalid, "The request body is not valid JSON for this endpoint: %v.", err)
	}
	return nil
}

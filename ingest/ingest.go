// Package ingest is the webhook write path: resolve the connection from its
// URL, check the token, the body size and the payload, apply the rate limit,
// store the message durably, and return it. It knows nothing of HTTP
// responses; the caller turns a *Rejection into the sender's dialect (Teams
// or Slack).
package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/card"
	"github.com/heraldhq/herald/catalog"
	"github.com/heraldhq/herald/policy"
	"github.com/heraldhq/herald/ratelimit"
	"github.com/heraldhq/herald/store"
	"github.com/heraldhq/herald/webhookurl"
)

// Flavor is the URL shape a post arrived on.
type Flavor int

const (
	Teams Flavor = iota // /webhookb2/... : Teams payloads, answers "1"
	Slack               // /services/...  : Slack payloads, answers "ok"
)

// Request is one webhook post, as read from its URL and headers.
type Request struct {
	Flavor Flavor
	// Teams URL parts.
	Group        string // "{teamId}@{orgId}"
	ConnectorSeg string // "IncomingWebhook" or a connector name
	ConnectionID string
	CreatorID    string
	// Slack URL parts.
	SlackTeam string
	SlackID   string

	Token         string
	ContentType   string
	ContentLength int64 // -1 when unknown
	Body          io.Reader
	// Header is the whole request header: third-party translators read
	// their event header (X-GitHub-Event) and signatures from it.
	Header http.Header

	// Who sent it: recorded when an old URL is used, so that its owners
	// can find the systems still to update.
	RemoteAddr string
	UserAgent  string
}

// Result is an accepted post.
type Result struct {
	Message *herald.Message
	// Sunset is set when the post came through a replaced URL that still
	// works until then: the answer should carry Deprecation and Sunset.
	Sunset *time.Time
	// Replaced is when that URL was replaced.
	Replaced time.Time
}

// Reason says why a post was refused.
type Reason int

const (
	NotFound     Reason = iota + 1 // unknown URL or wrong token
	Gone                           // the connection was removed
	TooLarge                       // body over the limit
	BadPayload                     // not a card we can read
	RateLimited                    // over the connection's rate windows
	Disabled                       // connectors are off by policy
	Unauthorized                   // a third-party delivery's signature is wrong
	Unavailable                    // storing failed; nothing was kept
)

// Rejection is a refused post. Status and Text are what the sender should
// see (for BadPayload, the card package's Teams- or Slack-compatible text).
type Rejection struct {
	Reason     Reason
	Status     int
	Text       string
	RetryAfter time.Duration
}

func (r *Rejection) Error() string { return fmt.Sprintf("ingest: %d %s", r.Status, r.Text) }

// Options configure a Service.
type Options struct {
	// MaxBody is the largest accepted body in bytes (default card.MaxBodyBytes).
	MaxBody int64
	// Limiter throttles posts per connection; nil turns rate limiting off.
	Limiter ratelimit.Limiter
	// CacheTTL bounds how long a connection's URL data is trusted before it
	// is read again (default 30 s). Changes invalidate it at once: on this
	// node directly, on the others through Broadcast.
	CacheTTL time.Duration
	// Broadcast, when set, tells the other nodes that a connection changed.
	Broadcast func(ctx context.Context, connectionID string) error
	// BroadcastPolicy, when set, tells the other nodes that switches of a
	// scope (ScopeOrg or a team id) changed.
	BroadcastPolicy func(ctx context.Context, scope string) error
	// Keys opens connections' sealed service secrets.
	Keys   *webhookurl.Keyring
	Now    func() time.Time
	Logger *slog.Logger
}

// Service accepts webhook posts.
type Service struct {
	store   *store.Store
	opts    Options
	bufs    sync.Pool
	mu      sync.RWMutex
	conns   map[string]*entry // by connection id
	slackID map[string]string // slack id -> connection id
	sw      switches

	templates sync.Map // connection id -> *compiledTemplate (generic connector)
}

type entry struct {
	conn    *herald.Connection
	sec     *store.ConnectionSecrets
	expires time.Time
}

// New returns a Service over st.
func New(st *store.Store, opts Options) *Service {
	if opts.MaxBody <= 0 {
		opts.MaxBody = card.MaxBodyBytes
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = 30 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Service{store: st, opts: opts, conns: make(map[string]*entry), slackID: make(map[string]string)}
	s.sw.teams = make(map[string]policy.Team)
	s.bufs.New = func() any { return new(bytes.Buffer) }
	return s
}

// MaxBody returns the body size limit in bytes.
func (s *Service) MaxBody() int64 { return s.opts.MaxBody }

// Changed must be called after a connection changed (removed, renamed, new
// URL): this node and every other forget what they cached about it.
func (s *Service) Changed(ctx context.Context, connectionID string) {
	s.Forget(connectionID)
	if s.opts.Broadcast != nil {
		if err := s.opts.Broadcast(ctx, connectionID); err != nil {
			// The other nodes' caches expire within CacheTTL anyway.
			s.opts.Logger.Warn("ingest: tell other nodes of a changed connection", "connection", connectionID, "error", err)
		}
	}
}

// Forget drops this node's cached data about a connection.
func (s *Service) Forget(connectionID string) {
	s.mu.Lock()
	delete(s.conns, connectionID)
	s.mu.Unlock()
}

// Post runs one webhook post through the write path. It returns the stored
// message, or a *Rejection, or another error when something broke.
func (s *Service) Post(ctx context.Context, req *Request) (*Result, error) {
	conn, sec, err := s.resolve(ctx, req)
	if err != nil {
		return nil, err
	}
	current, old := sec.TokenHash, sec.OldTokenHash
	if req.Flavor == Slack {
		current, old = sec.SlackTokenHash, sec.OldSlackTokenHash
	}
	res := &Result{}
	switch {
	case !s.urlMatches(req, conn):
		return nil, notFound(req.Flavor)
	case webhookurl.Verify(req.Token, current):
		if conn.DeletedAt == nil && s.pastRotationDeadline(conn) {
			return nil, s.reject(req.Flavor, Gone, 410, "This webhook URL had to be updated by the organization's deadline and no longer works; "+
				"the channel's owners can issue a new one with Update URL.", "no_service")
		}
	case old != nil && webhookurl.Verify(req.Token, old):
		// A URL replaced by "Update URL": note who still calls it.
		if err := s.store.RecordOldURLCall(ctx, conn.ID, req.RemoteAddr, req.UserAgent); err != nil {
			s.opts.Logger.Warn("ingest: record a call to an old URL", "connection", conn.ID, "error", err)
		}
		if conn.DeletedAt == nil && sec.OldExpiresAt != nil && !s.opts.Now().Before(*sec.OldExpiresAt) {
			return nil, s.reject(req.Flavor, Gone, 410, "This webhook URL was replaced on "+conn.URLIssuedAt.Format(time.RFC3339)+
				" and no longer works; use the updated URL from the connection's Manage page.", "no_service")
		}
		res.Sunset, res.Replaced = sec.OldExpiresAt, conn.URLIssuedAt
	default:
		return nil, notFound(req.Flavor)
	}
	if conn.DeletedAt != nil {
		return nil, s.reject(req.Flavor, Gone, 410, "This webhook was removed from its channel; ask the channel's owners for a new URL.", "no_service")
	}

	decision, err := s.Delivery(ctx, conn.TeamID)
	if err != nil {
		s.opts.Logger.Error("ingest: policy", "connection", conn.ID, "error", err)
		return nil, s.unavailable(req.Flavor)
	}
	if !decision.Allowed {
		// The connection is kept; it works again once the switch is back on.
		return nil, s.reject(req.Flavor, Disabled, 403, decision.Reason, "action_prohibited")
	}

	// Refuse an oversized body from its declared length before reading it.
	if req.ContentLength > s.opts.MaxBody {
		return nil, s.tooLarge(req.Flavor)
	}
	buf := s.bufs.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 4*int(s.opts.MaxBody) {
			buf.Reset()
			s.bufs.Put(buf)
		}
	}()
	buf.Reset()
	n, err := buf.ReadFrom(io.LimitReader(req.Body, s.opts.MaxBody+1))
	if err != nil {
		return nil, s.reject(req.Flavor, BadPayload, 400, "The request body could not be read: "+err.Error(), "invalid_payload")
	}
	if n > s.opts.MaxBody {
		return nil, s.tooLarge(req.Flavor)
	}

	if conn.Connector != herald.ConnectorIncomingWebhook {
		return s.postThirdParty(ctx, req, conn, sec, buf.Bytes(), res)
	}

	var parsed *card.Message
	if req.Flavor == Slack {
		parsed, err = card.ParseSlack(req.ContentType, buf.Bytes())
	} else {
		parsed, err = card.Parse(req.ContentType, buf.Bytes())
	}
	if err != nil {
		if ce, ok := errors.AsType[*card.Error](err); ok {
			return nil, &Rejection{Reason: BadPayload, Status: ce.Status, Text: ce.Text}
		}
		return nil, err
	}

	if err := s.allow(ctx, req, conn); err != nil {
		return nil, err
	}

	m := &herald.Message{
		OrgID:        conn.OrgID,
		ChannelID:    conn.ChannelID,
		ConnectionID: conn.ID,
		Format:       string(parsed.Format),
		Summary:      parsed.Summary,
		Card:         parsed.Card,
	}
	if err := s.store.InsertMessage(ctx, m); err != nil {
		s.opts.Logger.Error("ingest: store message", "connection", conn.ID, "error", err)
		return nil, s.unavailable(req.Flavor)
	}
	res.Message = m
	return res, nil
}

// allow applies the connection's rate limit.
func (s *Service) allow(ctx context.Context, req *Request, conn *herald.Connection) error {
	if s.opts.Limiter == nil {
		return nil
	}
	wait, err := s.opts.Limiter.Allow(ctx, conn.ID, s.opts.Now())
	if err != nil {
		s.opts.Logger.Error("ingest: rate limiter failed", "connection", conn.ID, "error", err)
		return s.unavailable(req.Flavor)
	}
	if wait > 0 {
		r := s.reject(req.Flavor, RateLimited, 429,
			fmt.Sprintf("Too many requests for this webhook; retry after %d seconds.", int(wait/time.Second)), "rate_limited")
		r.RetryAfter = wait
		return r
	}
	return nil
}

// pastRotationDeadline reports whether the organization's URL rotation
// campaign requires this connection's current URL to have been updated by a
// deadline that has passed.
func (s *Service) pastRotationDeadline(c *herald.Connection) bool {
	r := s.rotation()
	return r != nil && c.URLIssuedAt.Before(r.IssuedBefore) && !s.opts.Now().Before(r.Deadline)
}

func (s *Service) urlMatches(req *Request, c *herald.Connection) bool {
	if req.Flavor == Slack {
		// Only Incoming Webhooks speak Slack; third-party connections take
		// their service's own payloads.
		return req.SlackTeam == webhookurl.SlackTeamID(c.TeamID) && c.Connector == herald.ConnectorIncomingWebhook
	}
	return req.Group == c.TeamID+"@"+c.OrgID &&
		req.ConnectorSeg == catalog.URLName(c.Connector) &&
		req.CreatorID == c.CreatorID
}

// resolve finds the connection a URL names, from the cache when fresh.
func (s *Service) resolve(ctx context.Context, req *Request) (*herald.Connection, *store.ConnectionSecrets, error) {
	now := s.opts.Now()
	id := req.ConnectionID
	s.mu.RLock()
	if req.Flavor == Slack {
		id = s.slackID[req.SlackID]
	}
	e := s.conns[id]
	s.mu.RUnlock()
	if e != nil && now.Before(e.expires) {
		return e.conn, e.sec, nil
	}
	if req.Flavor == Slack && id == "" {
		var err error
		id, err = s.store.ConnectionIDBySlackID(ctx, req.SlackID)
		if herald.ErrorCode(err) == herald.ENotFound {
			return nil, nil, notFound(req.Flavor)
		} else if err != nil {
			return nil, nil, err
		}
	}
	conn, sec, err := s.store.ConnectionWithSecrets(ctx, id)
	if herald.ErrorCode(err) == herald.ENotFound {
		return nil, nil, notFound(req.Flavor)
	} else if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	s.conns[id] = &entry{conn: conn, sec: sec, expires: now.Add(s.opts.CacheTTL)}
	s.slackID[conn.SlackID] = id
	s.mu.Unlock()
	return conn, sec, nil
}

func (s *Service) reject(f Flavor, r Reason, status int, teamsText, slackText string) *Rejection {
	if f == Slack {
		return &Rejection{Reason: r, Status: status, Text: slackText}
	}
	return &Rejection{Reason: r, Status: status, Text: teamsText}
}

func notFound(f Flavor) *Rejection {
	// One answer for an unknown connection and a wrong token, so that the
	// response tells nothing about which part of the URL was wrong.
	if f == Slack {
		return &Rejection{Reason: NotFound, Status: 404, Text: "no_service"}
	}
	return &Rejection{Reason: NotFound, Status: 404, Text: "Webhook not found. Check the URL; it may have been mistyped or replaced."}
}

func (s *Service) tooLarge(f Flavor) *Rejection {
	return s.reject(f, TooLarge, 413,
		fmt.Sprintf("Message too large: the body is over the %d-byte limit. Shorten the text or split it into several messages.", s.opts.MaxBody),
		"request_too_large")
}

func (s *Service) unavailable(f Flavor) *Rejection {
	return s.reject(f, Unavailable, 503, "The message could not be stored and was not delivered; retry later.", "service_unavailable")
}

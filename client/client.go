// Package client is a small typed client for Herald's JSON API (/api/v1):
// teams, channels, connectors, connections (with Update URL, the attention
// they need, their names and pictures, and the polls of feed connections)
// and messages, the live message stream of a channel, and the
// organization's settings, URL rotation campaigns, users, team members, API
// tokens and audit log. The herald CLI and the end-to-end tests use it.
//
// The package has its own types for what the API sends rather than reusing
// the server's domain types: they describe the wire format (including the
// fields only the API adds, such as a connection's webhook URLs), and they
// keep the client free of every other package in the module.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Team is a group of people with channels.
type Team struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// ConnectorsEnabled is the team's own switch (Set-UnifiedGroup
	// -ConnectorsEnabled): when false, the team's webhooks answer 403.
	ConnectorsEnabled bool `json:"connectors_enabled"`
	// MembersCanManageConnectors lets members, not only owners, add,
	// change and remove the team's connections.
	MembersCanManageConnectors bool `json:"members_can_manage_connectors"`
}

// TeamUpdate changes some of a team's settings; nil fields stay as they are.
type TeamUpdate struct {
	Name                       *string `json:"name,omitempty"`
	ConnectorsEnabled          *bool   `json:"connectors_enabled,omitempty"`
	MembersCanManageConnectors *bool   `json:"members_can_manage_connectors,omitempty"`
}

// Channel belongs to a team and has a stream of messages.
type Channel struct {
	ID           string    `json:"id"`
	OrgID        string    `json:"org_id"`
	TeamID       string    `json:"team_id"`
	Name         string    `json:"name"`
	MessageCount int64     `json:"message_count"`
	CreatedAt    time.Time `json:"created_at"`
}

// Connector is an entry of the connector catalog.
type Connector struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Kind        string `json:"kind"` // "push" or "polling"
	// Retired connectors accept no new connections (CreateConnection
	// answers CodeConnectorRetired); their existing connections keep
	// working. Organization admins retire and restore them.
	Retired bool `json:"retired"`
	// Events are the events the connector can post, by name; connections
	// filter on them (ConnectionConfig.Events).
	Events []string `json:"events"`
	// IconURL is the API path of the connector's icon.
	IconURL string `json:"icon_url,omitempty"`
}

// ConnectorIncomingWebhook is the id of the built-in Incoming Webhook
// connector.
const ConnectorIncomingWebhook = "incoming-webhook"

// Connection is one connector configured in one channel.
type Connection struct {
	ID             string     `json:"id"`
	OrgID          string     `json:"org_id"`
	TeamID         string     `json:"team_id"`
	ChannelID      string     `json:"channel_id"`
	Connector      string     `json:"connector"`
	Name           string     `json:"name"`
	CreatorID      string     `json:"creator_id"`
	CreatedAt      time.Time  `json:"created_at"`
	DeletedAt      *time.Time `json:"deleted_at,omitempty"`
	DeliveredCount int64      `json:"delivered_count"`
	LastDeliveryAt *time.Time `json:"last_delivery_at,omitempty"`
	// Config holds a third-party or feed connection's settings (none for
	// an Incoming Webhook).
	Config ConnectionConfig `json:"config"`
	// SecretSet tells whether the service's secret is set; the secret
	// itself is never shown.
	SecretSet bool `json:"secret_set"`
	// WebhookURL is the Teams-style URL senders post to, and SlackURL the
	// Slack-compatible one. Both are secrets. When the server cannot show
	// them, they are empty and URLNote says why. Feed connections have
	// neither: nothing posts to them, they fetch.
	WebhookURL string `json:"webhook_url,omitempty"`
	SlackURL   string `json:"slack_url,omitempty"`
	URLNote    string `json:"url_note,omitempty"`
	// URLIssuedAt is when the current URLs were issued: at creation, or by
	// the last UpdateURL. Rotation campaigns and the organization's
	// URLMaxAge go by it.
	URLIssuedAt time.Time `json:"url_issued_at"`
	// ImageURL is the API path of the picture shown as the author of the
	// connection's messages (SetConnectionImage); empty when there is none.
	ImageURL string `json:"image_url,omitempty"`
	// OldURL describes the URLs replaced by the last UpdateURL, and who
	// still calls them; nil when the URLs were never updated. The old URLs
	// themselves are never shown again.
	OldURL *OldURL `json:"old_url,omitempty"`
	// Feed is how a feed connection's polls went (nil for connections
	// that receive webhooks). A feed that fails three polls in a row, or
	// whose address is refused (FeedState.Stuck), makes the connection need
	// attention, until a poll succeeds.
	Feed *FeedState `json:"feed,omitempty"`
	// AttentionRequired is true when a person should act on the connection
	// now; AttentionReasons says why, a sentence per reason. Every answer
	// with a connection computes them, the answers to changes included.
	AttentionRequired bool     `json:"attention_required"`
	AttentionReasons  []string `json:"attention_reasons"`
}

// OldURL is what the API tells of a connection's replaced URLs: when they
// stop working and who still calls them.
type OldURL struct {
	// ExpiresAt is when the old URLs stop delivering and start answering
	// 410 Gone (during the grace period their answers carry Deprecation and
	// Sunset headers).
	ExpiresAt time.Time `json:"expires_at"`
	// Calls counts the posts to the old URLs since they were replaced, and
	// LastUsedAt is the latest (nil: none).
	Calls      int64      `json:"calls"`
	LastUsedAt *time.Time `json:"last_used_at"`
	// Callers are the last few distinct systems that called them, newest
	// first.
	Callers []OldURLCaller `json:"callers"`
}

// OldURLCaller is a system that called a connection's old URL.
type OldURLCaller struct {
	// Address is the caller's IP address as the server saw it (a proxy in
	// front of the server shows up as itself: X-Forwarded-For is not
	// trusted).
	Address   string    `json:"address"`
	UserAgent string    `json:"user_agent"`
	LastSeen  time.Time `json:"last_seen"`
}

// Message is one post in a channel: an Adaptive Card and its summary.
type Message struct {
	ID        int64  `json:"id"`
	ChannelID string `json:"channel_id"`
	// Seq numbers the channel's messages 1, 2, 3... in commit order; the
	// event stream resumes by it.
	Seq          int64           `json:"seq"`
	ConnectionID string          `json:"connection_id"`
	CreatedAt    time.Time       `json:"created_at"`
	Format       string          `json:"format"`
	Summary      string          `json:"summary"`
	Card         json.RawMessage `json:"card"`
}

// User is a person or an automation: the holder of API tokens and, with an
// email and a password, of a browser sign-in.
type User struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	OrgAdmin  bool      `json:"org_admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Error codes the API answers with, in APIError.Code.
const (
	CodeInvalid      = "invalid"
	CodeUnauthorized = "unauthorized"
	CodeForbidden    = "forbidden"
	CodeNotFound     = "not_found"
	CodeConflict     = "conflict"
	CodeGone         = "gone"
	// CodeConnectorRetired (409) refuses a new connection of a retired
	// connector.
	CodeConnectorRetired = "connector_retired"
	CodeInternal         = "internal"
)

// APIError is an error answer from the API.
type APIError struct {
	Status  int    // HTTP status
	Code    string // one of the Code constants; empty when the answer was not an API error document
	Message string // for a person; from the server when it sent one
}

func (e *APIError) Error() string {
	msg := strings.TrimSpace(e.Message)
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	if e.Code == "" {
		return fmt.Sprintf("%s (HTTP %d)", msg, e.Status)
	}
	return fmt.Sprintf("%s (%s)", msg, e.Code)
}

// Client calls one Herald server with one API token. Its fields may be set
// after New and before first use; a Client is safe for concurrent use.
type Client struct {
	// HTTPClient sends the requests; New sets one without an overall
	// timeout (that would cut live streams). Bound calls with their context.
	HTTPClient *http.Client
	// UserAgent is sent with every request.
	UserAgent string
	// ReconnectDelay is how long Follow waits before reconnecting after a
	// stream ends. Zero means the server's "retry:" hint, else one second.
	// Each failed attempt in a row doubles the wait, up to MaxReconnectDelay
	// (zero: 30s).
	ReconnectDelay    time.Duration
	MaxReconnectDelay time.Duration
	// IdleTimeout is how long Follow waits for any byte of a stream,
	// heartbeats included, before it takes the connection for dead and
	// reconnects. Zero means 45s (the server sends a heartbeat every 15s).
	IdleTimeout time.Duration
	// OnFollowError, if set, is told why a stream of Follow broke and how
	// long Follow waits before it reconnects.
	OnFollowError func(err error, wait time.Duration)

	base  string
	token string
}

// New returns a client of the server at baseURL (such as
// "http://127.0.0.1:8080"; a path prefix is kept) that authenticates with
// token.
func New(baseURL, token string) *Client {
	return &Client{
		HTTPClient: &http.Client{},
		UserAgent:  "herald-client",
		base:       strings.TrimRight(baseURL, "/"),
		token:      token,
	}
}

// BaseURL returns the server's base URL as given to New, without a trailing
// slash.
func (c *Client) BaseURL() string { return c.base }

// maxResponse bounds a JSON answer: a page of 200 messages with cards of up
// to 28 KB each fits several times over.
const maxResponse = 64 << 20

func (c *Client) newRequest(ctx context.Context, method, path string, query url.Values, body io.Reader) (*http.Request, error) {
	u := c.base + "/api/v1" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if c.UserAgent != "" {
		req.Header.Set("User-Agent", c.UserAgent)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// do sends a request with in as its JSON body (unless nil) and decodes a 2xx
// answer into out (unless nil). Other answers become an *APIError.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("client: %w", err)
		}
		body = bytes.NewReader(b)
	}
	return c.send(ctx, method, path, query, body, "", out)
}

// send is do with the body as given: contentType "" keeps the JSON default
// of newRequest.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, body io.Reader, contentType string, out any) error {
	req, err := c.newRequest(ctx, method, path, query, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.HTTPClient.Do(req)
	if err != nil {
		return err // a *url.Error naming the method and URL
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return readError(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxResponse)).Decode(out); err != nil {
		return fmt.Errorf("client: %s %s: unreadable answer: %w", method, req.URL.Path, err)
	}
	return nil
}

// readError turns a non-2xx answer into an *APIError. A body that is not the
// API's error document (a proxy's error page, say) is summarised by its
// status.
func readError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	e := &APIError{Status: resp.StatusCode}
	var doc struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &doc) == nil && doc.Error.Code != "" {
		e.Code, e.Message = doc.Error.Code, doc.Error.Message
	}
	return e
}

// Me returns the user the token belongs to.
func (c *Client) Me(ctx context.Context) (*User, error) {
	var u User
	if err := c.do(ctx, http.MethodGet, "/me", nil, nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// CreateTeam creates a team.
func (c *Client) CreateTeam(ctx context.Context, name string) (*Team, error) {
	var t Team
	if err := c.do(ctx, http.MethodPost, "/teams", nil, map[string]string{"name": name}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// Teams returns the organization's teams.
func (c *Client) Teams(ctx context.Context) ([]Team, error) {
	var doc struct {
		Teams []Team `json:"teams"`
	}
	if err := c.do(ctx, http.MethodGet, "/teams", nil, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Teams, nil
}

// Team returns one team.
func (c *Client) Team(ctx context.Context, id string) (*Team, error) {
	var t Team
	if err := c.do(ctx, http.MethodGet, "/teams/"+url.PathEscape(id), nil, nil, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateTeam changes a team's name or switches and returns the team.
func (c *Client) UpdateTeam(ctx context.Context, id string, u TeamUpdate) (*Team, error) {
	var t Team
	if err := c.do(ctx, http.MethodPatch, "/teams/"+url.PathEscape(id), nil, u, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateChannel creates a channel in a team.
func (c *Client) CreateChannel(ctx context.Context, teamID, name string) (*Channel, error) {
	var ch Channel
	if err := c.do(ctx, http.MethodPost, "/teams/"+url.PathEscape(teamID)+"/channels", nil, map[string]string{"name": name}, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// Channels returns a team's channels.
func (c *Client) Channels(ctx context.Context, teamID string) ([]Channel, error) {
	var doc struct {
		Channels []Channel `json:"channels"`
	}
	if err := c.do(ctx, http.MethodGet, "/teams/"+url.PathEscape(teamID)+"/channels", nil, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Channels, nil
}

// Channel returns one channel.
func (c *Client) Channel(ctx context.Context, id string) (*Channel, error) {
	var ch Channel
	if err := c.do(ctx, http.MethodGet, "/channels/"+url.PathEscape(id), nil, nil, &ch); err != nil {
		return nil, err
	}
	return &ch, nil
}

// Connectors returns the connector catalog.
func (c *Client) Connectors(ctx context.Context) ([]Connector, error) {
	var doc struct {
		Connectors []Connector `json:"connectors"`
	}
	if err := c.do(ctx, http.MethodGet, "/connectors", nil, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Connectors, nil
}

// CreateConnection sets up a connector in a channel; connector "" means
// ConnectorIncomingWebhook. The answer carries the webhook URLs.
func (c *Client) CreateConnection(ctx context.Context, channelID, connector, name string) (*Connection, error) {
	if connector == "" {
		connector = ConnectorIncomingWebhook
	}
	var conn Connection
	in := map[string]string{"connector": connector, "name": name}
	if err := c.do(ctx, http.MethodPost, "/channels/"+url.PathEscape(channelID)+"/connections", nil, in, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

// Connections returns a channel's connections.
func (c *Client) Connections(ctx context.Context, channelID string) ([]Connection, error) {
	var doc struct {
		Connections []Connection `json:"connections"`
	}
	if err := c.do(ctx, http.MethodGet, "/channels/"+url.PathEscape(channelID)+"/connections", nil, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Connections, nil
}

// Connection returns one connection with its webhook URLs.
func (c *Client) Connection(ctx context.Context, id string) (*Connection, error) {
	var conn Connection
	if err := c.do(ctx, http.MethodGet, "/connections/"+url.PathEscape(id), nil, nil, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

// DeleteConnection removes a connection; its webhook URLs stop working.
func (c *Client) DeleteConnection(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/connections/"+url.PathEscape(id), nil, nil, nil)
}

// Messages returns up to limit messages of a channel (0: the server's
// default page; the server caps it at 200), newest first, older than the
// message id before (0: from the newest).
func (c *Client) Messages(ctx context.Context, channelID string, limit int, before int64) ([]Message, error) {
	q := url.Values{}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	if before > 0 {
		q.Set("before", strconv.FormatInt(before, 10))
	}
	var doc struct {
		Messages []Message `json:"messages"`
	}
	if err := c.do(ctx, http.MethodGet, "/channels/"+url.PathEscape(channelID)+"/messages", q, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Messages, nil
}

// permanent reports whether err from a call will not go away by retrying:
// the API refused the request itself (bad token, no such channel...).
func permanent(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	switch {
	case apiErr.Status == http.StatusRequestTimeout, apiErr.Status == http.StatusTooManyRequests:
		return false
	case apiErr.Status >= 400 && apiErr.Status < 500:
		return true
	}
	return false
}

package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Duration is a time.Duration that travels in JSON as a Go duration string,
// such as "2160h0m0s", as the API writes and reads durations.
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler. A JSON null leaves d as it is.
func (d *Duration) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("client: a duration is a string such as \"24h\", not %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("client: %w", err)
	}
	*d = Duration(v)
	return nil
}

// String is the Go duration string, such as "2160h0m0s".
func (d Duration) String() string { return time.Duration(d).String() }

// URLRotation is an organization's URL rotation campaign: every webhook URL
// issued before IssuedBefore must be updated (UpdateURL) by Deadline. Until
// then such connections show "Attention required"; after it their URLs
// answer 410 Gone until updated.
type URLRotation struct {
	IssuedBefore time.Time `json:"issued_before"`
	Deadline     time.Time `json:"deadline"`
}

// URLRotationStatus is the campaign, if any, and what is still to update.
type URLRotationStatus struct {
	// URLRotation is nil when no campaign is running; Teams is then empty.
	URLRotation *URLRotation `json:"url_rotation"`
	// Pending counts the connections whose URLs are still to update.
	Pending int `json:"pending"`
	// Teams groups them by team, by team name.
	Teams []URLRotationTeam `json:"teams"`
}

// URLRotationTeam is one team's connections still to update.
type URLRotationTeam struct {
	TeamID      string              `json:"team_id"`
	TeamName    string              `json:"team_name"`
	Connections []PendingConnection `json:"connections"`
}

// PendingConnection is a connection whose URLs a campaign requires to be
// updated, with its last use, so that its senders can be found.
type PendingConnection struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	ChannelID      string     `json:"channel_id"`
	URLIssuedAt    time.Time  `json:"url_issued_at"`
	LastDeliveryAt *time.Time `json:"last_delivery_at"`
}

// UpdateURL issues new webhook URLs for a connection ("Update URL") and
// returns the connection with them. The old URLs keep delivering for grace
// (0: they stop at once; the server takes at most 2160h, and its own default
// is 24h), with Deprecation and Sunset headers on their answers; then they
// answer 410 Gone. They are never shown again: the answer's OldURL says when
// they stop, and Connection later tells who still calls them.
func (c *Client) UpdateURL(ctx context.Context, id string, grace time.Duration) (*Connection, error) {
	in := map[string]Duration{"grace": Duration(grace)}
	var conn Connection
	if err := c.do(ctx, http.MethodPost, "/connections/"+url.PathEscape(id)+"/url", nil, in, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

// OrgConnections returns the connections of every team the caller can see
// (organization admins: every team), with their attention state; with
// onlyAttention, only those that need attention.
func (c *Client) OrgConnections(ctx context.Context, onlyAttention bool) ([]Connection, error) {
	var q url.Values
	if onlyAttention {
		q = url.Values{"attention": {"true"}}
	}
	var doc struct {
		Connections []Connection `json:"connections"`
	}
	if err := c.do(ctx, http.MethodGet, "/connections", q, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Connections, nil
}

// AttentionConnections returns the connections, across the teams the caller
// can see, that need attention, each with its AttentionReasons. It is
// OrgConnections(ctx, true).
func (c *Client) AttentionConnections(ctx context.Context) ([]Connection, error) {
	return c.OrgConnections(ctx, true)
}

// URLRotation returns the organization's URL rotation campaign and the
// connections still to update, per team (organization admins only).
func (c *Client) URLRotation(ctx context.Context) (*URLRotationStatus, error) {
	var st URLRotationStatus
	if err := c.do(ctx, http.MethodGet, "/org/url-rotation", nil, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// RequireURLUpdate starts (or replaces) the organization's URL rotation
// campaign (organization admins only): every webhook URL issued before
// issuedBefore (nil: now; it cannot be in the future) must be updated by
// deadline, which must be in the future. It returns what is to update, as
// URLRotation does.
func (c *Client) RequireURLUpdate(ctx context.Context, issuedBefore *time.Time, deadline time.Time) (*URLRotationStatus, error) {
	in := struct {
		IssuedBefore *time.Time `json:"issued_before,omitempty"`
		Deadline     time.Time  `json:"deadline"`
	}{issuedBefore, deadline}
	var st URLRotationStatus
	if err := c.do(ctx, http.MethodPost, "/org/url-rotation", nil, in, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// CancelURLUpdate ends the organization's URL rotation campaign
// (organization admins only): URLs not updated stop needing attention, and
// those past the deadline work again.
func (c *Client) CancelURLUpdate(ctx context.Context) error {
	return c.do(ctx, http.MethodDelete, "/org/url-rotation", nil, nil, nil)
}

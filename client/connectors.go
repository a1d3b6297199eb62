package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// ConnectorGeneric is the id of the Generic JSON connector, which makes
// cards from any JSON body with a Template.
const ConnectorGeneric = "generic"

// ConnectionConfig are a connection's settings: what a third-party webhook
// connection posts (Events, Branches, Template), or which feed a feed
// connection polls and how often (URL, Interval, FirstItems). PATCHing them
// (UpdateConnectionSettings) replaces them as a whole.
type ConnectionConfig struct {
	// Events to post: event names or prefixes ("push", "pull_request");
	// every event when empty.
	Events []string `json:"events,omitempty"`
	// Branches filters the events that concern a branch: comma-separated
	// names or globs ("main,release/*"); every branch when empty.
	Branches string `json:"branches,omitempty"`
	// Template makes the cards of a Generic JSON connection.
	Template *Template `json:"template,omitempty"`

	// URL is a feed connection's feed: the http or https address of an
	// RSS, Atom or JSON Feed document. When the feed moves for good (a
	// permanent redirect), the server replaces it with the new address.
	URL string `json:"url,omitempty"`
	// Interval is how often a feed connection polls its feed: nil for the
	// server's default (15m); the server takes 1m to 24h. The server fills
	// in the default, so a connection it answers with always has one.
	Interval *Duration `json:"interval,omitempty"`
	// FirstItems is how many of the newest items a feed connection's first
	// poll posts (later polls post every new item): 0 for the server's
	// default (3); at most 20. The server fills in the default too.
	FirstItems int `json:"first_items,omitempty"`
}

// Template maps a JSON webhook body to a card for the Generic JSON
// connector: each field is a Go text/template over the decoded body, such as
// "{{.alert.name}}".
type Template struct {
	Title string         `json:"title"`
	Text  string         `json:"text,omitempty"`
	Link  string         `json:"link,omitempty"`
	Facts []TemplateFact `json:"facts,omitempty"`
}

// TemplateFact is a row of a template's facts table.
type TemplateFact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ConnectionSpec is a connection to create with CreateConnectionWith.
type ConnectionSpec struct {
	// Connector is the catalog id; "" means ConnectorIncomingWebhook.
	Connector string `json:"connector"`
	Name      string `json:"name"`
	// Config holds a third-party connector's settings; nil for none.
	Config *ConnectionConfig `json:"config,omitempty"`
	// Secret is the webhook secret set in the service, with which its
	// deliveries must prove where they come from; nil for none.
	Secret *string `json:"secret,omitempty"`
}

// ConnectionSettings changes some of a connection's settings; nil fields
// stay as they are.
type ConnectionSettings struct {
	Name *string `json:"name,omitempty"`
	// Config replaces the whole of the connection's settings.
	Config *ConnectionConfig `json:"config,omitempty"`
	// Secret sets the service's secret; a pointer to "" clears it.
	Secret *string `json:"secret,omitempty"`
}

// Delivery outcomes, in Delivery.Outcome.
const (
	OutcomePosted   = "posted"
	OutcomeFiltered = "filtered"
	OutcomeIgnored  = "ignored"
	OutcomeRejected = "rejected"
)

// Delivery is one request a third-party connection received, and what
// Herald did with it.
type Delivery struct {
	ID      int64     `json:"id"`
	At      time.Time `json:"at"`
	Event   string    `json:"event"`
	Outcome string    `json:"outcome"` // one of the Outcome constants
	// Reason says why a delivery was filtered, ignored or rejected.
	Reason   string `json:"reason,omitempty"`
	Size     int64  `json:"size"`     // bytes of the body
	Messages int    `json:"messages"` // messages posted
}

// TemplatePreview is the message a Generic JSON template makes of a sample
// body.
type TemplatePreview struct {
	Summary string          `json:"summary"`
	Card    json.RawMessage `json:"card"`
}

func connectorPath(id, action string) string {
	return "/connectors/" + url.PathEscape(id) + "/" + action
}

// RetireConnector retires a connector for the organization (organization
// admins only): it accepts no new connections, and its existing ones keep
// working. It returns the connector as the organization now sees it.
func (c *Client) RetireConnector(ctx context.Context, id string) (*Connector, error) {
	var cn Connector
	if err := c.do(ctx, http.MethodPost, connectorPath(id, "retire"), nil, nil, &cn); err != nil {
		return nil, err
	}
	return &cn, nil
}

// RestoreConnector makes a retired connector available again to the
// organization (organization admins only). A connector Herald has no
// translator for cannot be restored: that is a conflict.
func (c *Client) RestoreConnector(ctx context.Context, id string) (*Connector, error) {
	var cn Connector
	if err := c.do(ctx, http.MethodPost, connectorPath(id, "restore"), nil, nil, &cn); err != nil {
		return nil, err
	}
	return &cn, nil
}

// CreateConnectionWith sets up a connector in a channel with its settings
// and secret. A retired connector is refused with CodeConnectorRetired. The
// answer carries the webhook URLs.
func (c *Client) CreateConnectionWith(ctx context.Context, channelID string, spec ConnectionSpec) (*Connection, error) {
	if spec.Connector == "" {
		spec.Connector = ConnectorIncomingWebhook
	}
	var conn Connection
	if err := c.do(ctx, http.MethodPost, "/channels/"+url.PathEscape(channelID)+"/connections", nil, spec, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

// UpdateConnectionSettings changes a connection's name, settings or secret
// and returns the connection; its webhook URLs stay as they are. A feed
// connection's new settings take effect at once: the server polls it soon
// after.
func (c *Client) UpdateConnectionSettings(ctx context.Context, id string, s ConnectionSettings) (*Connection, error) {
	var conn Connection
	if err := c.do(ctx, http.MethodPatch, "/connections/"+url.PathEscape(id), nil, s, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

// Deliveries returns a connection's delivery log, newest first: up to limit
// entries (0: the server's default; it keeps the last 100).
func (c *Client) Deliveries(ctx context.Context, id string, limit int) ([]Delivery, error) {
	var q url.Values
	if limit > 0 {
		q = url.Values{"limit": {strconv.Itoa(limit)}}
	}
	var doc struct {
		Deliveries []Delivery `json:"deliveries"`
	}
	if err := c.do(ctx, http.MethodGet, "/connections/"+url.PathEscape(id)+"/deliveries", q, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Deliveries, nil
}

// PreviewTemplate returns the message a Generic JSON connection with tmpl
// would post for the JSON body sample. A template that is not valid, or
// fails on the sample, is refused as invalid with what is wrong.
func (c *Client) PreviewTemplate(ctx context.Context, tmpl Template, sample json.RawMessage) (*TemplatePreview, error) {
	in := struct {
		Template Template        `json:"template"`
		Sample   json.RawMessage `json:"sample"`
	}{tmpl, sample}
	var p TemplatePreview
	if err := c.do(ctx, http.MethodPost, "/connectors/generic/preview", nil, in, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

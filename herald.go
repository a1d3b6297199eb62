// Package herald holds Herald's domain types and error codes: teams, channels,
// connectors, connections and messages. It imports nothing but the standard
// library; every other package speaks in these types.
package herald

import (
	"encoding/json"
	"time"
)

// Org is the one organization a deployment serves. Every row carries its id so
// that a deployment can later host several without a data migration.
type Org struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Cloud     string    `json:"cloud"`
	CreatedAt time.Time `json:"created_at"`
	OrgSettings
	// URLRotation is the running URL rotation campaign, if any.
	URLRotation *URLRotation `json:"url_rotation"`
	// URLMaxAge, when not 0, raises "Attention required" on webhook URLs
	// issued longer ago.
	URLMaxAge Duration `json:"url_max_age"`
}

// URLRotation requires every webhook URL issued before IssuedBefore to be
// updated by Deadline; after it, such URLs answer 410 Gone.
type URLRotation struct {
	IssuedBefore time.Time `json:"issued_before"`
	Deadline     time.Time `json:"deadline"`
}

// Duration is a time.Duration that JSON writes as a Go duration string
// ("2160h0m0s") and reads from one ("90d" is not Go; use "2160h").
type Duration time.Duration

// MarshalJSON implements json.Marshaler.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EInvalid, "A duration is a string such as \"24h\" or \"90m\".")
	}
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return Errorf(EInvalid, "%q is not a duration such as \"24h\" or \"90m\".", s)
	}
	*d = Duration(v)
	return nil
}

// OrgSettings are the organization's connector switches, named after the
// Set-OrganizationConfig parameters they mirror. All default to true,
// except in government clouds (see package policy).
type OrgSettings struct {
	ConnectorsEnabled                   bool `json:"connectors_enabled"`
	ConnectorsEnabledForTeams           bool `json:"connectors_enabled_for_teams"`
	ConnectorsEnabledForOutlook         bool `json:"connectors_enabled_for_outlook"`
	ConnectorsActionableMessagesEnabled bool `json:"connectors_actionable_messages_enabled"`
}

// OrgUpdate changes some of the organization's switches; nil fields stay.
type OrgUpdate struct {
	ConnectorsEnabled                   *bool     `json:"connectors_enabled"`
	ConnectorsEnabledForTeams           *bool     `json:"connectors_enabled_for_teams"`
	ConnectorsEnabledForOutlook         *bool     `json:"connectors_enabled_for_outlook"`
	ConnectorsActionableMessagesEnabled *bool     `json:"connectors_actionable_messages_enabled"`
	URLMaxAge                           *Duration `json:"url_max_age"`
}

// Apply sets the fields u carries on s.
func (u OrgUpdate) Apply(s *OrgSettings) {
	set(&s.ConnectorsEnabled, u.ConnectorsEnabled)
	set(&s.ConnectorsEnabledForTeams, u.ConnectorsEnabledForTeams)
	set(&s.ConnectorsEnabledForOutlook, u.ConnectorsEnabledForOutlook)
	set(&s.ConnectorsActionableMessagesEnabled, u.ConnectorsActionableMessagesEnabled)
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// User is a person or an automation holding API tokens.
type User struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	OrgAdmin  bool      `json:"org_admin"`
	CreatedAt time.Time `json:"created_at"`
}

// Team is a group of people with channels; in the webhook URL it is the group id.
type Team struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	TeamSettings
}

// TeamSettings are a team's connector switches: Set-UnifiedGroup
// -ConnectorsEnabled, and whether members (not only owners) may add, change
// and remove connectors. Both default to true.
type TeamSettings struct {
	ConnectorsEnabled          bool `json:"connectors_enabled"`
	MembersCanManageConnectors bool `json:"members_can_manage_connectors"`
}

// TeamUpdate changes some of a team's settings; nil fields stay.
type TeamUpdate struct {
	Name                       *string `json:"name"`
	ConnectorsEnabled          *bool   `json:"connectors_enabled"`
	MembersCanManageConnectors *bool   `json:"members_can_manage_connectors"`
}

// Member is a user's membership of a team.
type Member struct {
	TeamID    string    `json:"team_id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Role      string    `json:"role"` // owner, member or guest
	CreatedAt time.Time `json:"created_at"`
}

// Token is an API token's record; the token itself is shown once, at creation.
type Token struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// AuditEntry records one change: who, what, before and after, when.
type AuditEntry struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"` // e.g. "org.update", "connection.create"
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	TeamID     string          `json:"team_id,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
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

// Connector kinds.
const (
	KindPush    = "push"
	KindPolling = "polling"
)

// Built-in connector ids.
const (
	ConnectorIncomingWebhook = "incoming-webhook"
	ConnectorGeneric         = "generic"
	ConnectorRSS             = "rss"
)

// Connector is a catalog entry: a kind of source that can be set up in a
// channel. A retired connector accepts no new connections; its existing
// ones keep working.
type Connector struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Kind        string   `json:"kind"` // push or polling
	Retired     bool     `json:"retired"`
	Events      []string `json:"events"`   // what it can post
	IconURL     string   `json:"icon_url"` // embedded icon
}

// Connection is one connector configured in one channel. It belongs to the
// team, not to the person who made it.
type Connection struct {
	ID        string `json:"id"` // 32 lower-case hex characters, as in Teams URLs
	OrgID     string `json:"org_id"`
	TeamID    string `json:"team_id"`
	ChannelID string `json:"channel_id"`
	Connector string `json:"connector"`
	Name      string `json:"name"`
	CreatorID string `json:"creator_id"`
	// SlackID identifies the connection in its Slack-compatible URL.
	SlackID     string    `json:"-"`
	HasImage    bool      `json:"-"`
	URLIssuedAt time.Time `json:"url_issued_at"`
	// Config holds a third-party connection's settings.
	Config ConnectionConfig `json:"config"`
	// SecretSet tells whether the service's secret is set (never the secret).
	SecretSet      bool       `json:"secret_set"`
	CreatedAt      time.Time  `json:"created_at"`
	DeletedAt      *time.Time `json:"deleted_at,omitempty"`
	DeliveredCount int64      `json:"delivered_count"`
	LastDeliveryAt *time.Time `json:"last_delivery_at,omitempty"`
}

// ConnectionConfig are a third-party connection's settings.
type ConnectionConfig struct {
	// Events to post (event names or prefixes, e.g. "push",
	// "pull_request"); every event when empty.
	Events []string `json:"events,omitempty"`
	// Branches filters events that concern a branch: comma-separated names
	// or globs ("main,release/*"); every branch when empty.
	Branches string `json:"branches,omitempty"`
	// Template makes cards for the generic JSON connector.
	Template *Template `json:"template,omitempty"`
	// URL is a polling connection's feed (RSS, Atom or JSON Feed). A
	// permanent redirect replaces it with the new address.
	URL string `json:"url,omitempty"`
	// Interval is how often a polling connection polls its feed.
	Interval *Duration `json:"interval,omitempty"`
	// FirstItems is how many of the newest items a polling connection's
	// first poll posts.
	FirstItems int `json:"first_items,omitempty"`
}

// FeedState is what Herald knows of a polling connection's feed.
type FeedState struct {
	// Title is the feed's own title, from its last successful fetch.
	Title string `json:"title,omitempty"`
	// Polls counts every poll, successful or not.
	Polls int64 `json:"polls"`
	// LastStatus is the outcome of the last poll: FeedOK, FeedNotModified,
	// FeedError or FeedPaused; empty before the first poll.
	LastStatus string `json:"last_status"`
	// LastError says why the last poll failed or was paused.
	LastError string `json:"last_error,omitempty"`
	// Failures counts the polls that failed in a row.
	Failures int `json:"failures"`
	// Stuck says the last failure will not heal by itself (the address is
	// refused or invalid): a person must change the URL or the server's
	// settings.
	Stuck       bool       `json:"stuck,omitempty"`
	LastPollAt  *time.Time `json:"last_poll_at,omitempty"`
	LastOKAt    *time.Time `json:"last_ok_at,omitempty"`
	NextPollAt  *time.Time `json:"next_poll_at,omitempty"`
	ItemsPosted int64      `json:"items_posted"`
	// LastPosted is how many items the last poll posted.
	LastPosted int `json:"last_posted"`

	// Validators for the next conditional GET.
	ETag         string `json:"-"`
	LastModified string `json:"-"`
	// Primed is set once a fetch has succeeded: the first one posts only
	// the newest few items.
	Primed bool `json:"-"`
}

// Feed poll outcomes (FeedState.LastStatus).
const (
	FeedOK          = "ok"
	FeedNotModified = "not_modified"
	FeedError       = "error"
	FeedPaused      = "paused"
)

// Template maps a JSON webhook body to a card. Each field is a Go
// text/template executed over the decoded body ({{.alert.name}}).
type Template struct {
	Title string         `json:"title"`
	Text  string         `json:"text,omitempty"`
	Link  string         `json:"link,omitempty"`
	Facts []TemplateFact `json:"facts,omitempty"`
}

// TemplateFact is a facts-table row of a template.
type TemplateFact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Delivery is one request a third-party connection received, and what
// Herald did with it.
type Delivery struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	Event    string    `json:"event"`
	Outcome  string    `json:"outcome"` // posted, filtered, ignored, rejected
	Reason   string    `json:"reason,omitempty"`
	Size     int64     `json:"size"`
	Messages int       `json:"messages"`
}

// Delivery outcomes.
const (
	OutcomePosted   = "posted"
	OutcomeFiltered = "filtered"
	OutcomeIgnored  = "ignored"
	OutcomeRejected = "rejected"
)

// Message is one post in a channel: a canonical Adaptive Card plus a summary.
type Message struct {
	ID        int64  `json:"id"`
	OrgID     string `json:"-"`
	ChannelID string `json:"channel_id"`
	// Seq numbers the channel's messages 1, 2, 3... in commit order; live
	// streams use it as their event id.
	Seq          int64           `json:"seq"`
	ConnectionID string          `json:"connection_id"`
	CreatedAt    time.Time       `json:"created_at"`
	Format       string          `json:"format"`
	Summary      string          `json:"summary"`
	Card         json.RawMessage `json:"card"`
}

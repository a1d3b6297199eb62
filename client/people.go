package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Org is the organization a Herald deployment serves, with its connector
// switches. The switches mirror Exchange's Set-OrganizationConfig
// parameters of the same names.
type Org struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Cloud     string    `json:"cloud"` // commercial, gcc, gcch or dod
	CreatedAt time.Time `json:"created_at"`
	// ConnectorsEnabled turns every connector off, everywhere, when false.
	ConnectorsEnabled bool `json:"connectors_enabled"`
	// ConnectorsEnabledForTeams turns off the connectors of team channels.
	ConnectorsEnabledForTeams bool `json:"connectors_enabled_for_teams"`
	// ConnectorsEnabledForOutlook is kept for parity with Exchange; Herald
	// delivers no email yet.
	ConnectorsEnabledForOutlook bool `json:"connectors_enabled_for_outlook"`
	// ConnectorsActionableMessagesEnabled lets card buttons call back the
	// sender.
	ConnectorsActionableMessagesEnabled bool `json:"connectors_actionable_messages_enabled"`
	// URLRotation is the running URL rotation campaign (RequireURLUpdate),
	// nil when there is none.
	URLRotation *URLRotation `json:"url_rotation"`
	// URLMaxAge, when not zero, raises "Attention required" on webhook URLs
	// issued longer ago; they keep working.
	URLMaxAge Duration `json:"url_max_age"`
}

// OrgUpdate changes some of the organization's switches and settings; nil
// fields stay as they are.
type OrgUpdate struct {
	ConnectorsEnabled                   *bool `json:"connectors_enabled,omitempty"`
	ConnectorsEnabledForTeams           *bool `json:"connectors_enabled_for_teams,omitempty"`
	ConnectorsEnabledForOutlook         *bool `json:"connectors_enabled_for_outlook,omitempty"`
	ConnectorsActionableMessagesEnabled *bool `json:"connectors_actionable_messages_enabled,omitempty"`
	// URLMaxAge sets Org.URLMaxAge; a zero Duration turns the limit off.
	URLMaxAge *Duration `json:"url_max_age,omitempty"`
}

// Roles in a team, for SetMember and in Member.Role.
const (
	RoleOwner  = "owner"
	RoleMember = "member"
	RoleGuest  = "guest"
)

// Member is a user's membership of a team.
type Member struct {
	TeamID    string    `json:"team_id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	Email     string    `json:"email,omitempty"`
	Role      string    `json:"role"` // one of the Role constants
	CreatedAt time.Time `json:"created_at"`
}

// UserCreation is what CreateUser sends. A user without a password signs in
// with API tokens only; one with a password needs an email to sign in with.
type UserCreation struct {
	Name     string `json:"name"`
	Email    string `json:"email,omitempty"`
	Password string `json:"password,omitempty"`
	OrgAdmin bool   `json:"org_admin"`
}

// Token is an API token's record.
type Token struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
	// Secret is the token itself. The server sends it once, in the answer
	// to CreateToken, and keeps only its hash: it is empty everywhere else.
	Secret string `json:"token,omitempty"`
}

// AuditEntry records one change: who made it, what it was, the target's
// state before and after (JSON; absent for a creation or a removal), when.
type AuditEntry struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    string          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"` // such as "org.update", "member.add"
	TargetType string          `json:"target_type"`
	TargetID   string          `json:"target_id"`
	TeamID     string          `json:"team_id,omitempty"`
	Before     json.RawMessage `json:"before,omitempty"`
	After      json.RawMessage `json:"after,omitempty"`
}

// AuditQuery narrows Audit; zero fields do not filter.
type AuditQuery struct {
	Limit  int    // at most this many entries (0: the server's default page; it caps at 200)
	Before int64  // only entries older than this entry id, to page back
	TeamID string // only this team's entries
	Action string // only this action, such as "org.update"
}

// Org returns the organization with its switches.
func (c *Client) Org(ctx context.Context) (*Org, error) {
	var o Org
	if err := c.do(ctx, http.MethodGet, "/org", nil, nil, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// UpdateOrg changes the organization's switches (organization admins only)
// and returns the organization. Every node applies the change before it
// accepts its next webhook post.
func (c *Client) UpdateOrg(ctx context.Context, u OrgUpdate) (*Org, error) {
	var o Org
	if err := c.do(ctx, http.MethodPatch, "/org", nil, u, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

func membersPath(teamID string) string {
	return "/teams/" + url.PathEscape(teamID) + "/members"
}

// Members returns a team's members, by name.
func (c *Client) Members(ctx context.Context, teamID string) ([]Member, error) {
	var doc struct {
		Members []Member `json:"members"`
	}
	if err := c.do(ctx, http.MethodGet, membersPath(teamID), nil, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Members, nil
}

// SetMember adds a user to a team with a role, or changes their role; role
// "" means RoleMember. Taking the owner role from a team's last owner is a
// conflict.
func (c *Client) SetMember(ctx context.Context, teamID, userID, role string) (*Member, error) {
	if role == "" {
		role = RoleMember
	}
	var m Member
	in := map[string]string{"user_id": userID, "role": role}
	if err := c.do(ctx, http.MethodPost, membersPath(teamID), nil, in, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// RemoveMember takes a user out of a team; removing the last owner is a
// conflict. The connections the user made keep working.
func (c *Client) RemoveMember(ctx context.Context, teamID, userID string) error {
	return c.do(ctx, http.MethodDelete, membersPath(teamID)+"/"+url.PathEscape(userID), nil, nil, nil)
}

// Users returns the organization's users.
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var doc struct {
		Users []User `json:"users"`
	}
	if err := c.do(ctx, http.MethodGet, "/users", nil, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Users, nil
}

// CreateUser adds a user to the organization (organization admins only).
func (c *Client) CreateUser(ctx context.Context, u UserCreation) (*User, error) {
	var out User
	if err := c.do(ctx, http.MethodPost, "/users", nil, u, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteUser removes a user with their tokens and memberships
// (organization admins only). The connections they made keep working.
func (c *Client) DeleteUser(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/users/"+url.PathEscape(id), nil, nil, nil)
}

// Tokens returns the API tokens of a user, without their secrets; userID ""
// means the caller. Only organization admins may list other users' tokens.
func (c *Client) Tokens(ctx context.Context, userID string) ([]Token, error) {
	q := url.Values{}
	if userID != "" {
		q.Set("user_id", userID)
	}
	var doc struct {
		Tokens []Token `json:"tokens"`
	}
	if err := c.do(ctx, http.MethodGet, "/tokens", q, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Tokens, nil
}

// CreateToken issues an API token named name for a user, userID "" meaning
// the caller; only organization admins may issue tokens for others. The
// answer's Secret is the token, which cannot be read again.
func (c *Client) CreateToken(ctx context.Context, name, userID string) (*Token, error) {
	in := struct {
		Name   string `json:"name"`
		UserID string `json:"user_id,omitempty"`
	}{name, userID}
	var t Token
	if err := c.do(ctx, http.MethodPost, "/tokens", nil, in, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// DeleteToken revokes an API token: requests with it answer 401 from then
// on.
func (c *Client) DeleteToken(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/tokens/"+url.PathEscape(id), nil, nil, nil)
}

// Audit returns entries of the organization's audit log, newest first
// (organization admins only).
func (c *Client) Audit(ctx context.Context, q AuditQuery) ([]AuditEntry, error) {
	v := url.Values{}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Before > 0 {
		v.Set("before", strconv.FormatInt(q.Before, 10))
	}
	if q.TeamID != "" {
		v.Set("team_id", q.TeamID)
	}
	if q.Action != "" {
		v.Set("action", q.Action)
	}
	var doc struct {
		Entries []AuditEntry `json:"entries"`
	}
	if err := c.do(ctx, http.MethodGet, "/audit", v, nil, &doc); err != nil {
		return nil, err
	}
	return doc.Entries, nil
}

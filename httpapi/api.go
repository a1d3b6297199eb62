package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/catalog"
	"github.com/heraldhq/herald/ingest"
	"github.com/heraldhq/herald/policy"
	"github.com/heraldhq/herald/store"
	"github.com/heraldhq/herald/webhookurl"
)

const maxNameLen = 100

// validName trims a team, channel or connection name and checks it.
func validName(what, name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", herald.Errorf(herald.EInvalid, "A %s needs a name.", what)
	case utf8.RuneCountInString(name) > maxNameLen:
		return "", herald.Errorf(herald.EInvalid, "A %s name is at most %d characters.", what, maxNameLen)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return "", herald.Errorf(herald.EInvalid, "A %s name cannot contain control characters.", what)
	}
	return name, nil
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) error {
	return writeJSON(w, http.StatusOK, userFrom(r.Context()))
}

// access returns a team and the caller's standing in it. A caller who may
// not see the team gets "not found", so that ids from elsewhere reveal
// nothing.
func (s *Server) access(r *http.Request, teamID string) (*herald.Team, policy.Actor, error) {
	u := userFrom(r.Context())
	t, err := s.store.Team(r.Context(), teamID)
	if err != nil {
		return nil, policy.Actor{}, err
	}
	if t.OrgID != u.OrgID {
		return nil, policy.Actor{}, herald.Errorf(herald.ENotFound, "Team not found.")
	}
	role, err := s.store.Role(r.Context(), t.ID, u.ID)
	if err != nil {
		return nil, policy.Actor{}, err
	}
	actor := policy.Actor{OrgAdmin: u.OrgAdmin, Role: policy.Role(role)}
	if d := policy.Can(actor, policy.ViewTeam, ingest.TeamPolicy(t.TeamSettings)); !d.Allowed {
		return nil, policy.Actor{}, herald.Errorf(herald.ENotFound, "Team not found.")
	}
	return t, actor, nil
}

// team returns the team {id} if the caller may do action in it.
func (s *Server) team(r *http.Request, id string, action policy.Action) (*herald.Team, error) {
	t, actor, err := s.access(r, id)
	if err != nil {
		return nil, err
	}
	return t, allow(policy.Can(actor, action, ingest.TeamPolicy(t.TeamSettings)))
}

// allow turns a refusal into a "forbidden" error carrying its reason.
func allow(d policy.Decision) error {
	if d.Allowed {
		return nil
	}
	return herald.Errorf(herald.EForbidden, "%s", d.Reason)
}

// channel returns the channel {id} if the caller may do action in its team.
func (s *Server) channel(r *http.Request, action policy.Action) (*herald.Channel, *herald.Team, error) {
	c, err := s.store.Channel(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	if c.OrgID != userFrom(r.Context()).OrgID {
		return nil, nil, herald.Errorf(herald.ENotFound, "Channel not found.")
	}
	t, err := s.team(r, c.TeamID, action)
	if herald.ErrorCode(err) == herald.ENotFound {
		return nil, nil, herald.Errorf(herald.ENotFound, "Channel not found.")
	}
	return c, t, err
}

func (s *Server) listTeams(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	var teams []*herald.Team
	var err error
	if u.OrgAdmin {
		teams, err = s.store.Teams(r.Context(), u.OrgID)
	} else {
		teams, err = s.store.TeamsOf(r.Context(), u.ID)
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"teams": teams})
}

func (s *Server) createTeam(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	if err := allow(policy.CanOrg(policy.Actor{OrgAdmin: u.OrgAdmin}, policy.CreateTeam)); err != nil {
		return err
	}
	var req struct {
		Name string `json:"name"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	name, err := validName("team", req.Name)
	if err != nil {
		return err
	}
	t, err := s.store.CreateTeam(r.Context(), u, name)
	if err != nil {
		return err
	}
	if err := s.ingest.PolicyChanged(r.Context(), t.ID); err != nil {
		s.log.Warn("api: publish new team's switches", "team", t.ID, "error", err)
	}
	return writeJSON(w, http.StatusCreated, t)
}

func (s *Server) getTeam(w http.ResponseWriter, r *http.Request) error {
	t, actor, err := s.access(r, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.teamView(t, actor))
}

func (s *Server) updateTeam(w http.ResponseWriter, r *http.Request) error {
	t, err := s.team(r, r.PathValue("id"), policy.ManageTeamSettings)
	if err != nil {
		return err
	}
	var req herald.TeamUpdate
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Name != nil {
		name, err := validName("team", *req.Name)
		if err != nil {
			return err
		}
		req.Name = &name
	}
	t, err = s.store.UpdateTeam(r.Context(), userFrom(r.Context()), t.ID, req)
	if err != nil {
		return err
	}
	if err := s.ingest.PolicyChanged(r.Context(), t.ID); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, t)
}

func (s *Server) listChannels(w http.ResponseWriter, r *http.Request) error {
	t, err := s.team(r, r.PathValue("id"), policy.ViewTeam)
	if err != nil {
		return err
	}
	list, err := s.store.Channels(r.Context(), t.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"channels": list})
}

func (s *Server) createChannel(w http.ResponseWriter, r *http.Request) error {
	t, err := s.team(r, r.PathValue("id"), policy.CreateChannel)
	if err != nil {
		return err
	}
	var req struct {
		Name string `json:"name"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	name, err := validName("channel", req.Name)
	if err != nil {
		return err
	}
	c, err := s.store.CreateChannel(r.Context(), userFrom(r.Context()), t, name)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, c)
}

func (s *Server) getChannel(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.channel(r, policy.ViewTeam)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, c)
}

// connectionView is a connection as the API shows it, with its URLs.
type connectionView struct {
	*herald.Connection
	WebhookURL string `json:"webhook_url,omitempty"`
	SlackURL   string `json:"slack_url,omitempty"`
	// URLNote explains a missing URL (the connection was made with another
	// server key).
	URLNote string `json:"url_note,omitempty"`
	// ImageURL is the picture shown as the author of its messages.
	ImageURL string `json:"image_url,omitempty"`
	// OldURL describes the URL replaced by the last Update URL, if any.
	OldURL *oldURLView `json:"old_url,omitempty"`
	// Feed is a polling connection's feed state.
	Feed              *herald.FeedState `json:"feed,omitempty"`
	AttentionRequired bool              `json:"attention_required"`
	AttentionReasons  []string          `json:"attention_reasons"`
}

func (s *Server) view(c *herald.Connection, sec *store.ConnectionSecrets) connectionView {
	v := connectionView{Connection: c, AttentionReasons: []string{}}
	if c.HasImage {
		v.ImageURL = "/api/v1/connections/" + c.ID + "/image"
	}
	if !hasURL(c) {
		return v
	}
	if sec.KeyID != s.keys.ID() {
		v.URLNote = "This node has a different server key from the one that made this URL, so it cannot show it. Run every node with the same --secret-key."
		return v
	}
	v.WebhookURL = webhookurl.TeamsURL(s.cfg.BaseURL, c, catalog.URLName(c.Connector), s.keys.Token(c.ID, sec.TokenSalt))
	if c.Connector == herald.ConnectorIncomingWebhook {
		v.SlackURL = webhookurl.SlackURL(s.cfg.BaseURL, c, s.keys.SlackToken(c.ID, sec.TokenSalt))
	}
	return v
}

// connection returns the connection named by {id} with its secrets, if the
// caller may do action in its team.
func (s *Server) connection(r *http.Request, action policy.Action) (*herald.Connection, *store.ConnectionSecrets, error) {
	c, sec, err := s.store.ConnectionWithSecrets(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	if c.DeletedAt != nil || c.OrgID != userFrom(r.Context()).OrgID {
		return nil, nil, herald.Errorf(herald.ENotFound, "Connection not found.")
	}
	if _, err := s.team(r, c.TeamID, action); herald.ErrorCode(err) == herald.ENotFound {
		return nil, nil, herald.Errorf(herald.ENotFound, "Connection not found.")
	} else if err != nil {
		return nil, nil, err
	}
	return c, sec, nil
}

func (s *Server) listConnections(w http.ResponseWriter, r *http.Request) error {
	ch, _, err := s.channel(r, policy.ViewTeam)
	if err != nil {
		return err
	}
	list, secs, err := s.store.Connections(r.Context(), ch.ID)
	if err != nil {
		return err
	}
	org, err := s.store.Org(r.Context())
	if err != nil {
		return err
	}
	views := make([]connectionView, 0, len(list))
	show := s.urlVisibility(r)
	for i, c := range list {
		v, err := s.fullView(r, c, secs[i], org, show)
		if err != nil {
			return err
		}
		views = append(views, v)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"connections": views})
}

func (s *Server) createConnection(w http.ResponseWriter, r *http.Request) error {
	ch, team, err := s.channel(r, policy.ManageConnectors)
	if err != nil {
		return err
	}
	var req struct {
		Connector string                  `json:"connector"`
		Name      string                  `json:"name"`
		Config    herald.ConnectionConfig `json:"config"`
		Secret    *string                 `json:"secret"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Connector == "" {
		req.Connector = herald.ConnectorIncomingWebhook
	}
	cn, retired, err := s.connectorFor(r, req.Connector)
	if err != nil {
		return err
	}
	if retired || !cn.Accepts() {
		return herald.Errorf(herald.EConflictRetired, "The %s connector is retired and accepts no new connections; its existing connections keep working. Use the Incoming Webhook or the Generic JSON connector instead.", cn.Name)
	}
	if err := validConfig(cn, &req.Config); err != nil {
		return err
	}
	// Read the switches from the store, not the cache: this is not the hot
	// path, and it must not race a change made on another node.
	org, err := s.store.Org(r.Context())
	if err != nil {
		return err
	}
	if err := allow(policy.AddConnection(ingest.OrgPolicy(org), ingest.TeamPolicy(team.TeamSettings))); err != nil {
		return err
	}
	name, err := validName("connection", req.Name)
	if err != nil {
		return err
	}
	c := &herald.Connection{
		ID:        herald.NewConnectionID(),
		OrgID:     ch.OrgID,
		TeamID:    ch.TeamID,
		ChannelID: ch.ID,
		Connector: cn.ID,
		Name:      name,
		CreatorID: userFrom(r.Context()).ID,
		SlackID:   herald.NewSlackID('B'),
		Config:    req.Config,
	}
	salt := webhookurl.NewSalt()
	sec := &store.ConnectionSecrets{
		TokenSalt:      salt,
		KeyID:          s.keys.ID(),
		TokenHash:      webhookurl.Hash(s.keys.Token(c.ID, salt)),
		SlackTokenHash: webhookurl.Hash(s.keys.SlackToken(c.ID, salt)),
	}
	if p := s.sealSecret(req.Secret); p != nil {
		sec.SecretSealed = *p
	}
	if err := s.store.CreateConnectionWith(r.Context(), userFrom(r.Context()), c, *sec, s.schedule(c)); err != nil {
		return err
	}
	v, err := s.fullView(r, c, sec, org, s.urlVisibility(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, v)
}

func (s *Server) getConnection(w http.ResponseWriter, r *http.Request) error {
	c, sec, err := s.connection(r, policy.ViewTeam)
	if err != nil {
		return err
	}
	return s.writeConnection(w, r, http.StatusOK, c, sec)
}

func (s *Server) deleteConnection(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.connection(r, policy.ManageConnectors)
	if err != nil {
		return err
	}
	if err := s.store.DeleteConnection(r.Context(), userFrom(r.Context()), c.ID); err != nil {
		return err
	}
	s.ingest.Changed(r.Context(), c.ID)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

const (
	defaultPage = 50
	maxPage     = 200
)

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	ch, _, err := s.channel(r, policy.ViewTeam)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit := defaultPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return herald.Errorf(herald.EInvalid, "limit must be a positive integer (at most %d).", maxPage)
		}
		limit = min(n, maxPage)
	}
	var before int64
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return herald.Errorf(herald.EInvalid, "before must be a message id.")
		}
		before = n
	}
	list, err := s.store.Messages(r.Context(), ch.ID, before, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"messages": list})
}

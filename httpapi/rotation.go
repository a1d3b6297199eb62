package httpapi

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/catalog"
	"github.com/heraldhq/herald/ingest"
	"github.com/heraldhq/herald/policy"
	"github.com/heraldhq/herald/store"
	"github.com/heraldhq/herald/webhookurl"
)

const (
	defaultGrace = 24 * time.Hour
	maxGrace     = 90 * 24 * time.Hour
	shownCallers = 5
)

// oldURLView is what the API shows of a replaced URL: never the URL itself.
type oldURLView struct {
	ExpiresAt  time.Time            `json:"expires_at"`
	Calls      int64                `json:"calls"`
	LastUsedAt *time.Time           `json:"last_used_at"`
	Callers    []store.OldURLCaller `json:"callers"`
}

// hasURL reports whether connections of this connector have a webhook URL
// (polling connectors have none and never need an update).
func hasURL(c *herald.Connection) bool {
	cn, ok := catalog.Lookup(c.Connector)
	return !ok || cn.Kind == herald.KindPush
}

// attention fills a view's "Attention required" state: the reasons a person
// should act on this connection now.
func (s *Server) attention(r *http.Request, v *connectionView, sec *store.ConnectionSecrets, org *herald.Org) error {
	v.AttentionReasons = []string{}
	c := v.Connection
	if isPolling(c) {
		return s.feedView(r, v)
	}
	if !hasURL(c) {
		return nil
	}
	now := s.now()
	if sec.OldExpiresAt != nil {
		use, err := s.store.OldURLCalls(r.Context(), c.ID, shownCallers)
		if err != nil {
			return err
		}
		v.OldURL = &oldURLView{ExpiresAt: *sec.OldExpiresAt, Calls: use.Calls, LastUsedAt: use.LastUsed, Callers: use.Callers}
		if now.Before(*sec.OldExpiresAt) && use.Calls > 0 {
			v.AttentionReasons = append(v.AttentionReasons, fmt.Sprintf(
				"old URL still in use: %d calls since it was replaced, the last at %s from %s; update those senders before it stops working at %s",
				use.Calls, use.LastUsed.Format(time.RFC3339), use.Callers[0].Address, sec.OldExpiresAt.Format(time.RFC3339)))
		}
	}
	if rot := org.URLRotation; rot != nil && c.URLIssuedAt.Before(rot.IssuedBefore) {
		if now.Before(rot.Deadline) {
			v.AttentionReasons = append(v.AttentionReasons, "URL update required by "+rot.Deadline.Format(time.RFC3339)+
				": the organization requires every webhook URL issued before "+rot.IssuedBefore.Format(time.RFC3339)+" to be updated (Update URL)")
		} else {
			v.AttentionReasons = append(v.AttentionReasons, "URL expired on "+rot.Deadline.Format(time.RFC3339)+
				": it was not updated by the organization's deadline and answers 410; use Update URL and give the new URL to its senders")
		}
	}
	if age := time.Duration(org.URLMaxAge); age > 0 && now.Sub(c.URLIssuedAt) > age {
		v.AttentionReasons = append(v.AttentionReasons, "URL older than the organization's limit of "+age.String()+": update it (Update URL)")
	}
	v.AttentionRequired = len(v.AttentionReasons) > 0
	return nil
}

// fullView is a connection's view with its attention state. Its URLs are
// secrets: shown only to callers who may manage the team's connectors.
func (s *Server) fullView(r *http.Request, c *herald.Connection, sec *store.ConnectionSecrets, org *herald.Org, showURLs func(teamID string) bool) (connectionView, error) {
	v := s.view(c, sec)
	if !showURLs(c.TeamID) {
		v.WebhookURL, v.SlackURL, v.URLNote = "", "", ""
	}
	return v, s.attention(r, &v, sec, org)
}

// writeConnection answers with a connection's full view.
func (s *Server) writeConnection(w http.ResponseWriter, r *http.Request, status int, c *herald.Connection, sec *store.ConnectionSecrets) error {
	org, err := s.store.Org(r.Context())
	if err != nil {
		return err
	}
	v, err := s.fullView(r, c, sec, org, s.urlVisibility(r))
	if err != nil {
		return err
	}
	return writeJSON(w, status, v)
}

// urlVisibility tells, per team, whether the caller may see webhook URLs:
// those who may manage the team's connectors. Answers are kept for the
// request, so a list asks once per team.
func (s *Server) urlVisibility(r *http.Request) func(teamID string) bool {
	seen := map[string]bool{}
	return func(teamID string) bool {
		if v, ok := seen[teamID]; ok {
			return v
		}
		_, err := s.team(r, teamID, policy.ManageConnectors)
		seen[teamID] = err == nil
		return err == nil
	}
}

// rotateURL is "Update URL": POST /connections/{id}/url {"grace":"24h"}. It
// answers with the connection and its new URLs; the old URL is never shown
// again. It keeps delivering during grace (answers carry Deprecation and
// Sunset), then answers 410.
func (s *Server) rotateURL(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.connection(r, policy.ManageConnectors)
	if err != nil {
		return err
	}
	if !hasURL(c) {
		return herald.Errorf(herald.EInvalid, "A polling connection has no URL to update.")
	}
	var req struct {
		Grace *herald.Duration `json:"grace"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, &req); err != nil {
			return err
		}
	}
	grace := defaultGrace
	if req.Grace != nil {
		grace = time.Duration(*req.Grace)
	}
	if grace > maxGrace {
		return herald.Errorf(herald.EInvalid, "The grace period is at most %v.", maxGrace)
	}
	salt := webhookurl.NewSalt()
	next := store.ConnectionSecrets{
		TokenSalt:      salt,
		KeyID:          s.keys.ID(),
		TokenHash:      webhookurl.Hash(s.keys.Token(c.ID, salt)),
		SlackTokenHash: webhookurl.Hash(s.keys.SlackToken(c.ID, salt)),
	}
	if _, err := s.store.RotateURL(r.Context(), userFrom(r.Context()), c.ID, next, grace); err != nil {
		return err
	}
	s.ingest.Changed(r.Context(), c.ID)
	c, sec, err := s.store.ConnectionWithSecrets(r.Context(), c.ID)
	if err != nil {
		return err
	}
	return s.writeConnection(w, r, http.StatusOK, c, sec)
}

// listOrgConnections is GET /connections[?attention=true]: the connections
// of every team the caller can see, or only those that need attention.
func (s *Server) listOrgConnections(w http.ResponseWriter, r *http.Request) error {
	u := userFrom(r.Context())
	onlyAttention, _ := strconv.ParseBool(r.URL.Query().Get("attention"))
	org, err := s.store.Org(r.Context())
	if err != nil {
		return err
	}
	visible := map[string]bool{}
	if !u.OrgAdmin {
		teams, err := s.store.TeamsOf(r.Context(), u.ID)
		if err != nil {
			return err
		}
		for _, t := range teams {
			visible[t.ID] = true
		}
	}
	list, secs, err := s.store.OrgConnections(r.Context(), u.OrgID)
	if err != nil {
		return err
	}
	views := []connectionView{}
	show := s.urlVisibility(r)
	for i, c := range list {
		if !u.OrgAdmin && !visible[c.TeamID] {
			continue
		}
		v, err := s.fullView(r, c, secs[i], org, show)
		if err != nil {
			return err
		}
		if onlyAttention && !v.AttentionRequired {
			continue
		}
		views = append(views, v)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"connections": views})
}

// requireURLUpdate starts a rotation campaign: POST /org/url-rotation
// {"issued_before","deadline"}. Every webhook URL issued before
// issued_before (default: now) shows "Attention required" until updated, and
// answers 410 after deadline.
func (s *Server) requireURLUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := orgAction(r, policy.ManageOrg); err != nil {
		return err
	}
	var req struct {
		IssuedBefore *time.Time `json:"issued_before"`
		Deadline     *time.Time `json:"deadline"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	now := s.now()
	rot := &herald.URLRotation{IssuedBefore: now}
	if req.IssuedBefore != nil {
		rot.IssuedBefore = *req.IssuedBefore
	}
	if req.Deadline == nil {
		return herald.Errorf(herald.EInvalid, "Give a deadline (RFC 3339, e.g. %q) by which URLs must be updated.", now.Add(30*24*time.Hour).UTC().Format(time.RFC3339))
	}
	rot.Deadline = *req.Deadline
	if rot.IssuedBefore.After(now) {
		return herald.Errorf(herald.EInvalid, "issued_before cannot be in the future: only URLs that exist can be required to change.")
	}
	if !rot.Deadline.After(now) {
		return herald.Errorf(herald.EInvalid, "The deadline must be in the future.")
	}
	if _, err := s.store.SetURLRotation(r.Context(), userFrom(r.Context()), rot); err != nil {
		return err
	}
	if err := s.ingest.PolicyChanged(r.Context(), ingest.ScopeOrg); err != nil {
		return err
	}
	return s.urlRotation(w, r)
}

func (s *Server) cancelURLUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := orgAction(r, policy.ManageOrg); err != nil {
		return err
	}
	if _, err := s.store.SetURLRotation(r.Context(), userFrom(r.Context()), nil); err != nil {
		return err
	}
	if err := s.ingest.PolicyChanged(r.Context(), ingest.ScopeOrg); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type affectedConnection struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	ChannelID      string     `json:"channel_id"`
	URLIssuedAt    time.Time  `json:"url_issued_at"`
	LastDeliveryAt *time.Time `json:"last_delivery_at"`
}

type affectedTeam struct {
	TeamID      string               `json:"team_id"`
	TeamName    string               `json:"team_name"`
	Connections []affectedConnection `json:"connections"`
}

// urlRotation is GET /org/url-rotation: the campaign and, per team, the
// connections whose URL still has to be updated, with their last use.
func (s *Server) urlRotation(w http.ResponseWriter, r *http.Request) error {
	if err := orgAction(r, policy.ManageOrg); err != nil {
		return err
	}
	org, err := s.store.Org(r.Context())
	if err != nil {
		return err
	}
	out := map[string]any{"url_rotation": org.URLRotation, "teams": []affectedTeam{}, "pending": 0}
	if org.URLRotation == nil {
		return writeJSON(w, http.StatusOK, out)
	}
	teams, err := s.store.Teams(r.Context(), org.ID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	list, _, err := s.store.OrgConnections(r.Context(), org.ID)
	if err != nil {
		return err
	}
	byTeam := map[string]*affectedTeam{}
	pending := 0
	for _, c := range list {
		if !hasURL(c) || !c.URLIssuedAt.Before(org.URLRotation.IssuedBefore) {
			continue
		}
		at := byTeam[c.TeamID]
		if at == nil {
			at = &affectedTeam{TeamID: c.TeamID, TeamName: names[c.TeamID]}
			byTeam[c.TeamID] = at
		}
		at.Connections = append(at.Connections, affectedConnection{ID: c.ID, Name: c.Name, ChannelID: c.ChannelID,
			URLIssuedAt: c.URLIssuedAt, LastDeliveryAt: c.LastDeliveryAt})
		pending++
	}
	result := make([]affectedTeam, 0, len(byTeam))
	for _, at := range byTeam {
		result = append(result, *at)
	}
	slices.SortFunc(result, func(a, b affectedTeam) int {
		if a.TeamName != b.TeamName {
			if a.TeamName < b.TeamName {
				return -1
			}
			return 1
		}
		if a.TeamID < b.TeamID {
			return -1
		}
		return 1
	})
	out["teams"], out["pending"] = result, pending
	return writeJSON(w, http.StatusOK, out)
}

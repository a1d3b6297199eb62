package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/ingest"
	"github.com/heraldhq/herald/password"
	"github.com/heraldhq/herald/policy"
	"github.com/heraldhq/herald/store"
	"github.com/heraldhq/herald/webhookurl"
)

// orgAction checks an organization-level action for the caller.
func orgAction(r *http.Request, action policy.Action) error {
	u := userFrom(r.Context())
	return allow(policy.CanOrg(policy.Actor{OrgAdmin: u.OrgAdmin}, action))
}

func (s *Server) getOrg(w http.ResponseWriter, r *http.Request) error {
	org, err := s.store.Org(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, org)
}

// updateOrg is Set-OrganizationConfig: it changes the switches and answers
// with all of them. Every node applies the change before its next post.
func (s *Server) updateOrg(w http.ResponseWriter, r *http.Request) error {
	if err := orgAction(r, policy.ManageOrg); err != nil {
		return err
	}
	var req herald.OrgUpdate
	if err := decode(r, &req); err != nil {
		return err
	}
	if d := req.URLMaxAge; d != nil && (time.Duration(*d)%time.Second != 0) {
		return herald.Errorf(herald.EInvalid, "url_max_age is whole seconds or more, e.g. \"2160h\" (90 days); \"0s\" removes the limit.")
	}
	org, err := s.store.UpdateOrg(r.Context(), userFrom(r.Context()), req)
	if err != nil {
		return err
	}
	if err := s.ingest.PolicyChanged(r.Context(), ingest.ScopeOrg); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, org)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.store.Users(r.Context(), userFrom(r.Context()).OrgID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": users})
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	if err := orgAction(r, policy.ManageUsers); err != nil {
		return err
	}
	var req struct {
		Name     string `json:"name"`
		Email    string `json:"email"`
		Password string `json:"password"`
		OrgAdmin bool   `json:"org_admin"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	name, err := validName("user", req.Name)
	if err != nil {
		return err
	}
	email := strings.TrimSpace(req.Email)
	if email != "" && (!strings.Contains(email, "@") || len(email) > 254 || strings.ContainsAny(email, " \t\r\n")) {
		return herald.Errorf(herald.EInvalid, "%q is not an email address.", email)
	}
	var hash string
	if req.Password != "" {
		if email == "" {
			return herald.Errorf(herald.EInvalid, "A user who signs in with a password needs an email to sign in with.")
		}
		if err := password.Check(req.Password); err != nil {
			return herald.Errorf(herald.EInvalid, "Choose another password: %v.", err)
		}
		hash = password.Hash(req.Password)
	}
	u := &herald.User{ID: herald.NewUUID(), Name: name, Email: email, OrgAdmin: req.OrgAdmin}
	if err := s.store.CreateUser(r.Context(), userFrom(r.Context()), u, hash); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, u)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	if err := orgAction(r, policy.ManageUsers); err != nil {
		return err
	}
	id := r.PathValue("id")
	if id == userFrom(r.Context()).ID {
		return herald.Errorf(herald.EConflict, "You cannot delete yourself; ask another organization admin.")
	}
	// Deleting a user ends their memberships: refuse if that would leave a
	// team without an owner, as removing them from it would.
	teams, err := s.store.TeamsOf(r.Context(), id)
	if err != nil {
		return err
	}
	for _, t := range teams {
		if err := s.keepAnOwner(r, t, id); err != nil {
			return herald.Errorf(herald.EConflict, "This user is the last owner of the team %q; make someone else an owner there first.", t.Name)
		}
	}
	if err := s.store.DeleteUser(r.Context(), userFrom(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// createToken issues an API token, shown in this answer only. An org admin
// may issue one for another user with "user_id".
func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	caller := userFrom(r.Context())
	var req struct {
		Name   string `json:"name"`
		UserID string `json:"user_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	name, err := validName("token", req.Name)
	if err != nil {
		return err
	}
	owner := caller.ID
	if req.UserID != "" && req.UserID != caller.ID {
		if err := orgAction(r, policy.ManageUsers); err != nil {
			return herald.Errorf(herald.EForbidden, "Only organization admins can issue tokens for other users.")
		}
		owner = req.UserID
	}
	secret := NewAPIToken()
	t := &herald.Token{ID: herald.NewUUID(), UserID: owner, Name: name}
	if err := s.store.CreateToken(r.Context(), caller, t, webhookurl.Hash(secret)); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"id": t.ID, "user_id": t.UserID, "name": t.Name,
		"created_at": t.CreatedAt, "token": secret})
}

// NewAPIToken returns a new API token: "hrd_" and 40 random letters and
// digits (about 238 bits).
func NewAPIToken() string { return "hrd_" + herald.NewToken(herald.SlackAlphabet, 40) }

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) error {
	caller := userFrom(r.Context())
	owner := caller.ID
	if v := r.URL.Query().Get("user_id"); v != "" && v != caller.ID {
		if err := orgAction(r, policy.ManageUsers); err != nil {
			return herald.Errorf(herald.EForbidden, "Only organization admins can list other users' tokens.")
		}
		owner = v
	}
	list, err := s.store.Tokens(r.Context(), owner)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tokens": list})
}

func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) error {
	caller := userFrom(r.Context())
	t, err := s.store.Token(r.Context(), caller.OrgID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if t.UserID != caller.ID && !caller.OrgAdmin {
		return herald.Errorf(herald.ENotFound, "Token not found.")
	}
	if err := s.store.DeleteToken(r.Context(), caller, t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request) error {
	t, err := s.team(r, r.PathValue("id"), policy.ViewTeam)
	if err != nil {
		return err
	}
	list, err := s.store.Members(r.Context(), t.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"members": list})
}

func (s *Server) setMember(w http.ResponseWriter, r *http.Request) error {
	t, err := s.team(r, r.PathValue("id"), policy.ManageMembers)
	if err != nil {
		return err
	}
	var req struct {
		UserID string `json:"user_id"`
		Role   string `json:"role"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Role == "" {
		req.Role = string(policy.Member)
	}
	role, err := policy.ParseRole(req.Role)
	if err != nil {
		return herald.Errorf(herald.EInvalid, "The %v.", err)
	}
	if role != policy.Owner {
		if err := s.keepAnOwner(r, t, req.UserID); err != nil {
			return err
		}
	}
	m, err := s.store.SetMember(r.Context(), userFrom(r.Context()), t, req.UserID, string(role))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, m)
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request) error {
	t, err := s.team(r, r.PathValue("id"), policy.ManageMembers)
	if err != nil {
		return err
	}
	userID := r.PathValue("user_id")
	if err := s.keepAnOwner(r, t, userID); err != nil {
		return err
	}
	if err := s.store.RemoveMember(r.Context(), userFrom(r.Context()), t, userID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// keepAnOwner refuses to take the last owner's ownership away: a team
// without an owner could only be managed by organization admins.
func (s *Server) keepAnOwner(r *http.Request, t *herald.Team, userID string) error {
	members, err := s.store.Members(r.Context(), t.ID)
	if err != nil {
		return err
	}
	owners, isOwner := 0, false
	for _, m := range members {
		if m.Role == string(policy.Owner) {
			owners++
			isOwner = isOwner || m.UserID == userID
		}
	}
	if isOwner && owners == 1 {
		return herald.Errorf(herald.EConflict, "This is the team's last owner; make someone else an owner first.")
	}
	return nil
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) error {
	if err := orgAction(r, policy.ReadAudit); err != nil {
		return err
	}
	q := r.URL.Query()
	f := store.AuditFilter{TeamID: q.Get("team_id"), Action: q.Get("action")}
	f.Limit = defaultPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return herald.Errorf(herald.EInvalid, "limit must be a positive integer (at most %d).", maxPage)
		}
		f.Limit = min(n, maxPage)
	}
	if v := q.Get("before"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return herald.Errorf(herald.EInvalid, "before must be an audit entry id.")
		}
		f.Before = n
	}
	list, err := s.store.Audit(r.Context(), userFrom(r.Context()).OrgID, f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"entries": list})
}

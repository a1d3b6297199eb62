package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/client"
)

// wantAPIError fails the test unless err is an *APIError with this status
// and code.
func wantAPIError(t *testing.T, what string, err error, status int, code string) *client.APIError {
	t.Helper()
	apiErr, ok := errors.AsType[*client.APIError](err)
	if !ok || apiErr.Status != status || apiErr.Code != code {
		t.Fatalf("%s: %v; want %d %s", what, err, status, code)
	}
	return apiErr
}

func TestOrgSwitches(t *testing.T) {
	f := newFixture(t, startServer(t))
	ctx := context.Background()

	org, err := f.c.Org(ctx)
	if err != nil {
		t.Fatalf("Org: %v", err)
	}
	if org.ID == "" || org.Cloud != "commercial" || !org.ConnectorsEnabled || !org.ConnectorsEnabledForTeams ||
		!org.ConnectorsEnabledForOutlook || !org.ConnectorsActionableMessagesEnabled {
		t.Fatalf("Org = %+v; want the commercial defaults, every switch on", org)
	}

	off := false
	got, err := f.c.UpdateOrg(ctx, client.OrgUpdate{ConnectorsEnabled: &off})
	if err != nil {
		t.Fatalf("UpdateOrg: %v", err)
	}
	if got.ConnectorsEnabled || !got.ConnectorsEnabledForTeams || got.ID != org.ID {
		t.Errorf("UpdateOrg = %+v; want only connectors_enabled off", got)
	}
	if status, body := postRaw(t, f.conn.WebhookURL, "refused"); status != http.StatusForbidden || !strings.Contains(body, "connectors_enabled") {
		t.Errorf("POST with connectors off: %d %q; want 403 naming connectors_enabled", status, body)
	}

	on := true
	if _, err := f.c.UpdateOrg(ctx, client.OrgUpdate{ConnectorsEnabled: &on}); err != nil {
		t.Fatalf("UpdateOrg back on: %v", err)
	}
	post(t, f.conn.WebhookURL, "accepted")

	entries, err := f.c.Audit(ctx, client.AuditQuery{Action: "org.update"})
	if err != nil || len(entries) != 2 {
		t.Fatalf("Audit(org.update) = %+v, %v; want 2 entries", entries, err)
	}
	// Newest first: the second change put the switch back on.
	var before, after struct {
		ConnectorsEnabled bool `json:"connectors_enabled"`
	}
	e := entries[1]
	if err := json.Unmarshal(e.Before, &before); err != nil {
		t.Fatalf("before %s: %v", e.Before, err)
	}
	if err := json.Unmarshal(e.After, &after); err != nil {
		t.Fatalf("after %s: %v", e.After, err)
	}
	if !before.ConnectorsEnabled || after.ConnectorsEnabled || e.ActorName != "admin" || e.TargetType != "org" || e.TargetID != org.ID || e.ID >= entries[0].ID {
		t.Errorf("first org.update entry = %+v", e)
	}
	page, err := f.c.Audit(ctx, client.AuditQuery{Limit: 1, Before: entries[0].ID, Action: "org.update"})
	if err != nil || len(page) != 1 || page[0].ID != e.ID {
		t.Errorf("Audit(before %d, limit 1) = %+v, %v; want entry %d", entries[0].ID, page, err, e.ID)
	}
	teamLog, err := f.c.Audit(ctx, client.AuditQuery{TeamID: f.team.ID})
	if err != nil || len(teamLog) == 0 || slices.ContainsFunc(teamLog, func(a client.AuditEntry) bool { return a.TeamID != f.team.ID }) {
		t.Errorf("Audit(team) = %+v, %v; want only the team's entries", teamLog, err)
	}
}

func TestUpdateTeam(t *testing.T) {
	f := newFixture(t, startServer(t))
	ctx := context.Background()
	if !f.team.ConnectorsEnabled || !f.team.MembersCanManageConnectors {
		t.Fatalf("new team = %+v; want both switches on", f.team)
	}

	name, off := "Platform Ops", false
	got, err := f.c.UpdateTeam(ctx, f.team.ID, client.TeamUpdate{Name: &name, ConnectorsEnabled: &off})
	if err != nil {
		t.Fatalf("UpdateTeam: %v", err)
	}
	if got.Name != name || got.ConnectorsEnabled || !got.MembersCanManageConnectors {
		t.Errorf("UpdateTeam = %+v", got)
	}
	if status, body := postRaw(t, f.conn.WebhookURL, "refused"); status != http.StatusForbidden || !strings.Contains(body, "team.connectors_enabled") {
		t.Errorf("POST with the team's connectors off: %d %q", status, body)
	}
	if got, err := f.c.Team(ctx, f.team.ID); err != nil || got.Name != name || got.ConnectorsEnabled {
		t.Errorf("Team after update = %+v, %v", got, err)
	}
	_, err = f.c.UpdateTeam(ctx, f.team.ID, client.TeamUpdate{Name: new(string)})
	wantAPIError(t, "empty name", err, 400, client.CodeInvalid)
}

func TestPeople(t *testing.T) {
	base := startServer(t)
	f := newFixture(t, base)
	ctx := context.Background()
	me, err := f.c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}

	bob, err := f.c.CreateUser(ctx, client.UserCreation{Name: "Bob", Email: "bob@example.com"})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if bob.ID == "" || bob.Name != "Bob" || bob.Email != "bob@example.com" || bob.OrgAdmin || bob.OrgID != me.OrgID {
		t.Errorf("CreateUser = %+v", bob)
	}
	_, err = f.c.CreateUser(ctx, client.UserCreation{Name: "Bob again", Email: "bob@example.com"})
	wantAPIError(t, "duplicate email", err, 409, client.CodeConflict)
	users, err := f.c.Users(ctx)
	if err != nil || !slices.ContainsFunc(users, func(u client.User) bool { return u.ID == bob.ID }) {
		t.Errorf("Users = %+v, %v; want Bob among them", users, err)
	}

	// Members: the team's creator is its owner.
	m, err := f.c.SetMember(ctx, f.team.ID, bob.ID, "")
	if err != nil || m.UserID != bob.ID || m.Role != client.RoleMember || m.Name != "Bob" || m.TeamID != f.team.ID {
		t.Fatalf("SetMember = %+v, %v", m, err)
	}
	members, err := f.c.Members(ctx, f.team.ID)
	if err != nil || len(members) != 2 {
		t.Fatalf("Members = %+v, %v; want 2", members, err)
	}
	roles := map[string]string{}
	for _, m := range members {
		roles[m.UserID] = m.Role
	}
	if roles[me.ID] != client.RoleOwner || roles[bob.ID] != client.RoleMember {
		t.Errorf("roles = %v", roles)
	}
	err = f.c.RemoveMember(ctx, f.team.ID, me.ID)
	if apiErr := wantAPIError(t, "removing the last owner", err, 409, client.CodeConflict); !strings.Contains(apiErr.Message, "last owner") {
		t.Errorf("message %q does not say why", apiErr.Message)
	}
	_, err = f.c.SetMember(ctx, f.team.ID, bob.ID, "boss")
	wantAPIError(t, "unknown role", err, 400, client.CodeInvalid)

	// Tokens: an admin issues one for Bob; it authenticates as Bob until
	// revoked.
	tok, err := f.c.CreateToken(ctx, "bob's laptop", bob.ID)
	if err != nil || !strings.HasPrefix(tok.Secret, "hrd_") || tok.UserID != bob.ID || tok.ID == "" {
		t.Fatalf("CreateToken = %+v, %v", tok, err)
	}
	asBob := client.New(base, tok.Secret)
	if u, err := asBob.Me(ctx); err != nil || u.ID != bob.ID {
		t.Fatalf("Me with Bob's token = %+v, %v", u, err)
	}
	list, err := f.c.Tokens(ctx, bob.ID)
	if err != nil || len(list) != 1 || list[0].ID != tok.ID || list[0].Secret != "" {
		t.Errorf("Tokens(bob) = %+v, %v; want the one token, without its secret", list, err)
	}
	if own, err := asBob.Tokens(ctx, ""); err != nil || len(own) != 1 || own[0].ID != tok.ID {
		t.Errorf("Bob's own Tokens = %+v, %v", own, err)
	}

	// Bob is no organization admin.
	off := false
	_, err = asBob.UpdateOrg(ctx, client.OrgUpdate{ConnectorsEnabled: &off})
	if apiErr := wantAPIError(t, "UpdateOrg as Bob", err, 403, client.CodeForbidden); !strings.Contains(apiErr.Message, "organization admins") {
		t.Errorf("403 message %q does not say who may", apiErr.Message)
	}
	_, err = asBob.Audit(ctx, client.AuditQuery{})
	wantAPIError(t, "Audit as Bob", err, 403, client.CodeForbidden)
	_, err = asBob.CreateToken(ctx, "for admin", me.ID)
	wantAPIError(t, "CreateToken for another user as Bob", err, 403, client.CodeForbidden)

	if err := f.c.DeleteToken(ctx, tok.ID); err != nil {
		t.Fatalf("DeleteToken: %v", err)
	}
	_, err = asBob.Me(ctx)
	wantAPIError(t, "Me with a revoked token", err, 401, client.CodeUnauthorized)

	if err := f.c.RemoveMember(ctx, f.team.ID, bob.ID); err != nil {
		t.Fatalf("RemoveMember: %v", err)
	}
	if members, err := f.c.Members(ctx, f.team.ID); err != nil || len(members) != 1 || members[0].UserID != me.ID {
		t.Errorf("Members after remove = %+v, %v", members, err)
	}
	if err := f.c.DeleteUser(ctx, bob.ID); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	err = f.c.DeleteUser(ctx, bob.ID)
	wantAPIError(t, "deleting a deleted user", err, 404, client.CodeNotFound)
	err = f.c.DeleteUser(ctx, me.ID)
	wantAPIError(t, "deleting yourself", err, 409, client.CodeConflict)
}

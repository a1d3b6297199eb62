package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/testenv"
	"github.com/heraldhq/herald/store"
)

func TestUsersAndTokens(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		_, admin := bootstrap(t, s)
		ada := &herald.User{ID: herald.NewUUID(), Name: "Ada", Email: "Ada@Example.com"}
		testenv.Must(t, s.CreateUser(ctx, admin, ada, "phc-hash"), "create user")
		if err := s.CreateUser(ctx, admin, &herald.User{ID: herald.NewUUID(), Name: "Ada 2", Email: "ada@example.com"}, ""); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("duplicate email: %v", err)
		}
		u, hash, err := s.UserByEmail(ctx, admin.OrgID, "ADA@example.com")
		if err != nil || u.ID != ada.ID || hash != "phc-hash" || u.Email != "ada@example.com" {
			t.Fatalf("by email: %+v %q %v", u, hash, err)
		}
		tok := &herald.Token{ID: herald.NewUUID(), UserID: ada.ID, Name: "ci"}
		testenv.Must(t, s.CreateToken(ctx, admin, tok, []byte("ada-token-hash")), "create token")
		if got, err := s.UserByTokenHash(ctx, []byte("ada-token-hash")); err != nil || got.ID != ada.ID {
			t.Fatalf("token auth: %+v %v", got, err)
		}
		list, _ := s.Tokens(ctx, ada.ID)
		if len(list) != 1 || list[0].Name != "ci" {
			t.Fatalf("tokens = %+v", list)
		}
		testenv.Must(t, s.DeleteToken(ctx, admin, tok.ID), "revoke")
		if _, err := s.UserByTokenHash(ctx, []byte("ada-token-hash")); herald.ErrorCode(err) != herald.EUnauthorized {
			t.Fatalf("revoked token still authenticates: %v", err)
		}
		testenv.Must(t, s.CreateToken(ctx, admin, &herald.Token{ID: herald.NewUUID(), UserID: ada.ID, Name: "2"}, []byte("h2")), "token 2")
		testenv.Must(t, s.DeleteUser(ctx, admin, ada.ID), "delete user")
		if _, err := s.UserByTokenHash(ctx, []byte("h2")); herald.ErrorCode(err) != herald.EUnauthorized {
			t.Fatalf("a deleted user's token still authenticates: %v", err)
		}
		if err := s.CreateToken(ctx, admin, &herald.Token{ID: herald.NewUUID(), UserID: ada.ID, Name: "x"}, []byte("h3")); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("token for a deleted user: %v", err)
		}
	})
}

func TestMembersAndAudit(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		_, admin := bootstrap(t, s)
		team, err := s.CreateTeam(ctx, admin, "T")
		testenv.Must(t, err, "team")
		if !team.ConnectorsEnabled || !team.MembersCanManageConnectors {
			t.Fatalf("new team settings = %+v", team.TeamSettings)
		}
		if role, _ := s.Role(ctx, team.ID, admin.ID); role != store.RoleOwner {
			t.Fatalf("creator's role = %q, want owner", role)
		}
		bob := &herald.User{ID: herald.NewUUID(), Name: "Bob"}
		testenv.Must(t, s.CreateUser(ctx, admin, bob, ""), "user")
		_, err = s.SetMember(ctx, admin, team, bob.ID, store.RoleGuest)
		testenv.Must(t, err, "add member")
		m, err := s.SetMember(ctx, admin, team, bob.ID, store.RoleMember)
		testenv.Must(t, err, "change role")
		if m.Role != store.RoleMember || m.Name != "Bob" {
			t.Fatalf("member = %+v", m)
		}
		if _, err := s.SetMember(ctx, admin, team, herald.NewUUID(), store.RoleMember); herald.ErrorCode(err) != herald.EInvalid {
			t.Fatalf("unknown user: %v", err)
		}
		members, _ := s.Members(ctx, team.ID)
		if len(members) != 2 {
			t.Fatalf("members = %+v", members)
		}
		mine, _ := s.TeamsOf(ctx, bob.ID)
		if len(mine) != 1 || mine[0].ID != team.ID {
			t.Fatalf("teams of bob = %+v", mine)
		}
		off := false
		upd, err := s.UpdateTeam(ctx, admin, team.ID, herald.TeamUpdate{ConnectorsEnabled: &off})
		testenv.Must(t, err, "update team")
		if upd.ConnectorsEnabled || !upd.MembersCanManageConnectors {
			t.Fatalf("updated = %+v", upd.TeamSettings)
		}
		settings, _ := s.TeamSettings(ctx)
		if settings[team.ID].ConnectorsEnabled {
			t.Fatal("TeamSettings does not show the change")
		}
		testenv.Must(t, s.RemoveMember(ctx, admin, team, bob.ID), "remove")
		if role, _ := s.Role(ctx, team.ID, bob.ID); role != "" {
			t.Fatalf("removed member's role = %q", role)
		}
		org, err := s.UpdateOrg(ctx, admin, herald.OrgUpdate{ConnectorsEnabledForTeams: &off})
		testenv.Must(t, err, "update org")
		if org.ConnectorsEnabledForTeams || !org.ConnectorsEnabled {
			t.Fatalf("org = %+v", org.OrgSettings)
		}

		entries, err := s.Audit(ctx, admin.OrgID, store.AuditFilter{Limit: 100})
		testenv.Must(t, err, "audit")
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		want := []string{"org.update", "member.remove", "team.update", "member.update", "member.add", "user.create", "team.create", "org.create"}
		if len(actions) != len(want) {
			t.Fatalf("audit actions = %v, want %v", actions, want)
		}
		for i := range want {
			if actions[i] != want[i] {
				t.Fatalf("audit actions = %v, want %v", actions, want)
			}
		}
		var before, after herald.TeamSettings
		json.Unmarshal(entries[2].Before, &before)
		json.Unmarshal(entries[2].After, &after)
		if !before.ConnectorsEnabled || after.ConnectorsEnabled || entries[2].ActorID != admin.ID || entries[2].TeamID != team.ID {
			t.Fatalf("team.update entry = %+v", entries[2])
		}
		byTeam, _ := s.Audit(ctx, admin.OrgID, store.AuditFilter{Limit: 100, TeamID: team.ID})
		if len(byTeam) != 5 {
			t.Fatalf("team's entries = %d, want 5", len(byTeam))
		}
		page, _ := s.Audit(ctx, admin.OrgID, store.AuditFilter{Limit: 2, Before: entries[1].ID})
		if len(page) != 2 || page[0].ID != entries[2].ID {
			t.Fatalf("paging = %+v", page)
		}
	})
}

func TestSessions(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		now := time.Unix(1_800_000_000, 0)
		s := open(store.Options{Now: func() time.Time { return now }})
		ss := s.Sessions()
		testenv.Must(t, ss.CommitCtx(ctx, "tok", []byte("data"), now.Add(time.Hour)), "commit")
		testenv.Must(t, ss.CommitCtx(ctx, "tok", []byte("data2"), now.Add(time.Hour)), "commit again")
		b, ok, err := ss.FindCtx(ctx, "tok")
		if err != nil || !ok || string(b) != "data2" {
			t.Fatalf("find = %q %v %v", b, ok, err)
		}
		testenv.Must(t, ss.CommitCtx(ctx, "old", []byte("x"), now.Add(-time.Second)), "commit expired")
		if _, ok, _ := ss.FindCtx(ctx, "old"); ok {
			t.Fatal("expired session found")
		}
		testenv.Must(t, ss.DeleteCtx(ctx, "tok"), "delete")
		if _, ok, _ := ss.FindCtx(ctx, "tok"); ok {
			t.Fatal("deleted session found")
		}
		testenv.Must(t, s.DeleteExpiredSessions(ctx), "expire")
	})
}

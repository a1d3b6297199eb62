package policy

import (
	"fmt"
	"strings"
	"testing"
)

// Cells of the permission matrix: "yes", or the Switch that refuses.
const (
	yes     = "yes"
	role    = "role"
	nobody  = "membership"
	setting = "team.members_can_manage_connectors"
	admin   = "org_admin"
)

// teamActions is the column order of the matrix below.
var teamActions = [...]Action{ViewTeam, CreateChannel, ManageConnectors, ManageMembers, ManageTeamSettings, DeleteTeam}

// TestCan is the permission matrix, written out: every kind of actor, with
// members_can_manage_connectors off and on, against every team action. It
// is the rules of the package doc as a table.
func TestCan(t *testing.T) {
	tests := []struct {
		name          string
		actor         Actor
		membersManage bool
		//          view_team, create_channel, manage_connectors, manage_members, manage_team_settings, delete_team
		want [len(teamActions)]string
	}{
		{"org admin, not a member", Actor{OrgAdmin: true}, false, [...]string{yes, yes, yes, yes, yes, yes}},
		{"org admin, not a member", Actor{OrgAdmin: true}, true, [...]string{yes, yes, yes, yes, yes, yes}},
		{"org admin and owner", Actor{OrgAdmin: true, Role: Owner}, false, [...]string{yes, yes, yes, yes, yes, yes}},
		{"org admin and owner", Actor{OrgAdmin: true, Role: Owner}, true, [...]string{yes, yes, yes, yes, yes, yes}},
		{"org admin and member", Actor{OrgAdmin: true, Role: Member}, false, [...]string{yes, yes, yes, yes, yes, yes}},
		{"org admin and member", Actor{OrgAdmin: true, Role: Member}, true, [...]string{yes, yes, yes, yes, yes, yes}},
		{"org admin and guest", Actor{OrgAdmin: true, Role: Guest}, false, [...]string{yes, yes, yes, yes, yes, yes}},
		{"org admin and guest", Actor{OrgAdmin: true, Role: Guest}, true, [...]string{yes, yes, yes, yes, yes, yes}},
		{"owner", Actor{Role: Owner}, false, [...]string{yes, yes, yes, yes, yes, yes}},
		{"owner", Actor{Role: Owner}, true, [...]string{yes, yes, yes, yes, yes, yes}},
		{"member", Actor{Role: Member}, false, [...]string{yes, yes, setting, role, role, role}},
		{"member", Actor{Role: Member}, true, [...]string{yes, yes, yes, role, role, role}},
		{"guest", Actor{Role: Guest}, false, [...]string{yes, role, role, role, role, role}},
		{"guest", Actor{Role: Guest}, true, [...]string{yes, role, role, role, role, role}},
		{"not a member", Actor{}, false, [...]string{nobody, nobody, nobody, nobody, nobody, nobody}},
		{"not a member", Actor{}, true, [...]string{nobody, nobody, nobody, nobody, nobody, nobody}},
		// A role that ParseRole would refuse counts as no membership.
		{"unknown role", Actor{Role: "admin"}, true, [...]string{nobody, nobody, nobody, nobody, nobody, nobody}},
	}
	for _, tc := range tests {
		team := Team{ConnectorsEnabled: true, MembersCanManageConnectors: tc.membersManage}
		for i, action := range teamActions {
			name := fmt.Sprintf("%s/members_can_manage_connectors=%t/%s", tc.name, tc.membersManage, action)
			t.Run(name, func(t *testing.T) {
				d := Can(tc.actor, action, team)
				got := yes
				if !d.Allowed {
					got = d.Switch
				}
				if got != tc.want[i] {
					t.Fatalf("got %q (%q), want %q", got, d.Reason, tc.want[i])
				}
				checkReason(t, d)
			})
		}
	}
}

// TestCanIgnoresConnectorSwitch: who may do what does not depend on whether
// connectors are on; AddConnection answers that.
func TestCanIgnoresConnectorSwitch(t *testing.T) {
	for _, a := range []Actor{{OrgAdmin: true}, {Role: Owner}, {Role: Member}} {
		for _, action := range teamActions {
			on := Can(a, action, Team{ConnectorsEnabled: true, MembersCanManageConnectors: true})
			off := Can(a, action, Team{ConnectorsEnabled: false, MembersCanManageConnectors: true})
			if on != off {
				t.Errorf("%+v %s: %+v with team connectors on, %+v with them off", a, action, on, off)
			}
		}
	}
}

func TestCanUnknownAction(t *testing.T) {
	tests := map[string]Action{
		"empty":               "",
		"organization action": ManageOrg,
		"create team":         CreateTeam,
		"wrong case":          "VIEW_TEAM",
		"made up":             "launch_rockets",
	}
	for name, action := range tests {
		t.Run(name, func(t *testing.T) {
			for _, a := range []Actor{{OrgAdmin: true, Role: Owner}, {Role: Owner}, {}} {
				d := Can(a, action, Team{ConnectorsEnabled: true, MembersCanManageConnectors: true})
				if d.Allowed || d.Switch != "action" {
					t.Errorf("%+v: got %+v, want refused by action", a, d)
				}
				checkReason(t, d)
			}
		})
	}
}

// TestCanOrg is the organization matrix, written out. The team role plays
// no part.
func TestCanOrg(t *testing.T) {
	tests := []struct {
		name  string
		actor Actor
		//          manage_org, manage_users, read_audit, create_team
		want [4]string
	}{
		{"org admin, no team", Actor{OrgAdmin: true}, [...]string{yes, yes, yes, yes}},
		{"org admin and owner", Actor{OrgAdmin: true, Role: Owner}, [...]string{yes, yes, yes, yes}},
		{"org admin and guest", Actor{OrgAdmin: true, Role: Guest}, [...]string{yes, yes, yes, yes}},
		{"owner", Actor{Role: Owner}, [...]string{admin, admin, admin, yes}},
		{"member", Actor{Role: Member}, [...]string{admin, admin, admin, yes}},
		{"guest", Actor{Role: Guest}, [...]string{admin, admin, admin, yes}},
		{"user, no team", Actor{}, [...]string{admin, admin, admin, yes}},
	}
	for _, tc := range tests {
		for i, action := range [...]Action{ManageOrg, ManageUsers, ReadAudit, CreateTeam} {
			t.Run(tc.name+"/"+string(action), func(t *testing.T) {
				d := CanOrg(tc.actor, action)
				got := yes
				if !d.Allowed {
					got = d.Switch
				}
				if got != tc.want[i] {
					t.Fatalf("got %q (%q), want %q", got, d.Reason, tc.want[i])
				}
				checkReason(t, d)
			})
		}
	}
}

func TestCanOrgUnknownAction(t *testing.T) {
	for _, action := range append(teamActions[:], "", "MANAGE_ORG", "launch_rockets") {
		t.Run(string(action), func(t *testing.T) {
			d := CanOrg(Actor{OrgAdmin: true}, action)
			if d.Allowed || d.Switch != "action" {
				t.Errorf("got %+v, want refused by action", d)
			}
			checkReason(t, d)
		})
	}
}

// TestPermissionReasons pins a few sentences people see.
func TestPermissionReasons(t *testing.T) {
	withoutMembers := Team{ConnectorsEnabled: true}
	tests := map[string]struct {
		got  Decision
		want string
	}{
		"member, connectors kept to owners": {
			got:  Can(Actor{Role: Member}, ManageConnectors, withoutMembers),
			want: "Only team owners can manage connectors in this team (team.members_can_manage_connectors is false); a team owner can allow members to manage them.",
		},
		"member deletes the team": {
			got:  Can(Actor{Role: Member}, DeleteTeam, withoutMembers),
			want: "Only team owners can delete this team (your role is member); a team owner or an organization admin can change your role.",
		},
		"guest creates a channel": {
			got:  Can(Actor{Role: Guest}, CreateChannel, withoutMembers),
			want: "Only team owners and members can create channels in this team (your role is guest); a team owner or an organization admin can change your role.",
		},
		"guest manages connectors that members may manage": {
			got:  Can(Actor{Role: Guest}, ManageConnectors, Team{MembersCanManageConnectors: true}),
			want: "Only team owners and members can manage connectors in this team (your role is guest); a team owner or an organization admin can change your role.",
		},
		"not a member": {
			got:  Can(Actor{}, ViewTeam, withoutMembers),
			want: "You have no membership in this team; a team owner or an organization admin can add you.",
		},
		"user reads the audit log": {
			got:  CanOrg(Actor{Role: Owner}, ReadAudit),
			want: "Only organization admins can read the audit log (org_admin is false).",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.got.Allowed || tc.got.Reason != tc.want {
				t.Errorf("got Allowed=%t Reason %q\nwant refused: %q", tc.got.Allowed, tc.got.Reason, tc.want)
			}
		})
	}
}

func TestParseRole(t *testing.T) {
	tests := map[string]struct {
		in      string
		want    Role
		wantErr bool
	}{
		"owner":          {in: "owner", want: Owner},
		"member":         {in: "member", want: Member},
		"guest":          {in: "guest", want: Guest},
		"empty":          {in: "", wantErr: true},
		"upper case":     {in: "Owner", wantErr: true},
		"spaces":         {in: " member", wantErr: true},
		"org admin":      {in: "admin", wantErr: true},
		"not a role":     {in: "none", wantErr: true},
		"plural":         {in: "owners", wantErr: true},
		"quote in input": {in: `guest"`, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := ParseRole(tc.in)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("ParseRole(%q) = %q, want an error", tc.in, got)
				}
				if got != NoRole {
					t.Errorf("ParseRole(%q) returned role %q with its error", tc.in, got)
				}
				if msg := err.Error(); !strings.Contains(msg, "owner, member or guest") {
					t.Errorf("error %q does not say which roles exist", msg)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParseRole(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

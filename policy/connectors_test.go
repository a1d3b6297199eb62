package policy

import (
	"fmt"
	"strings"
	"testing"
)

// TestConnectorSwitches walks every combination of the organization's four
// switches, the team's two settings and the cloud, and checks each question
// against an expectation worked out here from the rules in the package doc:
// connectors_enabled first, then connectors_enabled_for_teams, then
// team.connectors_enabled; card buttons also need
// connectors_actionable_messages_enabled. The cloud, the Outlook switch and
// members_can_manage_connectors never change the outcome.
func TestConnectorSwitches(t *testing.T) {
	questions := []struct {
		name   string
		fn     func(Org, Team) Decision
		prefix string // every refusal's Reason starts with it
	}{
		{"Delivery", Delivery, "Connectors are disabled for "},
		{"AddConnection", AddConnection, "Cannot add connectors: connectors are disabled for "},
		{"Polling", Polling, "Polling is paused: connectors are disabled for "},
		{"ActionableMessages", ActionableMessages, ""},
	}
	bools := []bool{false, true}
	n := 0
	for _, cloud := range []string{Commercial, GCC, GCCH, DoD} {
		for _, enabled := range bools {
			for _, forTeams := range bools {
				for _, forOutlook := range bools {
					for _, actionable := range bools {
						for _, teamEnabled := range bools {
							for _, membersManage := range bools {
								org := Org{
									Cloud:                               cloud,
									ConnectorsEnabled:                   enabled,
									ConnectorsEnabledForTeams:           forTeams,
									ConnectorsEnabledForOutlook:         forOutlook,
									ConnectorsActionableMessagesEnabled: actionable,
								}
								team := Team{ConnectorsEnabled: teamEnabled, MembersCanManageConnectors: membersManage}

								var want string // the switch that refuses; "" when allowed
								switch {
								case !enabled:
									want = "connectors_enabled"
								case !forTeams:
									want = "connectors_enabled_for_teams"
								case !teamEnabled:
									want = "team.connectors_enabled"
								}
								wantCard := want
								if wantCard == "" && !actionable {
									wantCard = "connectors_actionable_messages_enabled"
								}

								for _, q := range questions {
									n++
									name := fmt.Sprintf("%s/%s/org=%t,teams=%t,outlook=%t,actionable=%t/team=%t,members=%t",
										q.name, cloud, enabled, forTeams, forOutlook, actionable, teamEnabled, membersManage)
									w := want
									if q.name == "ActionableMessages" {
										w = wantCard
									}
									t.Run(name, func(t *testing.T) {
										d := q.fn(org, team)
										if d.Allowed != (w == "") || d.Switch != w {
											t.Fatalf("got Allowed=%t Switch=%q, want Allowed=%t Switch=%q", d.Allowed, d.Switch, w == "", w)
										}
										checkReason(t, d)
										if !d.Allowed && !strings.HasPrefix(d.Reason, q.prefix) {
											t.Errorf("Reason %q does not start with %q", d.Reason, q.prefix)
										}
									})
								}
							}
						}
					}
				}
			}
		}
	}
	if want := 4 * 64 * 4; n != want {
		t.Fatalf("checked %d cases, want %d", n, want)
	}
}

// checkReason checks what every Decision promises: a refusal has a Reason
// that names its Switch; an allowed one has neither.
func checkReason(t *testing.T, d Decision) {
	t.Helper()
	if d.Allowed {
		if d.Switch != "" || d.Reason != "" {
			t.Errorf("allowed, but Switch=%q Reason=%q", d.Switch, d.Reason)
		}
		return
	}
	if d.Switch == "" || d.Reason == "" {
		t.Fatalf("refused without Switch (%q) or Reason (%q)", d.Switch, d.Reason)
	}
	if !strings.Contains(d.Reason, d.Switch) {
		t.Errorf("Reason %q does not name the switch %q", d.Reason, d.Switch)
	}
	if !strings.HasSuffix(d.Reason, ".") {
		t.Errorf("Reason %q is not a sentence", d.Reason)
	}
}

// TestConnectorReasons pins the wording people see, one case per switch.
func TestConnectorReasons(t *testing.T) {
	on := DefaultOrg(Commercial)
	team := Team{ConnectorsEnabled: true}
	orgOff, teamsOff, cardsOff := on, on, on
	orgOff.ConnectorsEnabled = false
	teamsOff.ConnectorsEnabledForTeams = false
	cardsOff.ConnectorsActionableMessagesEnabled = false

	tests := map[string]struct {
		got  Decision
		want string
	}{
		"delivery, organization off": {
			got:  Delivery(orgOff, team),
			want: "Connectors are disabled for this organization (connectors_enabled is false); an organization admin can enable them.",
		},
		"delivery, channels off": {
			got:  Delivery(teamsOff, team),
			want: "Connectors are disabled for channels in this organization (connectors_enabled_for_teams is false); an organization admin can enable them.",
		},
		"delivery, team off": {
			got:  Delivery(on, Team{}),
			want: "Connectors are disabled for this team (team.connectors_enabled is false); a team owner or an organization admin can enable them.",
		},
		"add connection, organization off": {
			got:  AddConnection(orgOff, team),
			want: "Cannot add connectors: connectors are disabled for this organization (connectors_enabled is false); an organization admin can enable them.",
		},
		"polling, team off": {
			got:  Polling(on, Team{}),
			want: "Polling is paused: connectors are disabled for this team (team.connectors_enabled is false); a team owner or an organization admin can enable them.",
		},
		"card buttons, channels off": {
			got:  ActionableMessages(teamsOff, team),
			want: "Card buttons cannot call back the sender: connectors are disabled for channels in this organization (connectors_enabled_for_teams is false); an organization admin can enable them.",
		},
		"card buttons, actionable messages off": {
			got:  ActionableMessages(cardsOff, team),
			want: "Actionable messages are disabled for this organization (connectors_actionable_messages_enabled is false), so card buttons cannot call back the sender; an organization admin can enable them.",
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

// TestNoAllocs holds the promise the server relies on: asking costs no
// allocation, allowed or refused.
func TestNoAllocs(t *testing.T) {
	orgs := []Org{DefaultOrg(Commercial), DefaultOrg(GCC), {ConnectorsEnabled: true}, {ConnectorsEnabled: true, ConnectorsEnabledForTeams: true}}
	teams := []Team{{}, {ConnectorsEnabled: true}, {ConnectorsEnabled: true, MembersCanManageConnectors: true}}
	actors := []Actor{{OrgAdmin: true}, {Role: Owner}, {Role: Member}, {Role: Guest}, {}}
	actions := []Action{ViewTeam, CreateChannel, ManageConnectors, ManageMembers, ManageTeamSettings, DeleteTeam, ManageOrg, CreateTeam, "bogus"}
	var sink Decision
	allocs := testing.AllocsPerRun(100, func() {
		for _, o := range orgs {
			for _, tm := range teams {
				sink = Delivery(o, tm)
				sink = AddConnection(o, tm)
				sink = Polling(o, tm)
				sink = ActionableMessages(o, tm)
			}
		}
		for _, a := range actors {
			for _, ac := range actions {
				for _, tm := range teams {
					sink = Can(a, ac, tm)
				}
				sink = CanOrg(a, ac)
			}
		}
	})
	_ = sink
	if allocs != 0 {
		t.Fatalf("%v allocations per run, want 0", allocs)
	}
}

var benchSink Decision

func BenchmarkDelivery(b *testing.B) {
	orgs := [...]Org{DefaultOrg(Commercial), DefaultOrg(GCC), {ConnectorsEnabled: true}}
	teams := [...]Team{{ConnectorsEnabled: true}, {}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		benchSink = Delivery(orgs[i%len(orgs)], teams[i%len(teams)])
		i++
	}
}

package policy

import "testing"

func TestValidCloud(t *testing.T) {
	tests := map[string]bool{
		"commercial": true,
		"gcc":        true,
		"gcch":       true,
		"dod":        true,
		"":           false,
		"GCC":        false,
		"gcc-high":   false,
		"usgov":      false,
	}
	for in, want := range tests {
		if got := ValidCloud(in); got != want {
			t.Errorf("ValidCloud(%q) = %t, want %t", in, got, want)
		}
	}
}

func TestDefaultOrg(t *testing.T) {
	tests := map[string]Org{
		"commercial": {Cloud: "commercial", ConnectorsEnabled: true, ConnectorsEnabledForTeams: true, ConnectorsEnabledForOutlook: true, ConnectorsActionableMessagesEnabled: true},
		"dod":        {Cloud: "dod", ConnectorsEnabled: true, ConnectorsEnabledForTeams: true, ConnectorsEnabledForOutlook: true, ConnectorsActionableMessagesEnabled: true},
		// Connectors start off in gcc and gcch; one switch turns them on.
		"gcc":  {Cloud: "gcc", ConnectorsEnabled: false, ConnectorsEnabledForTeams: true, ConnectorsEnabledForOutlook: true, ConnectorsActionableMessagesEnabled: true},
		"gcch": {Cloud: "gcch", ConnectorsEnabled: false, ConnectorsEnabledForTeams: true, ConnectorsEnabledForOutlook: true, ConnectorsActionableMessagesEnabled: true},
		// An unknown cloud turns nothing on.
		"":           {},
		"Commercial": {Cloud: "Commercial"},
	}
	for cloud, want := range tests {
		t.Run(cloud, func(t *testing.T) {
			if got := DefaultOrg(cloud); got != want {
				t.Errorf("DefaultOrg(%q) = %+v, want %+v", cloud, got, want)
			}
		})
	}
}

// TestDefaultOrgDelivery: what a new organization's team can do before any
// admin touches a switch.
func TestDefaultOrgDelivery(t *testing.T) {
	tests := map[string]string{ // cloud: the switch that refuses, "" when delivery is allowed
		"commercial": "",
		"dod":        "",
		"gcc":        "connectors_enabled",
		"gcch":       "connectors_enabled",
		"unknown":    "connectors_enabled",
	}
	for cloud, want := range tests {
		t.Run(cloud, func(t *testing.T) {
			d := Delivery(DefaultOrg(cloud), Team{ConnectorsEnabled: true, MembersCanManageConnectors: true})
			if d.Allowed != (want == "") || d.Switch != want {
				t.Errorf("got %+v, want Switch %q", d, want)
			}
		})
	}
}

func TestCustomAppsAllowed(t *testing.T) {
	tests := map[string]bool{
		"commercial": true,
		"gcc":        false,
		"gcch":       false,
		"dod":        false,
		"":           false,
		"Commercial": false,
	}
	for cloud, want := range tests {
		if got := CustomAppsAllowed(cloud); got != want {
			t.Errorf("CustomAppsAllowed(%q) = %t, want %t", cloud, got, want)
		}
	}
}

package policy

// Org holds an organization's connector switches. It mirrors Exchange's
// Set-OrganizationConfig; the API and the CLI use the snake_case names.
type Org struct {
	Cloud                               string
	ConnectorsEnabled                   bool // connectors_enabled
	ConnectorsEnabledForTeams           bool // connectors_enabled_for_teams
	ConnectorsEnabledForOutlook         bool // connectors_enabled_for_outlook: email delivery (not built yet)
	ConnectorsActionableMessagesEnabled bool // connectors_actionable_messages_enabled
}

// Team holds a team's connector settings: Set-UnifiedGroup -ConnectorsEnabled,
// and whether members, not only owners, may add, change and remove connectors.
// It has the fields of herald.TeamSettings, so one converts to the other.
type Team struct {
	ConnectorsEnabled          bool // team.connectors_enabled
	MembersCanManageConnectors bool // team.members_can_manage_connectors
}

// Decision is an outcome, with the reason a person can act on when it is a
// refusal. Switch and Reason are empty when Allowed is true.
type Decision struct {
	Allowed bool
	// Switch names what decided a refusal: one of the Switch constants.
	Switch string
	// Reason is a plain-text sentence that contains Switch, says what is off
	// or missing, and who can change it. It is safe to show to the caller.
	Reason string
}

// What decided a refusal: a switch, or the asker's standing.
const (
	SwitchConnectorsEnabled          = "connectors_enabled"
	SwitchConnectorsEnabledForTeams  = "connectors_enabled_for_teams"
	SwitchTeamConnectorsEnabled      = "team.connectors_enabled"
	SwitchActionableMessages         = "connectors_actionable_messages_enabled"
	SwitchMembersCanManageConnectors = "team.members_can_manage_connectors"
	SwitchRole                       = "role"       // the asker's role in the team is not enough
	SwitchMembership                 = "membership" // the asker is not a member: answer 404
	SwitchOrgAdmin                   = "org_admin"  // only organization admins may
	SwitchAction                     = "action"     // the action is unknown: a bug in the caller
)

// Reasons are built from constants only, so that no refusal allocates.
// Each "off" tail follows the word "Connectors" or "connectors".
const (
	offOrg     = " are disabled for this organization (" + SwitchConnectorsEnabled + " is false); an organization admin can enable them."
	offTeams   = " are disabled for channels in this organization (" + SwitchConnectorsEnabledForTeams + " is false); an organization admin can enable them."
	offTeam    = " are disabled for this team (" + SwitchTeamConnectorsEnabled + " is false); a team owner or an organization admin can enable them."
	prefixAdd  = "Cannot add connectors: connectors"
	prefixPoll = "Polling is paused: connectors"
	prefixCard = "Card buttons cannot call back the sender: connectors"
)

// gate is the first connector switch that is off, in the order they are
// checked; gateOpen when all are on. It indexes the decision tables below.
type gate uint8

const (
	gateOpen gate = iota
	gateOrg
	gateTeams
	gateTeam
)

func firstClosed(org Org, team Team) gate {
	switch {
	case !org.ConnectorsEnabled:
		return gateOrg
	case !org.ConnectorsEnabledForTeams:
		return gateTeams
	case !team.ConnectorsEnabled:
		return gateTeam
	}
	return gateOpen
}

// One table per question, so the hot path only indexes an array of
// constants and never builds a string.
var (
	deliveryDecisions = [...]Decision{
		gateOpen:  {Allowed: true},
		gateOrg:   {Switch: SwitchConnectorsEnabled, Reason: "Connectors" + offOrg},
		gateTeams: {Switch: SwitchConnectorsEnabledForTeams, Reason: "Connectors" + offTeams},
		gateTeam:  {Switch: SwitchTeamConnectorsEnabled, Reason: "Connectors" + offTeam},
	}
	addDecisions = [...]Decision{
		gateOpen:  {Allowed: true},
		gateOrg:   {Switch: SwitchConnectorsEnabled, Reason: prefixAdd + offOrg},
		gateTeams: {Switch: SwitchConnectorsEnabledForTeams, Reason: prefixAdd + offTeams},
		gateTeam:  {Switch: SwitchTeamConnectorsEnabled, Reason: prefixAdd + offTeam},
	}
	pollDecisions = [...]Decision{
		gateOpen:  {Allowed: true},
		gateOrg:   {Switch: SwitchConnectorsEnabled, Reason: prefixPoll + offOrg},
		gateTeams: {Switch: SwitchConnectorsEnabledForTeams, Reason: prefixPoll + offTeams},
		gateTeam:  {Switch: SwitchTeamConnectorsEnabled, Reason: prefixPoll + offTeam},
	}
	cardDecisions = [...]Decision{
		gateOpen:  {Allowed: true},
		gateOrg:   {Switch: SwitchConnectorsEnabled, Reason: prefixCard + offOrg},
		gateTeams: {Switch: SwitchConnectorsEnabledForTeams, Reason: prefixCard + offTeams},
		gateTeam:  {Switch: SwitchTeamConnectorsEnabled, Reason: prefixCard + offTeam},
	}
	actionableOff = Decision{
		Switch: SwitchActionableMessages,
		Reason: "Actionable messages are disabled for this organization (" + SwitchActionableMessages + " is false), so card buttons cannot call back the sender; an organization admin can enable them.",
	}
)

// Delivery decides whether a connector may post into a channel of team now.
// The organization's connectors_enabled is checked first, then
// connectors_enabled_for_teams, then the team's connectors_enabled; the first
// that is off refuses. It does not allocate.
func Delivery(org Org, team Team) Decision {
	return deliveryDecisions[firstClosed(org, team)]
}

// AddConnection decides whether a new connection may be added in team. The
// switches are those of [Delivery]; the reason is worded for the API
// ("Cannot add connectors: ..."). Whether the asker may is [Can]'s question.
func AddConnection(org Org, team Team) Decision {
	return addDecisions[firstClosed(org, team)]
}

// Polling decides whether polling connectors may poll for team. The switches
// are those of [Delivery]; a refused poll waits for them to be on again.
func Polling(org Org, team Team) Decision {
	return pollDecisions[firstClosed(org, team)]
}

// ActionableMessages decides whether card buttons in team's channels may call
// back the sender: [Delivery] must allow, then the organization's
// connectors_actionable_messages_enabled must be on.
func ActionableMessages(org Org, team Team) Decision {
	if g := firstClosed(org, team); g != gateOpen {
		return cardDecisions[g]
	}
	if !org.ConnectorsActionableMessagesEnabled {
		return actionableOff
	}
	return Decision{Allowed: true}
}

// Package policy decides whether connectors may run in a team and who may do
// what in it. It is the reference for Herald's admin model; the user docs link
// here.
//
// The package is pure: no I/O, no clock, no state. The server asks it on every
// webhook post and every API request with the settings it has just read, so a
// changed switch takes effect on the next request (Teams takes up to 24
// hours). [Delivery], [AddConnection], [Polling], [ActionableMessages], [Can]
// and [CanOrg] do not allocate.
//
// # Connector switches
//
// The organization has the switches of Exchange's Set-OrganizationConfig:
//
//	connectors_enabled                      ConnectorsEnabled: every connector, everywhere
//	connectors_enabled_for_teams            ConnectorsEnabledForTeams: connectors in channels
//	connectors_enabled_for_outlook          ConnectorsEnabledForOutlook: email delivery (not built yet)
//	connectors_actionable_messages_enabled  ConnectorsActionableMessagesEnabled: card buttons
//
// A team has two settings:
//
//	team.connectors_enabled                 Set-UnifiedGroup -ConnectorsEnabled
//	team.members_can_manage_connectors      "Allow members to create, update, and remove connectors"
//	                                        (Graph: allowCreateUpdateRemoveConnectors)
//
// A connector may post into a channel of a team ([Delivery]), a new connection
// may be added in the team ([AddConnection]) and a polling connector may poll
// for the team ([Polling]) only when all of these are true. They are checked in
// this order, and the first one that is false is the one reported:
//
//  1. connectors_enabled
//  2. connectors_enabled_for_teams
//  3. team.connectors_enabled
//
// So the organization wins over the team: turning a team's switch on does
// nothing while the organization's is off, and turning the organization's off
// stops every team at once. connectors_enabled_for_outlook does not affect
// channels. Switching connectors off keeps existing connections: their posts
// are refused and their polls pause until the switches are on again. Removing
// a connection is a permission question only ([Can] with [ManageConnectors]),
// so a team can always clean up.
//
// Card buttons that call the sender back ([ActionableMessages]) need
// everything [Delivery] needs, then connectors_actionable_messages_enabled.
//
// # Clouds
//
// The organization's cloud profile sets the defaults of a new organization
// ([DefaultOrg]) and whether custom apps may add connectors
// ([CustomAppsAllowed]). After that, only the switches decide.
//
//	cloud        connectors_enabled  other switches  custom apps
//	commercial   true                true            allowed
//	gcc          false               true            not allowed
//	gcch         false               true            not allowed
//	dod          true                true            not allowed
//
// In gcc and gcch connectors start off, as in Microsoft's government clouds;
// the other switches start on so that one switch, connectors_enabled, turns
// them on. An unknown cloud gets every switch off and no custom apps.
//
// # Permissions
//
// [Can] decides what a person may do in a team, from their role in it and
// whether they are an organization admin:
//
//   - organization admins may do everything in every team, member or not;
//   - someone who is not a member may do nothing, not even see the team
//     (callers answer 404, so the team's existence does not leak);
//   - guests may view only;
//   - members may view and create channels, and manage connectors when
//     team.members_can_manage_connectors is true;
//   - owners may do everything in their team.
//
// The whole matrix:
//
//	                       guest  member           owner  org admin
//	view_team              yes    yes              yes    yes
//	create_channel         no     yes              yes    yes
//	manage_connectors      no     if the setting   yes    yes
//	manage_members         no     no               yes    yes
//	manage_team_settings   no     no               yes    yes
//	delete_team            no     no               yes    yes
//
// manage_connectors covers adding, changing and removing any connection in the
// team, whoever made it; a connection belongs to the team, and keeps working
// when the person who made it leaves. manage_team_settings covers both team
// switches.
//
// [Can] answers who; [AddConnection] answers whether connectors are on. Adding
// a connection needs both.
//
// [CanOrg] decides organization-wide actions: only organization admins may
// manage the organization's settings ([ManageOrg]), its users
// ([ManageUsers]) and read the audit log ([ReadAudit]); every signed-in
// user may create a team ([CreateTeam]), and the caller makes them its owner.
//
// # Decisions
//
// Each question returns a [Decision]. When it is not allowed, Switch names
// what decided (one of the Switch constants) and Reason says, in a sentence a
// person can act on, what is off or missing and who can change it. Reason
// always contains Switch. Callers answer 404 when Switch is [SwitchMembership],
// 500 when it is [SwitchAction] (an action this package does not know is a
// bug), and 403 otherwise. Unknown roles count as no membership.
package policy

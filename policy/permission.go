package policy

import "fmt"

// Role is a person's role in a team.
type Role string

// Roles in a team. NoRole means not a member.
const (
	Owner  Role = "owner"
	Member Role = "member"
	Guest  Role = "guest"
	NoRole Role = ""
)

// ParseRole parses a role as the API and the CLI spell it: "owner", "member"
// or "guest". Anything else, the empty string included, is an error.
func ParseRole(s string) (Role, error) {
	switch r := Role(s); r {
	case Owner, Member, Guest:
		return r, nil
	}
	return NoRole, fmt.Errorf("role must be owner, member or guest, not %q", s)
}

// Actor is who asks: whether they are an organization admin, and their role
// in the team concerned (NoRole when they are not a member, or when no team
// is concerned).
type Actor struct {
	OrgAdmin bool
	Role     Role
}

// Action is something done in a team ([Can]) or in the organization
// ([CanOrg]).
type Action string

// Actions in a team, for [Can].
const (
	ViewTeam           Action = "view_team"            // see the team, its channels, connections and messages
	CreateChannel      Action = "create_channel"       // add a channel to the team
	ManageConnectors   Action = "manage_connectors"    // add, change and remove connections, anyone's
	ManageMembers      Action = "manage_members"       // add and remove members, change their roles
	ManageTeamSettings Action = "manage_team_settings" // team.connectors_enabled, team.members_can_manage_connectors
	DeleteTeam         Action = "delete_team"
)

// Actions in the organization, for [CanOrg].
const (
	ManageOrg   Action = "manage_org"   // the organization's switches
	ManageUsers Action = "manage_users" // add and remove users, make them organization admins
	ReadAudit   Action = "read_audit"   // read the audit log
	CreateTeam  Action = "create_team"  // create a team, and become its owner
)

// Refusals. Like the connector reasons, each is a constant, and each contains
// its switch.
const (
	roleGuest  = " (your " + SwitchRole + " is guest)"
	roleMember = " (your " + SwitchRole + " is member)"
	askOwner   = "; a team owner or an organization admin can change your role."

	ownersChannels   = "Only team owners and members can create channels in this team"
	ownersConnectors = "Only team owners can manage connectors in this team"
	bothConnectors   = "Only team owners and members can manage connectors in this team"
	ownersMembers    = "Only team owners can manage the members of this team"
	ownersSettings   = "Only team owners can change this team's settings"
	ownersDelete     = "Only team owners can delete this team"
	orgAdminsOnly    = "Only organization admins can "
	notOrgAdmin      = " (" + SwitchOrgAdmin + " is false)."
)

var (
	allowed = Decision{Allowed: true}

	notMember = Decision{
		Switch: SwitchMembership,
		Reason: "You have no " + SwitchMembership + " in this team; a team owner or an organization admin can add you.",
	}
	unknownAction = Decision{
		Switch: SwitchAction,
		Reason: "This " + SwitchAction + " is unknown here; this is a bug in Herald, please report it.",
	}
	membersCannotManageConnectors = Decision{
		Switch: SwitchMembersCanManageConnectors,
		Reason: ownersConnectors + " (" + SwitchMembersCanManageConnectors + " is false); a team owner can allow members to manage them.",
	}
)

// Can decides whether actor may do action in a team whose settings are team:
//
//   - organization admins may do everything, member or not;
//   - a non-member (NoRole, or a role ParseRole would refuse) may do nothing,
//     not even view: callers answer 404 (Switch is [SwitchMembership]);
//   - guests may view only;
//   - members may view and create channels, and manage connectors when
//     team.MembersCanManageConnectors is true;
//   - owners may do everything in their team.
//
// Unknown actions, organization actions included, are refused for everyone.
// Can does not look at the connector switches: adding a connection needs
// [AddConnection] as well. It does not allocate.
func Can(actor Actor, action Action, team Team) Decision {
	switch action {
	case ViewTeam, CreateChannel, ManageConnectors, ManageMembers, ManageTeamSettings, DeleteTeam:
	default:
		return unknownAction
	}
	if actor.OrgAdmin {
		return allowed
	}
	switch actor.Role {
	case Owner:
		return allowed
	case Member:
		return memberCan(action, team)
	case Guest:
		return guestCan(action, team)
	}
	return notMember
}

func memberCan(action Action, team Team) Decision {
	switch action {
	case ViewTeam, CreateChannel:
		return allowed
	case ManageConnectors:
		if team.MembersCanManageConnectors {
			return allowed
		}
		return membersCannotManageConnectors
	case ManageMembers:
		return Decision{Switch: SwitchRole, Reason: ownersMembers + roleMember + askOwner}
	case ManageTeamSettings:
		return Decision{Switch: SwitchRole, Reason: ownersSettings + roleMember + askOwner}
	}
	return Decision{Switch: SwitchRole, Reason: ownersDelete + roleMember + askOwner}
}

func guestCan(action Action, team Team) Decision {
	switch action {
	case ViewTeam:
		return allowed
	case CreateChannel:
		return Decision{Switch: SwitchRole, Reason: ownersChannels + roleGuest + askOwner}
	case ManageConnectors:
		if team.MembersCanManageConnectors {
			return Decision{Switch: SwitchRole, Reason: bothConnectors + roleGuest + askOwner}
		}
		return Decision{Switch: SwitchRole, Reason: ownersConnectors + roleGuest + askOwner}
	case ManageMembers:
		return Decision{Switch: SwitchRole, Reason: ownersMembers + roleGuest + askOwner}
	case ManageTeamSettings:
		return Decision{Switch: SwitchRole, Reason: ownersSettings + roleGuest + askOwner}
	}
	return Decision{Switch: SwitchRole, Reason: ownersDelete + roleGuest + askOwner}
}

// CanOrg decides whether actor may do an organization-wide action. Only
// organization admins may [ManageOrg], [ManageUsers] and [ReadAudit]; every
// signed-in user may [CreateTeam]. Team actions and unknown actions are
// refused for everyone. It does not allocate.
func CanOrg(actor Actor, action Action) Decision {
	var reason string
	switch action {
	case CreateTeam:
		return allowed
	case ManageOrg:
		reason = orgAdminsOnly + "change the organization's settings" + notOrgAdmin
	case ManageUsers:
		reason = orgAdminsOnly + "manage the organization's users" + notOrgAdmin
	case ReadAudit:
		reason = orgAdminsOnly + "read the audit log" + notOrgAdmin
	default:
		return unknownAction
	}
	if actor.OrgAdmin {
		return allowed
	}
	return Decision{Switch: SwitchOrgAdmin, Reason: reason}
}

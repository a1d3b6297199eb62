package main

import (
	"fmt"

	"github.com/heraldhq/herald/client"
)

// MemberCmd is `herald team member`.
type MemberCmd struct {
	List   MemberListCmd   `cmd:"" help:"List a team's members and their roles."`
	Add    MemberAddCmd    `cmd:"" help:"Add a user to a team, or change their role (team owners and organization admins)."`
	Remove MemberRemoveCmd `cmd:"" aliases:"rm" help:"Take a user out of a team; the connections they made keep working."`
}

// MemberListCmd is `herald team member list --team ID`.
type MemberListCmd struct {
	Team string `name:"team" required:"" placeholder:"ID" help:"Team whose members to list ('herald team list' shows ids)."`
}

// Run lists the members.
func (c *MemberListCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	list, err := cl.Members(ctx, c.Team)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"members": nonNil(list)})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No members in this team; add one with 'herald team member add --team ID --user ID'.")
		return nil
	}
	w := e.table()
	fmt.Fprintln(w, "USER ID\tNAME\tEMAIL\tROLE\tADDED")
	for _, m := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", cell(m.UserID, 0), cell(m.Name, 40), cell(m.Email, 60), cell(m.Role, 10), when(m.CreatedAt))
	}
	return w.Flush()
}

// MemberAddCmd is `herald team member add --team ID --user ID [--role R]`.
type MemberAddCmd struct {
	Team string `name:"team" required:"" placeholder:"ID" help:"Team to add the user to ('herald team list' shows ids)."`
	User string `name:"user" required:"" placeholder:"ID" help:"User to add ('herald user list' shows ids)."`
	Role string `name:"role" default:"member" enum:"owner,member,guest" help:"owner (manages the team), member or guest (sees the team only). For someone already in the team, their new role."`
}

// Run adds the member or changes their role.
func (c *MemberAddCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	m, err := cl.SetMember(ctx, c.Team, c.User, c.Role)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(m)
	}
	fmt.Fprintf(e.stdout, "%s (%s) is now %s of team %s.\n", clean(m.Name), cell(m.UserID, 0), article(m.Role), cell(m.TeamID, 0))
	return nil
}

// article is "an owner", "a member", "a guest".
func article(role string) string {
	if role == client.RoleOwner {
		return "an owner"
	}
	return "a " + cell(role, 10)
}

// MemberRemoveCmd is `herald team member remove --team ID --user ID`.
type MemberRemoveCmd struct {
	Team string `name:"team" required:"" placeholder:"ID" help:"Team to take the user out of."`
	User string `name:"user" required:"" placeholder:"ID" help:"User to take out ('herald team member list --team ID' shows ids)."`
}

// Run removes the member.
func (c *MemberRemoveCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	if err := cl.RemoveMember(ctx, c.Team, c.User); err != nil {
		return err
	}
	if e.flags.JSON {
		// The API answers 204 with no body; say what happened in JSON.
		return e.printJSON(map[string]any{"team_id": c.Team, "user_id": c.User, "removed": true})
	}
	fmt.Fprintf(e.stdout, "Removed user %s from team %s; the connections they made keep working.\n", clean(c.User), clean(c.Team))
	return nil
}

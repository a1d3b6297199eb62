package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/heraldhq/herald/client"
)

// TeamCmd is `herald team`.
type TeamCmd struct {
	Create TeamCreateCmd `cmd:"" help:"Create a team."`
	List   TeamListCmd   `cmd:"" help:"List the organization's teams."`
	Show   TeamShowCmd   `cmd:"" help:"Show a team and its connector switches."`
	Set    TeamSetCmd    `cmd:"" help:"Rename a team or change its connector switches (team owners and organization admins)."`
	Member MemberCmd     `cmd:"" help:"List, add and remove a team's members: herald team member list|add|remove --team ID."`
}

// TeamCreateCmd is `herald team create NAME`.
type TeamCreateCmd struct {
	Name string `arg:"" help:"Name of the new team (at most 100 characters)."`
}

// Run creates the team.
func (c *TeamCreateCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	t, err := cl.CreateTeam(ctx, c.Name)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(t)
	}
	return printTeams(e, []client.Team{*t})
}

// TeamListCmd is `herald team list`.
type TeamListCmd struct{}

// Run lists the teams.
func (c *TeamListCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	teams, err := cl.Teams(ctx)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"teams": nonNil(teams)})
	}
	if len(teams) == 0 {
		fmt.Fprintln(e.stdout, "No teams yet; create one with 'herald team create NAME'.")
		return nil
	}
	return printTeams(e, teams)
}

// TeamShowCmd is `herald team show ID`.
type TeamShowCmd struct {
	ID string `arg:"" help:"Team id ('herald team list' shows them)."`
}

// Run shows the team.
func (c *TeamShowCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	t, err := cl.Team(ctx, c.ID)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(t)
	}
	return printTeam(e, t)
}

// TeamSetCmd is `herald team set ID [--name N] [--connectors-enabled=BOOL]
// [--members-can-manage-connectors=BOOL]`. Only the flags given are sent.
type TeamSetCmd struct {
	ID                         string  `arg:"" help:"Team id ('herald team list' shows them)."`
	Name                       *string `name:"name" placeholder:"NAME" help:"New name of the team (at most 100 characters)."`
	ConnectorsEnabled          *bool   `name:"connectors-enabled" negatable:"" help:"The team's connectors (Set-UnifiedGroup -ConnectorsEnabled): =false (or --no-connectors-enabled) makes the team's webhooks answer 403."`
	MembersCanManageConnectors *bool   `name:"members-can-manage-connectors" negatable:"" help:"Whether members, not only owners, may add and remove the team's connections (=true or =false)."`
}

// Run changes the team.
func (c *TeamSetCmd) Run(e *cliEnv) error {
	u := client.TeamUpdate{Name: c.Name, ConnectorsEnabled: c.ConnectorsEnabled, MembersCanManageConnectors: c.MembersCanManageConnectors}
	if u == (client.TeamUpdate{}) {
		return errors.New("nothing to change: give one or more of --name NAME, --connectors-enabled=true|false, --members-can-manage-connectors=true|false")
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	t, err := cl.UpdateTeam(ctx, c.ID, u)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(t)
	}
	fmt.Fprintf(e.stdout, "Updated team %s.\n\n", cell(t.ID, 0))
	return printTeam(e, t)
}

func printTeam(e *cliEnv, t *client.Team) error {
	w := e.table()
	fmt.Fprintf(w, "ID:\t%s\n", cell(t.ID, 0))
	fmt.Fprintf(w, "Name:\t%s\n", cell(t.Name, 0))
	fmt.Fprintf(w, "Created:\t%s\n", when(t.CreatedAt))
	fmt.Fprintf(w, "Connectors enabled:\t%t\n", t.ConnectorsEnabled)
	fmt.Fprintf(w, "Members can manage connectors:\t%t\n", t.MembersCanManageConnectors)
	return w.Flush()
}

func printTeams(e *cliEnv, teams []client.Team) error {
	w := e.table()
	fmt.Fprintln(w, "ID\tNAME\tCREATED")
	for _, t := range teams {
		fmt.Fprintf(w, "%s\t%s\t%s\n", cell(t.ID, 0), cell(t.Name, 60), when(t.CreatedAt))
	}
	return w.Flush()
}

// ChannelCmd is `herald channel`.
type ChannelCmd struct {
	Create ChannelCreateCmd `cmd:"" help:"Create a channel in a team."`
	List   ChannelListCmd   `cmd:"" help:"List a team's channels."`
}

// ChannelCreateCmd is `herald channel create --team ID NAME`.
type ChannelCreateCmd struct {
	Team string `name:"team" required:"" placeholder:"ID" help:"Team to create the channel in ('herald team list' shows ids)."`
	Name string `arg:"" help:"Name of the new channel (at most 100 characters)."`
}

// Run creates the channel.
func (c *ChannelCreateCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	ch, err := cl.CreateChannel(ctx, c.Team, c.Name)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(ch)
	}
	return printChannels(e, []client.Channel{*ch})
}

// ChannelListCmd is `herald channel list --team ID`.
type ChannelListCmd struct {
	Team string `name:"team" required:"" placeholder:"ID" help:"Team whose channels to list ('herald team list' shows ids)."`
}

// Run lists the channels.
func (c *ChannelListCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	list, err := cl.Channels(ctx, c.Team)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"channels": nonNil(list)})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No channels in this team yet; create one with 'herald channel create --team ID NAME'.")
		return nil
	}
	return printChannels(e, list)
}

func printChannels(e *cliEnv, list []client.Channel) error {
	w := e.table()
	fmt.Fprintln(w, "ID\tNAME\tMESSAGES\tCREATED")
	for _, ch := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", cell(ch.ID, 0), cell(ch.Name, 60), strconv.FormatInt(ch.MessageCount, 10), when(ch.CreatedAt))
	}
	return w.Flush()
}

// nonNil makes an empty list print as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

package main

import (
	"fmt"
	"strconv"

	"github.com/heraldhq/herald/client"
)

// TeamCmd is `herald team`.
type TeamCmd struct {
	Create TeamCreateCmd `cmd:"" help:"Create a team."`
	List   TeamListCmd   `cmd:"" help:"List the organization's teams."`
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

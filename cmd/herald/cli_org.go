package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/client"
)

// OrgCmd is `herald org`.
type OrgCmd struct {
	Show OrgShowCmd `cmd:"" help:"Show the organization, its cloud profile and its connector switches."`
	Set  OrgSetCmd  `cmd:"" help:"Turn connector switches on or off for the whole organization (organization admins)."`
}

// orgSwitch describes one of the organization's switches for people.
type orgSwitch struct {
	name string // as the API and the policy's refusals spell it
	what string
	get  func(*client.Org) bool
}

var orgSwitches = []orgSwitch{
	{"connectors_enabled", "every connector, everywhere", func(o *client.Org) bool { return o.ConnectorsEnabled }},
	{"connectors_enabled_for_teams", "connectors in team channels", func(o *client.Org) bool { return o.ConnectorsEnabledForTeams }},
	{"connectors_enabled_for_outlook", "email delivery (Herald sends no email yet)", func(o *client.Org) bool { return o.ConnectorsEnabledForOutlook }},
	{"connectors_actionable_messages_enabled", "card buttons that call back the sender", func(o *client.Org) bool { return o.ConnectorsActionableMessagesEnabled }},
}

// flagName is the `herald org set` flag of a switch.
func (s orgSwitch) flagName() string { return "--" + strings.ReplaceAll(s.name, "_", "-") }

// OrgShowCmd is `herald org show`.
type OrgShowCmd struct{}

// Run shows the organization.
func (c *OrgShowCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	org, err := cl.Org(ctx)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(org)
	}
	if err := printOrg(e, org); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\nChange a switch with 'herald org set', e.g. 'herald org set --connectors-enabled=false'.")
	return nil
}

func printOrg(e *cliEnv, org *client.Org) error {
	w := e.table()
	fmt.Fprintf(w, "Organization:\t%s (%s)\n", cell(org.Name, 0), cell(org.ID, 0))
	fmt.Fprintf(w, "Cloud:\t%s\n", cell(org.Cloud, 0))
	fmt.Fprintf(w, "Created:\t%s\n", when(org.CreatedAt))
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	w = e.table()
	fmt.Fprintln(w, "SWITCH\tVALUE\tCONTROLS")
	for _, s := range orgSwitches {
		fmt.Fprintf(w, "%s\t%t\t%s\n", s.name, s.get(org), s.what)
	}
	return w.Flush()
}

// OrgSetCmd is `herald org set --connectors-enabled=BOOL ...`. Only the flags
// given are sent.
type OrgSetCmd struct {
	ConnectorsEnabled                   *bool `name:"connectors-enabled" negatable:"" help:"Every connector, everywhere: =false (or --no-connectors-enabled) makes every webhook answer 403."`
	ConnectorsEnabledForTeams           *bool `name:"connectors-enabled-for-teams" negatable:"" help:"Connectors in team channels (=true or =false)."`
	ConnectorsEnabledForOutlook         *bool `name:"connectors-enabled-for-outlook" negatable:"" help:"Email delivery; Herald sends no email yet (=true or =false)."`
	ConnectorsActionableMessagesEnabled *bool `name:"connectors-actionable-messages-enabled" negatable:"" help:"Card buttons that call back the sender (=true or =false)."`
}

// Run changes the switches given.
func (c *OrgSetCmd) Run(e *cliEnv) error {
	u := client.OrgUpdate{
		ConnectorsEnabled:                   c.ConnectorsEnabled,
		ConnectorsEnabledForTeams:           c.ConnectorsEnabledForTeams,
		ConnectorsEnabledForOutlook:         c.ConnectorsEnabledForOutlook,
		ConnectorsActionableMessagesEnabled: c.ConnectorsActionableMessagesEnabled,
	}
	if u == (client.OrgUpdate{}) {
		flags := make([]string, len(orgSwitches))
		for i, s := range orgSwitches {
			flags[i] = s.flagName()
		}
		return fmt.Errorf("nothing to change: give one or more of %s, each =true or =false", strings.Join(flags, ", "))
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	org, err := cl.UpdateOrg(ctx, u)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(org)
	}
	fmt.Fprintln(e.stdout, "Updated the organization's switches; every node applies them before its next webhook post.")
	fmt.Fprintln(e.stdout)
	return printOrg(e, org)
}

// AuditCmd is `herald audit`.
type AuditCmd struct {
	Limit  int    `name:"limit" default:"50" help:"How many of the latest entries to show (1-200)."`
	Before int64  `name:"before" placeholder:"ID" help:"Show entries older than this entry id, to page back."`
	Team   string `name:"team" placeholder:"ID" help:"Only the entries of this team."`
	Action string `name:"action" placeholder:"ACTION" help:"Only this action: org.update, team.create, team.update, channel.create, connection.create, connection.delete, member.add, member.update, member.remove, user.create, user.delete, token.create or token.revoke."`
}

// Run shows the audit log.
func (c *AuditCmd) Run(e *cliEnv) error {
	if c.Limit < 1 || c.Limit > 200 {
		return errors.New("--limit must be between 1 and 200")
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	list, err := cl.Audit(ctx, client.AuditQuery{Limit: c.Limit, Before: c.Before, TeamID: c.Team, Action: c.Action})
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"entries": nonNil(list)})
	}
	if len(list) == 0 {
		if c.Before > 0 {
			fmt.Fprintln(e.stdout, "No older entries.")
		} else {
			fmt.Fprintln(e.stdout, "No audit entries match.")
		}
		return nil
	}
	w := e.table()
	fmt.Fprintln(w, "ID\tTIME\tACTOR\tACTION\tTARGET\tCHANGE")
	for _, a := range list { // newest first, as the API sends them
		target := cell(a.TargetType, 20) + " " + cell(a.TargetID, 0)
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, when(a.At), cell(a.ActorName, 30), cell(a.Action, 30), target,
			cell(changeSummary(a.Before, a.After), 100))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(list) == c.Limit {
		fmt.Fprintf(e.stdout, "\nOlder entries: herald audit --before %d (--json shows the whole before and after).\n", list[len(list)-1].ID)
	}
	return nil
}

// changeSummary says in a few words what an audit entry changed: the fields
// whose values differ, as "name: old → new", when before and after are both
// JSON objects.
func changeSummary(before, after json.RawMessage) string {
	before, after = absentIfNull(before), absentIfNull(after)
	switch {
	case len(before) == 0 && len(after) == 0:
		return ""
	case len(before) == 0:
		return "created"
	case len(after) == 0:
		return "removed"
	}
	var b, a map[string]json.RawMessage
	if json.Unmarshal(before, &b) != nil || json.Unmarshal(after, &a) != nil {
		return "changed"
	}
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		old, cur := compactJSON(b[k]), compactJSON(a[k])
		if old != cur {
			parts = append(parts, k+": "+old+" → "+cur)
		}
	}
	if len(parts) == 0 {
		return "no change"
	}
	return strings.Join(parts, ", ")
}

// absentIfNull treats a JSON null as no value at all.
func absentIfNull(v json.RawMessage) json.RawMessage {
	if string(bytes.TrimSpace(v)) == "null" {
		return nil
	}
	return v
}

// compactJSON is a JSON value on one line; "-" for an absent one.
func compactJSON(v json.RawMessage) string {
	if len(v) == 0 {
		return "-"
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return strconv.Quote(string(v))
	}
	return buf.String()
}

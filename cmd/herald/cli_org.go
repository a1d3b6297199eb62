package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/client"
)

// OrgCmd is `herald org`.
type OrgCmd struct {
	Show             OrgShowCmd             `cmd:"" help:"Show the organization, its cloud profile, its connector switches and its webhook URL rules."`
	Set              OrgSetCmd              `cmd:"" help:"Turn connector switches on or off for the whole organization, or set the URL age limit (organization admins)."`
	RequireURLUpdate OrgRequireURLUpdateCmd `cmd:"" name:"require-url-update" help:"Start a URL rotation: every webhook URL issued before a time must be updated by a deadline, after which it answers 410 Gone (organization admins)."`
	URLRotation      OrgURLRotationCmd      `cmd:"" name:"url-rotation" help:"Show the URL rotation and, per team, the connections still to update with their last use (organization admins)."`
	CancelURLUpdate  OrgCancelURLUpdateCmd  `cmd:"" name:"cancel-url-update" help:"End the URL rotation: URLs not updated keep working, or work again after the deadline (organization admins)."`
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
	if age := time.Duration(org.URLMaxAge); age > 0 {
		fmt.Fprintf(w, "URL max age:\t%s: webhook URLs issued longer ago need attention (they keep working)\n", fmtDuration(age))
	} else {
		fmt.Fprintln(w, "URL max age:\tnone")
	}
	if rot := org.URLRotation; rot != nil {
		fmt.Fprintf(w, "URL rotation:\tURLs issued before %s must be updated by %s ('herald org url-rotation' shows which)\n", when(rot.IssuedBefore), when(rot.Deadline))
	} else {
		fmt.Fprintln(w, "URL rotation:\tnone")
	}
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
	ConnectorsEnabled                   *bool          `name:"connectors-enabled" negatable:"" help:"Every connector, everywhere: =false (or --no-connectors-enabled) makes every webhook answer 403."`
	ConnectorsEnabledForTeams           *bool          `name:"connectors-enabled-for-teams" negatable:"" help:"Connectors in team channels (=true or =false)."`
	ConnectorsEnabledForOutlook         *bool          `name:"connectors-enabled-for-outlook" negatable:"" help:"Email delivery; Herald sends no email yet (=true or =false)."`
	ConnectorsActionableMessagesEnabled *bool          `name:"connectors-actionable-messages-enabled" negatable:"" help:"Card buttons that call back the sender (=true or =false)."`
	URLMaxAge                           *time.Duration `name:"url-max-age" placeholder:"DURATION" help:"Webhook URLs issued longer ago than this show 'Attention required' but keep working, e.g. 2160h (90 days); 0s turns the limit off."`
}

// Run changes the switches given.
func (c *OrgSetCmd) Run(e *cliEnv) error {
	u := client.OrgUpdate{
		ConnectorsEnabled:                   c.ConnectorsEnabled,
		ConnectorsEnabledForTeams:           c.ConnectorsEnabledForTeams,
		ConnectorsEnabledForOutlook:         c.ConnectorsEnabledForOutlook,
		ConnectorsActionableMessagesEnabled: c.ConnectorsActionableMessagesEnabled,
	}
	if c.URLMaxAge != nil {
		if *c.URLMaxAge < 0 {
			return errors.New("--url-max-age cannot be negative; 0s turns the limit off")
		}
		age := client.Duration(*c.URLMaxAge)
		u.URLMaxAge = &age
	}
	if u == (client.OrgUpdate{}) {
		flags := make([]string, len(orgSwitches))
		for i, s := range orgSwitches {
			flags[i] = s.flagName()
		}
		return fmt.Errorf("nothing to change: give one or more of %s, each =true or =false, or --url-max-age DURATION", strings.Join(flags, ", "))
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
	fmt.Fprintln(e.stdout, "Updated the organization's settings; every node applies them before its next webhook post.")
	fmt.Fprintln(e.stdout)
	return printOrg(e, org)
}

// fmtDuration writes a duration for a person: "2160h (90 days)" rather
// than "2160h0m0s".
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	const day = 24 * time.Hour
	switch {
	case d == day:
		s += " (1 day)"
	case d > day && d%day == 0:
		s += fmt.Sprintf(" (%d days)", d/day)
	}
	return s
}

// OrgRequireURLUpdateCmd is `herald org require-url-update --deadline TIME
// [--issued-before TIME]`.
type OrgRequireURLUpdateCmd struct {
	Deadline     string `name:"deadline" required:"" placeholder:"TIME" help:"When URLs not updated stop working (410 Gone): an RFC 3339 time such as 2026-12-31T00:00:00Z, or a duration from now such as 720h (30 days)."`
	IssuedBefore string `name:"issued-before" placeholder:"TIME" help:"Only URLs issued before this RFC 3339 time must be updated. Default: now, that is every URL in use."`
}

// Run starts the rotation.
func (c *OrgRequireURLUpdateCmd) Run(e *cliEnv) error {
	now := time.Now()
	deadline, err := parseTimeOrDelay("--deadline", c.Deadline, now)
	if err != nil {
		return err
	}
	var issuedBefore *time.Time
	if c.IssuedBefore != "" {
		t, err := time.Parse(time.RFC3339, c.IssuedBefore)
		if err != nil {
			return fmt.Errorf("--issued-before %q is not an RFC 3339 time such as %s", c.IssuedBefore, now.UTC().Format(time.RFC3339))
		}
		issuedBefore = &t
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	st, err := cl.RequireURLUpdate(ctx, issuedBefore, deadline)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(st)
	}
	fmt.Fprintln(e.stdout, "Started a URL rotation. Until the deadline the connections below show 'Attention required'; after it, their URLs answer 410 Gone until updated.")
	fmt.Fprintln(e.stdout)
	return printURLRotation(e, st)
}

// parseTimeOrDelay reads an RFC 3339 time, or a positive Go duration from
// now.
func parseTimeOrDelay(flag, s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%s %q must be in the future", flag, s)
		}
		return now.Add(d), nil
	}
	return time.Time{}, fmt.Errorf("%s %q is neither an RFC 3339 time such as %s nor a duration from now such as 720h",
		flag, s, now.Add(30*24*time.Hour).UTC().Format(time.RFC3339))
}

// OrgURLRotationCmd is `herald org url-rotation`.
type OrgURLRotationCmd struct{}

// Run shows the rotation.
func (c *OrgURLRotationCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	st, err := cl.URLRotation(ctx)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(st)
	}
	return printURLRotation(e, st)
}

// printURLRotation shows a rotation and the connections still to update.
func printURLRotation(e *cliEnv, st *client.URLRotationStatus) error {
	rot := st.URLRotation
	if rot == nil {
		fmt.Fprintln(e.stdout, "No URL rotation is running; start one with 'herald org require-url-update --deadline 720h'.")
		return nil
	}
	passed := !time.Now().Before(rot.Deadline)
	w := e.table()
	fmt.Fprintf(w, "Issued before:\t%s\n", when(rot.IssuedBefore))
	if passed {
		fmt.Fprintf(w, "Deadline:\t%s (passed)\n", when(rot.Deadline))
	} else {
		fmt.Fprintf(w, "Deadline:\t%s\n", when(rot.Deadline))
	}
	fmt.Fprintf(w, "Pending:\t%d %s\n", st.Pending, plural(st.Pending, "connection", "connections"))
	if err := w.Flush(); err != nil {
		return err
	}
	if st.Pending == 0 {
		fmt.Fprintln(e.stdout, "\nEvery URL has been updated; end the rotation with 'herald org cancel-url-update'.")
		return nil
	}
	fmt.Fprintln(e.stdout)
	w = e.table()
	fmt.Fprintln(w, "TEAM\tID\tNAME\tCHANNEL\tURL ISSUED\tLAST DELIVERY")
	for _, t := range st.Teams {
		team := t.TeamName
		if team == "" {
			team = t.TeamID
		}
		for _, conn := range t.Connections {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(team, 30), cell(conn.ID, 0), cell(conn.Name, 40), cell(conn.ChannelID, 0),
				when(conn.URLIssuedAt), whenPtr(conn.LastDeliveryAt))
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if passed {
		fmt.Fprintln(e.stdout, "\nThe deadline has passed: these URLs answer 410 Gone until updated with 'herald connection update-url ID'.")
	} else {
		fmt.Fprintln(e.stdout, "\nUpdate each with 'herald connection update-url ID' and give its senders the new URL before the deadline.")
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// OrgCancelURLUpdateCmd is `herald org cancel-url-update`.
type OrgCancelURLUpdateCmd struct{}

// Run ends the rotation.
func (c *OrgCancelURLUpdateCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	if err := cl.CancelURLUpdate(ctx); err != nil {
		return err
	}
	if e.flags.JSON {
		// The API answers 204 with no body; say what happened in JSON.
		return e.printJSON(map[string]any{"url_rotation": nil, "cancelled": true})
	}
	fmt.Fprintln(e.stdout, "Ended the URL rotation: URLs not updated no longer need attention, and those past the deadline work again.")
	return nil
}

// AuditCmd is `herald audit`.
type AuditCmd struct {
	Limit  int    `name:"limit" default:"50" help:"How many of the latest entries to show (1-200)."`
	Before int64  `name:"before" placeholder:"ID" help:"Show entries older than this entry id, to page back."`
	Team   string `name:"team" placeholder:"ID" help:"Only the entries of this team."`
	Action string `name:"action" placeholder:"ACTION" help:"Only this action: org.update, org.require_url_update, org.cancel_url_update, team.create, team.update, channel.create, connection.create, connection.update, connection.rotate_url, connection.delete, member.add, member.update, member.remove, user.create, user.delete, token.create or token.revoke."`
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

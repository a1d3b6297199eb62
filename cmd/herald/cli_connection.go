package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/client"
)

// ConnectorCmd is `herald connector`.
type ConnectorCmd struct {
	List    ConnectorListCmd    `cmd:"" help:"List the connectors a channel can add, the events they post, and which are retired."`
	Retire  ConnectorRetireCmd  `cmd:"" help:"Retire a connector for the organization: no new connections; existing ones keep working (organization admins)."`
	Restore ConnectorRestoreCmd `cmd:"" help:"Make a retired connector available again (organization admins); one Herald cannot translate cannot be restored."`
	Preview ConnectorPreviewCmd `cmd:"" help:"Try a Generic JSON template on a sample body: print the summary and the card it makes."`
}

// ConnectorListCmd is `herald connector list`.
type ConnectorListCmd struct{}

// Run lists the connector catalog.
func (c *ConnectorListCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	list, err := cl.Connectors(ctx)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"connectors": nonNil(list)})
	}
	w := e.table()
	fmt.Fprintln(w, "ID\tNAME\tKIND\tRETIRED\tEVENTS\tDESCRIPTION")
	for _, cn := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(cn.ID, 0), cell(cn.Name, 40), cell(cn.Kind, 0), yesNo(cn.Retired),
			cell(strings.Join(cn.Events, ","), 40), cell(cn.Description, 0))
	}
	return w.Flush()
}

// ConnectionCmd is `herald connection`.
type ConnectionCmd struct {
	Add        ConnectionAddCmd        `cmd:"" help:"Add a connector to a channel: a webhook (prints the URLs to post to), or a feed Herald polls (--connector rss --feed-url URL)."`
	List       ConnectionListCmd       `cmd:"" help:"List a channel's connections (--channel ID) with their deliveries and feed polls, or those that need attention across teams (--attention)."`
	Show       ConnectionShowCmd       `cmd:"" help:"Show one connection: its webhook URLs or its feed's polls, what needs attention, and who still calls its old URL."`
	Poll       ConnectionPollCmd       `cmd:"" help:"Poll a feed connection now (refresh now): post its new items and show how the poll went; exits 1 when it failed."`
	UpdateURL  ConnectionUpdateURLCmd  `cmd:"" name:"update-url" help:"Issue new webhook URLs (Update URL); the old ones keep working for --grace, then answer 410 Gone. Feed connections have no URL."`
	Set        ConnectionSetCmd        `cmd:"" help:"Change a connection's settings: the events and branches a third-party connection posts, its secret, its template; a feed's address and interval."`
	Deliveries ConnectionDeliveriesCmd `cmd:"" help:"Show a third-party connection's delivery log: what it received and what Herald did with each."`
	Rename     ConnectionRenameCmd     `cmd:"" help:"Rename a connection; its webhook URLs or its feed stay the same."`
	Image      ConnectionImageCmd      `cmd:"" help:"Set the picture shown as the author of a connection's messages (PNG, JPEG or GIF), or remove it with --remove."`
	Remove     ConnectionRemoveCmd     `cmd:"" aliases:"rm" help:"Remove a connection: its webhook URLs stop working (410 Gone), or its feed is no longer polled. Its messages stay."`
}

// ConnectionAddCmd is `herald connection add --channel ID --name NAME
// [--connector ID] [--events E,...] [--branches B,...] [--secret-stdin]
// [--template FILE]`, or for a feed `herald connection add --channel ID
// --name NAME --connector rss --feed-url URL [--interval 15m]
// [--first-items N]`. A secret is never a flag value: flag values end up in
// shell histories and process lists. The feed's address is --feed-url, not
// --url: --url is the Herald server's, on every command.
type ConnectionAddCmd struct {
	Channel     string         `name:"channel" required:"" placeholder:"ID" help:"Channel to post into ('herald channel list --team ID' shows ids)."`
	Name        string         `name:"name" required:"" placeholder:"NAME" help:"Name shown on the channel's posts and in the Configured list, e.g. the sending service or the feed."`
	Connector   string         `name:"connector" default:"incoming-webhook" help:"Connector to add ('herald connector list' shows them and their events): incoming-webhook, a third-party service such as github, generic, or rss for a feed."`
	Events      string         `name:"events" placeholder:"EVENT,..." help:"Third-party connectors: the events to post, names or prefixes such as push,pull_request (default: all)."`
	Branches    string         `name:"branches" placeholder:"BRANCH,..." help:"Third-party connectors: post only events of these branches, names or globs such as main,release/* (default: all)."`
	SecretStdin bool           `name:"secret-stdin" help:"Read the webhook secret set in the service from standard input (one trailing newline is dropped); deliveries must then prove they come from the service."`
	Template    string         `name:"template" type:"existingfile" placeholder:"FILE" help:"Generic JSON connector: JSON file of the card template, {\"title\",\"text\",\"link\",\"facts\":[{\"name\",\"value\"}]} ('herald connector preview' tries one)."`
	FeedURL     string         `name:"feed-url" placeholder:"URL" help:"Feed connector (--connector rss): the http or https address of the RSS, Atom or JSON Feed to poll."`
	Interval    *time.Duration `name:"interval" placeholder:"DURATION" help:"Feed connector: how often to poll the feed, 1m to 24h (default 15m)."`
	FirstItems  *int           `name:"first-items" placeholder:"N" help:"Feed connector: how many of the newest items the first poll posts, 1 to 20 (default 3); later polls post every new item."`
}

// Run adds the connection.
func (c *ConnectionAddCmd) Run(e *cliEnv) error {
	spec := client.ConnectionSpec{Connector: c.Connector, Name: c.Name}
	if c.Connector == client.ConnectorRSS {
		cfg, err := c.feedConfig()
		if err != nil {
			return err
		}
		spec.Config = cfg
	} else if c.FeedURL != "" || c.Interval != nil || c.FirstItems != nil {
		return fmt.Errorf("--feed-url, --interval and --first-items are for feeds: add --connector %s (the %s connector receives webhooks)",
			client.ConnectorRSS, clean(c.Connector))
	}
	if c.Events != "" || c.Branches != "" || c.Template != "" {
		cfg := &client.ConnectionConfig{Events: splitList(c.Events), Branches: strings.TrimSpace(c.Branches)}
		if c.Template != "" {
			t, err := readTemplate(c.Template)
			if err != nil {
				return err
			}
			cfg.Template = t
		}
		spec.Config = cfg
	}
	if c.SecretStdin {
		secret, err := readSecret(e, "--secret-stdin")
		if err != nil {
			return err
		}
		spec.Secret = &secret
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	conn, err := cl.CreateConnectionWith(ctx, c.Channel, spec)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(conn)
	}
	fmt.Fprintf(e.stdout, "Added %s connection %q to channel %s.\n", cell(conn.Connector, 0), clean(conn.Name), cell(conn.ChannelID, 0))
	return printConnection(e, conn, false)
}

// feedConfig checks the flags of a feed connection and returns its
// settings. Only what needs no server is checked here: the server checks
// the address and the ranges, and fills in the defaults.
func (c *ConnectionAddCmd) feedConfig() (*client.ConnectionConfig, error) {
	switch {
	case strings.TrimSpace(c.FeedURL) == "":
		return nil, errors.New("a feed connection needs the feed's address: --feed-url URL, such as --feed-url https://example.com/feed.xml")
	case c.Events != "" || c.Branches != "" || c.Template != "" || c.SecretStdin:
		return nil, errors.New("--events, --branches, --template and --secret-stdin are for connections that receive webhooks; a feed's settings are --feed-url, --interval and --first-items")
	case c.Interval != nil && *c.Interval <= 0:
		return nil, fmt.Errorf("--interval %s: give how often to poll, such as 15m or 1h", c.Interval)
	case c.FirstItems != nil && *c.FirstItems < 1:
		return nil, fmt.Errorf("--first-items %d: give how many items the first poll posts, at least 1", *c.FirstItems)
	}
	cfg := &client.ConnectionConfig{URL: strings.TrimSpace(c.FeedURL)}
	if c.Interval != nil {
		d := client.Duration(*c.Interval)
		cfg.Interval = &d
	}
	if c.FirstItems != nil {
		cfg.FirstItems = *c.FirstItems
	}
	return cfg, nil
}

// printConnection shows one connection, its URLs on lines of their own so
// that they are easy to copy. With detail (for an answer that carries them),
// it also shows what needs attention and the use of the old URL.
func printConnection(e *cliEnv, conn *client.Connection, detail bool) error {
	w := e.table()
	fmt.Fprintf(w, "ID:\t%s\n", cell(conn.ID, 0))
	fmt.Fprintf(w, "Name:\t%s\n", cell(conn.Name, 0))
	fmt.Fprintf(w, "Connector:\t%s\n", cell(conn.Connector, 0))
	fmt.Fprintf(w, "Channel:\t%s\n", cell(conn.ChannelID, 0))
	fmt.Fprintf(w, "Team:\t%s\n", cell(conn.TeamID, 0))
	fmt.Fprintf(w, "Created:\t%s\n", when(conn.CreatedAt))
	if !isFeed(conn) {
		fmt.Fprintf(w, "Delivered:\t%d messages, last %s\n", conn.DeliveredCount, whenPtr(conn.LastDeliveryAt))
	}
	if !conn.URLIssuedAt.IsZero() && !conn.URLIssuedAt.Equal(conn.CreatedAt) && !isFeed(conn) {
		fmt.Fprintf(w, "URL issued:\t%s\n", when(conn.URLIssuedAt))
	}
	if conn.ImageURL != "" {
		fmt.Fprintf(w, "Image:\t%s\n", cell(conn.ImageURL, 0))
	}
	if conn.Connector != client.ConnectorIncomingWebhook {
		printSettings(w, conn)
	}
	printFeedState(w, conn, time.Now())
	if detail {
		attention := "none"
		if conn.AttentionRequired {
			attention = "required"
		}
		fmt.Fprintf(w, "Attention:\t%s\n", attention)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if detail {
		if len(conn.AttentionReasons) > 0 {
			fmt.Fprintln(e.stdout, "\nAttention required:")
			for _, r := range conn.AttentionReasons {
				fmt.Fprintf(e.stdout, "  - %s\n", clean(r))
			}
		}
		if err := printOldURL(e, conn.OldURL, time.Now()); err != nil {
			return err
		}
	}
	return printURLs(e, conn)
}

// printURLs prints a connection's webhook URLs, or why there are none; for
// a feed connection, which has none, what to do next.
func printURLs(e *cliEnv, conn *client.Connection) error {
	if isFeed(conn) {
		printFeedNext(e, conn)
		return nil
	}
	if conn.WebhookURL == "" && conn.SlackURL == "" {
		if conn.URLNote != "" {
			fmt.Fprintf(e.stdout, "\nNo webhook URL: %s\n", clean(conn.URLNote))
		}
		return nil
	}
	if conn.WebhookURL != "" {
		fmt.Fprintf(e.stdout, "\nWebhook URL (Microsoft Teams incoming webhook format):\n  %s\n", clean(conn.WebhookURL))
	}
	if conn.SlackURL != "" {
		fmt.Fprintf(e.stdout, "\nSlack-compatible URL:\n  %s\n", clean(conn.SlackURL))
	}
	fmt.Fprintln(e.stdout, "\nAnyone who has one of these URLs can post to the channel: keep them secret.")
	return nil
}

// printOldURL shows when a connection's replaced URL stops working and who
// still calls it.
func printOldURL(e *cliEnv, old *client.OldURL, now time.Time) error {
	if old == nil {
		return nil
	}
	if now.Before(old.ExpiresAt) {
		fmt.Fprintf(e.stdout, "\nOld URL (replaced by Update URL; not shown again): works until %s, then answers 410 Gone.\n", when(old.ExpiresAt))
	} else {
		fmt.Fprintf(e.stdout, "\nOld URL (replaced by Update URL; not shown again): stopped working at %s; it answers 410 Gone.\n", when(old.ExpiresAt))
	}
	if old.Calls == 0 {
		fmt.Fprintln(e.stdout, "Nobody has called it since it was replaced.")
		return nil
	}
	fmt.Fprintf(e.stdout, "Called %d %s since it was replaced, the last at %s; the latest callers:\n", old.Calls, plural(int(old.Calls), "time", "times"), whenPtr(old.LastUsedAt))
	w := e.table()
	fmt.Fprintln(w, "  ADDRESS\tUSER AGENT\tLAST SEEN")
	for _, c := range old.Callers {
		fmt.Fprintf(w, "  %s\t%s\t%s\n", cell(c.Address, 0), cell(c.UserAgent, 60), when(c.LastSeen))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if now.Before(old.ExpiresAt) {
		fmt.Fprintln(e.stdout, "Give these senders the new URL before the old one stops working.")
	}
	return nil
}

// ConnectionListCmd is `herald connection list --channel ID | --attention`.
type ConnectionListCmd struct {
	Channel   string `name:"channel" placeholder:"ID" help:"Channel whose connections to list ('herald channel list --team ID' shows ids)."`
	Attention bool   `name:"attention" help:"Only the connections that need attention, with the reasons: across every team you can see, or in --channel."`
}

// Run lists the connections.
func (c *ConnectionListCmd) Run(e *cliEnv) error {
	if c.Channel == "" && !c.Attention {
		return errors.New("say which connections: --channel ID for a channel's, or --attention for those that need attention across teams")
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	var list []client.Connection
	if c.Channel != "" {
		list, err = cl.Connections(ctx, c.Channel)
	} else {
		list, err = cl.OrgConnections(ctx, true)
	}
	if err != nil {
		return err
	}
	if c.Attention {
		list = slices.DeleteFunc(list, func(conn client.Connection) bool { return !conn.AttentionRequired })
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"connections": nonNil(list)})
	}
	if c.Attention {
		return printAttentionList(e, cl, list, c.Channel != "")
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No connections in this channel; add one with 'herald connection add --channel ID --name NAME'.")
		return nil
	}
	// A channel with feeds gets their address and last poll as columns,
	// where webhook connections have none.
	feeds := 0
	for _, conn := range list {
		if isFeed(&conn) {
			feeds++
		}
	}
	w := e.table()
	if feeds > 0 {
		fmt.Fprintln(w, "ID\tNAME\tCONNECTOR\tDELIVERED\tLAST DELIVERY\tFEED\tLAST POLL\tCREATED\tATTENTION")
	} else {
		fmt.Fprintln(w, "ID\tNAME\tCONNECTOR\tDELIVERED\tLAST DELIVERY\tCREATED\tATTENTION")
	}
	needy, now := 0, time.Now()
	for _, conn := range list {
		attention := "-"
		if conn.AttentionRequired {
			attention, needy = "required", needy+1
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t", cell(conn.ID, 0), cell(conn.Name, 40), cell(conn.Connector, 0),
			strconv.FormatInt(conn.DeliveredCount, 10), whenPtr(conn.LastDeliveryAt))
		switch {
		case isFeed(&conn):
			fmt.Fprintf(w, "%s\t%s\t", cell(conn.Config.URL, 50), pollSummary(conn.Feed, now))
		case feeds > 0:
			fmt.Fprint(w, "-\t-\t")
		}
		fmt.Fprintf(w, "%s\t%s\n", when(conn.CreatedAt), attention)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if needy > 0 {
		fmt.Fprintf(e.stdout, "\n%d of these %s attention: 'herald connection list --attention --channel %s' says why.\n",
			needy, plural(needy, "needs", "need"), clean(c.Channel))
	}
	fmt.Fprintln(e.stdout)
	if feeds < len(list) {
		fmt.Fprintln(e.stdout, "'herald connection show ID' prints a connection's webhook URLs.")
	}
	if feeds > 0 {
		fmt.Fprintln(e.stdout, "'herald connection show ID' shows how a feed's polls went; 'herald connection poll ID' polls it now.")
	}
	return nil
}

// printAttentionList shows connections that need attention, a line per
// reason. The teams' names are looked up for connections from several
// teams.
func printAttentionList(e *cliEnv, cl *client.Client, list []client.Connection, oneChannel bool) error {
	if len(list) == 0 {
		if oneChannel {
			fmt.Fprintln(e.stdout, "No connection in this channel needs attention.")
		} else {
			fmt.Fprintln(e.stdout, "No connection needs attention in the teams you can see.")
		}
		return nil
	}
	teamNames := map[string]string{}
	if !oneChannel {
		ctx, cancel := e.call()
		defer cancel()
		teams, err := cl.Teams(ctx)
		if err != nil {
			return err
		}
		for _, t := range teams {
			teamNames[t.ID] = t.Name
		}
	}
	w := e.table()
	fmt.Fprintln(w, "ID\tNAME\tTEAM\tCHANNEL\tLAST DELIVERY\tREASON")
	for _, conn := range list {
		team := conn.TeamID
		if name := teamNames[team]; name != "" {
			team = name
		}
		reasons := conn.AttentionReasons
		if len(reasons) == 0 {
			reasons = []string{""}
		}
		for i, r := range reasons {
			if i == 0 {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(conn.ID, 0), cell(conn.Name, 40), cell(team, 30), cell(conn.ChannelID, 0),
					whenPtr(conn.LastDeliveryAt), cell(r, 0))
			} else {
				fmt.Fprintf(w, "\t\t\t\t\t%s\n", cell(r, 0))
			}
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\n'herald connection update-url ID' issues new URLs; 'herald connection show ID' shows who still calls an old one.")
	return nil
}

// ConnectionShowCmd is `herald connection show ID`.
type ConnectionShowCmd struct {
	ID string `arg:"" help:"Connection id ('herald connection list --channel ID' shows them)."`
}

// Run shows the connection.
func (c *ConnectionShowCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	conn, err := cl.Connection(ctx, c.ID)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(conn)
	}
	return printConnection(e, conn, true)
}

// ConnectionRemoveCmd is `herald connection remove ID`.
type ConnectionRemoveCmd struct {
	ID string `arg:"" help:"Connection id ('herald connection list --channel ID' shows them)."`
}

// Run removes the connection.
func (c *ConnectionRemoveCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	if err := cl.DeleteConnection(ctx, c.ID); err != nil {
		return err
	}
	if e.flags.JSON {
		// The API answers 204 with no body; say what happened in JSON.
		return e.printJSON(map[string]any{"id": c.ID, "removed": true})
	}
	fmt.Fprintf(e.stdout, "Removed connection %s: its webhook URLs now answer 410 Gone, or its feed is no longer polled.\n", clean(c.ID))
	return nil
}

// ConnectionUpdateURLCmd is `herald connection update-url ID [--grace 24h]`.
type ConnectionUpdateURLCmd struct {
	ID    string        `arg:"" help:"Connection id ('herald connection list --channel ID' shows them)."`
	Grace time.Duration `name:"grace" default:"24h" help:"How long the old URLs keep working, their answers marked with Deprecation and Sunset headers, before they answer 410 Gone: 0s ends them at once; at most 2160h (90 days)."`
}

// Run issues new URLs.
func (c *ConnectionUpdateURLCmd) Run(e *cliEnv) error {
	if c.Grace < 0 {
		return errors.New("--grace cannot be negative; 0s ends the old URLs at once")
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	conn, err := cl.UpdateURL(ctx, c.ID, c.Grace)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(conn)
	}
	fmt.Fprintf(e.stdout, "Issued new URLs for connection %s %q.\n", cell(conn.ID, 0), clean(conn.Name))
	if err := printURLs(e, conn); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout)
	if old := conn.OldURL; old != nil && time.Now().Before(old.ExpiresAt) {
		fmt.Fprintf(e.stdout, "The old URLs keep working until %s, then answer 410 Gone. They are not shown again.\n", when(old.ExpiresAt))
		fmt.Fprintf(e.stdout, "Herald records who still calls them: 'herald connection show %s' lists those callers, so that you can give them the new URL in time.\n", clean(conn.ID))
	} else {
		fmt.Fprintln(e.stdout, "The old URLs no longer work: they answer 410 Gone. They are not shown again.")
		fmt.Fprintln(e.stdout, "Give the new URL to every system that posted to the old one.")
	}
	return nil
}

// ConnectionRenameCmd is `herald connection rename ID NAME`.
type ConnectionRenameCmd struct {
	ID   string `arg:"" help:"Connection id ('herald connection list --channel ID' shows them)."`
	Name string `arg:"" help:"New name, shown on the channel's posts and in the Configured list (at most 100 characters)."`
}

// Run renames the connection.
func (c *ConnectionRenameCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	conn, err := cl.RenameConnection(ctx, c.ID, c.Name)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(conn)
	}
	unchanged := "its webhook URLs are unchanged"
	if isFeed(conn) {
		unchanged = "it polls the same feed"
	}
	fmt.Fprintf(e.stdout, "Renamed connection %s to %q; %s.\n", cell(conn.ID, 0), clean(conn.Name), unchanged)
	return nil
}

// ConnectionImageCmd is `herald connection image ID FILE|--remove`.
type ConnectionImageCmd struct {
	ID     string `arg:"" help:"Connection id ('herald connection list --channel ID' shows them)."`
	File   string `arg:"" optional:"" help:"PNG, JPEG or GIF file of at most 256 KB, shown at up to 64 px; - reads it from standard input."`
	Remove bool   `name:"remove" help:"Remove the connection's picture instead of setting one (give no FILE)."`
}

// Run sets or removes the picture.
func (c *ConnectionImageCmd) Run(e *cliEnv) error {
	switch {
	case c.Remove && c.File != "":
		return errors.New("give either FILE or --remove, not both")
	case !c.Remove && c.File == "":
		return errors.New("give the picture's FILE (PNG, JPEG or GIF), or --remove to remove the picture")
	}
	var data []byte
	if !c.Remove {
		var err error
		if data, err = readImage(e, c.File); err != nil {
			return err
		}
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	if c.Remove {
		if err := cl.DeleteConnectionImage(ctx, c.ID); err != nil {
			return err
		}
		if e.flags.JSON {
			// The API answers 204 with no body; say what happened in JSON.
			return e.printJSON(map[string]any{"id": c.ID, "image_removed": true})
		}
		fmt.Fprintf(e.stdout, "Removed the picture of connection %s.\n", clean(c.ID))
		return nil
	}
	if err := cl.SetConnectionImage(ctx, c.ID, data); err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"id": c.ID, "image_set": true, "bytes": len(data)})
	}
	fmt.Fprintf(e.stdout, "Set the picture of connection %s (%s, %d bytes); it shows as the author of the connection's messages.\n",
		clean(c.ID), http.DetectContentType(data), len(data))
	return nil
}

// readImage reads a picture from a file, or standard input for "-", up to
// the size the API takes.
func readImage(e *cliEnv, name string) ([]byte, error) {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err // names the file
		}
		defer f.Close()
		r = f
	} else {
		name = "standard input"
	}
	data, err := io.ReadAll(io.LimitReader(r, client.MaxImageSize+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", name, err)
	case len(data) == 0:
		return nil, fmt.Errorf("%s is empty", name)
	case len(data) > client.MaxImageSize:
		return nil, fmt.Errorf("%s is over %d KB: Herald takes pictures of at most %d KB (they are shown at up to 64 px)", name, client.MaxImageSize>>10, client.MaxImageSize>>10)
	}
	return data, nil
}

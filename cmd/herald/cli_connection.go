package main

import (
	"fmt"
	"strconv"

	"github.com/heraldhq/herald/client"
)

// ConnectorCmd is `herald connector`.
type ConnectorCmd struct {
	List ConnectorListCmd `cmd:"" help:"List the connectors a channel can add."`
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
	fmt.Fprintln(w, "ID\tNAME\tKIND\tSTATUS\tDESCRIPTION")
	for _, cn := range list {
		status := "available"
		if cn.Retired {
			status = "retired"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", cell(cn.ID, 0), cell(cn.Name, 40), cell(cn.Kind, 0), status, cell(cn.Description, 0))
	}
	return w.Flush()
}

// ConnectionCmd is `herald connection`.
type ConnectionCmd struct {
	Add    ConnectionAddCmd    `cmd:"" help:"Add a connector to a channel and print its webhook URLs."`
	List   ConnectionListCmd   `cmd:"" help:"List a channel's connections."`
	Show   ConnectionShowCmd   `cmd:"" help:"Show one connection with its webhook URLs."`
	Remove ConnectionRemoveCmd `cmd:"" aliases:"rm" help:"Remove a connection; its webhook URLs stop working (410 Gone)."`
}

// ConnectionAddCmd is `herald connection add --channel ID --name NAME`.
type ConnectionAddCmd struct {
	Channel   string `name:"channel" required:"" placeholder:"ID" help:"Channel to post into ('herald channel list --team ID' shows ids)."`
	Name      string `name:"name" required:"" placeholder:"NAME" help:"Name shown on the channel's posts and in the Configured list, e.g. the sending service."`
	Connector string `name:"connector" default:"incoming-webhook" help:"Connector to add ('herald connector list' shows them)."`
}

// Run adds the connection.
func (c *ConnectionAddCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	conn, err := cl.CreateConnection(ctx, c.Channel, c.Connector, c.Name)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(conn)
	}
	fmt.Fprintf(e.stdout, "Added %s connection %q to channel %s.\n", cell(conn.Connector, 0), clean(conn.Name), cell(conn.ChannelID, 0))
	return printConnection(e, conn)
}

// printConnection shows one connection, its URLs on lines of their own so
// that they are easy to copy.
func printConnection(e *cliEnv, conn *client.Connection) error {
	w := e.table()
	fmt.Fprintf(w, "ID:\t%s\n", cell(conn.ID, 0))
	fmt.Fprintf(w, "Name:\t%s\n", cell(conn.Name, 0))
	fmt.Fprintf(w, "Connector:\t%s\n", cell(conn.Connector, 0))
	fmt.Fprintf(w, "Channel:\t%s\n", cell(conn.ChannelID, 0))
	fmt.Fprintf(w, "Team:\t%s\n", cell(conn.TeamID, 0))
	fmt.Fprintf(w, "Created:\t%s\n", when(conn.CreatedAt))
	fmt.Fprintf(w, "Delivered:\t%d messages, last %s\n", conn.DeliveredCount, whenPtr(conn.LastDeliveryAt))
	if err := w.Flush(); err != nil {
		return err
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

// ConnectionListCmd is `herald connection list --channel ID`.
type ConnectionListCmd struct {
	Channel string `name:"channel" required:"" placeholder:"ID" help:"Channel whose connections to list."`
}

// Run lists the connections.
func (c *ConnectionListCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	list, err := cl.Connections(ctx, c.Channel)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"connections": nonNil(list)})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No connections in this channel; add one with 'herald connection add --channel ID --name NAME'.")
		return nil
	}
	w := e.table()
	fmt.Fprintln(w, "ID\tNAME\tCONNECTOR\tDELIVERED\tLAST DELIVERY\tCREATED")
	for _, conn := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\n", cell(conn.ID, 0), cell(conn.Name, 40), cell(conn.Connector, 0),
			strconv.FormatInt(conn.DeliveredCount, 10), whenPtr(conn.LastDeliveryAt), when(conn.CreatedAt))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "\n'herald connection show ID' prints a connection's webhook URLs.")
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
	return printConnection(e, conn)
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
	fmt.Fprintf(e.stdout, "Removed connection %s; its webhook URLs now answer 410 Gone.\n", clean(c.ID))
	return nil
}

// Command herald runs a Herald server (`herald serve`) and manages one over
// its API (`herald team create`, `herald connection add`, ...).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

// CLI is every command. Client commands talk to a server at HERALD_URL with
// the API token in HERALD_TOKEN.
type CLI struct {
	ClientFlags

	Serve ServeCmd `cmd:"" help:"Run a Herald server (SQLite in ./herald-data unless --db is a postgres:// URL)."`

	Org        OrgCmd        `cmd:"" help:"Show and change the organization's connector switches (Set-OrganizationConfig), and require webhook URLs to be updated."`
	Team       TeamCmd       `cmd:"" help:"Create, list, show and change teams (Set-UnifiedGroup -ConnectorsEnabled), and manage their members."`
	Channel    ChannelCmd    `cmd:"" help:"Create and list a team's channels."`
	Connector  ConnectorCmd  `cmd:"" help:"List the connector catalog, retire and restore connectors, and try Generic JSON templates."`
	Connection ConnectionCmd `cmd:"" help:"Add, list, show, change, rename and remove a channel's connections (webhooks and feeds), see their deliveries, update their URLs, and poll feeds now."`
	Message    MessageCmd    `cmd:"" help:"Read a channel's messages, or follow them live."`
	User       UserCmd       `cmd:"" help:"List, create and delete the organization's users."`
	Token      TokenCmd      `cmd:"" help:"Create, list and revoke API tokens."`
	Audit      AuditCmd      `cmd:"" help:"Show the audit log: who changed what, before and after (organization admins)."`
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal, a second one ends the process the usual way
	// (serve keeps its own handler for its graceful shutdown).
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/heraldhq/herald/client"
)

// ConnectorRetireCmd is `herald connector retire ID`.
type ConnectorRetireCmd struct {
	ID string `arg:"" help:"Connector id ('herald connector list' shows them)."`
}

// Run retires the connector.
func (c *ConnectorRetireCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	cn, err := cl.RetireConnector(ctx, c.ID)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(cn)
	}
	fmt.Fprintf(e.stdout, "Retired the %s connector for the organization: it accepts no new connections; its existing connections keep working.\n", clean(cn.Name))
	fmt.Fprintf(e.stdout, "'herald connector restore %s' makes it available again.\n\n", clean(cn.ID))
	return printConnector(e, cn)
}

// ConnectorRestoreCmd is `herald connector restore ID`.
type ConnectorRestoreCmd struct {
	ID string `arg:"" help:"Connector id ('herald connector list' shows them)."`
}

// Run restores the connector.
func (c *ConnectorRestoreCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	cn, err := cl.RestoreConnector(ctx, c.ID)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(cn)
	}
	fmt.Fprintf(e.stdout, "Restored the %s connector: channels can add it again.\n\n", clean(cn.Name))
	return printConnector(e, cn)
}

// printConnector shows one catalog entry.
func printConnector(e *cliEnv, cn *client.Connector) error {
	w := e.table()
	fmt.Fprintf(w, "ID:\t%s\n", cell(cn.ID, 0))
	fmt.Fprintf(w, "Name:\t%s\n", cell(cn.Name, 0))
	fmt.Fprintf(w, "Kind:\t%s\n", cell(cn.Kind, 0))
	fmt.Fprintf(w, "Retired:\t%s\n", yesNo(cn.Retired))
	fmt.Fprintf(w, "Events:\t%s\n", cell(strings.Join(cn.Events, ", "), 0))
	fmt.Fprintf(w, "Description:\t%s\n", cell(cn.Description, 0))
	return w.Flush()
}

// ConnectorPreviewCmd is `herald connector preview --template FILE --sample
// FILE`.
type ConnectorPreviewCmd struct {
	Template string `name:"template" required:"" type:"existingfile" placeholder:"FILE" help:"JSON file of the card template: {\"title\",\"text\",\"link\",\"facts\":[{\"name\",\"value\"}]}, each a Go text/template over the body, such as {{.alert.name}}."`
	Sample   string `name:"sample" required:"" placeholder:"FILE" help:"JSON file of a body the service sends; - reads it from standard input."`
}

// maxSample bounds a sample body; webhook bodies Herald takes are smaller.
const maxSample = 1 << 20

// Run previews the template.
func (c *ConnectorPreviewCmd) Run(e *cliEnv) error {
	tmpl, err := readTemplate(c.Template)
	if err != nil {
		return err
	}
	sample, err := readSample(e, c.Sample)
	if err != nil {
		return err
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	p, err := cl.PreviewTemplate(ctx, *tmpl, sample)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(p)
	}
	fmt.Fprintf(e.stdout, "Summary: %s\n\nCard:\n", cell(p.Summary, 0))
	var card bytes.Buffer
	if err := json.Indent(&card, p.Card, "", "  "); err != nil {
		return fmt.Errorf("the server's card is not JSON: %w", err)
	}
	fmt.Fprintln(e.stdout, jsonSafe(card.String()))
	fmt.Fprintln(e.stdout, "\nAdd a connection with it: 'herald connection add --connector generic --template FILE --channel ID --name NAME'.")
	return nil
}

// ConnectionSetCmd is `herald connection set ID [--events E,...]
// [--branches B,...] [--secret-stdin | --clear-secret] [--template FILE]`,
// or for a feed `herald connection set ID [--feed-url URL] [--interval D]`.
// Only what is given changes.
type ConnectionSetCmd struct {
	ID          string         `arg:"" help:"Connection id ('herald connection list --channel ID' shows them)."`
	Events      *string        `name:"events" placeholder:"EVENT,..." help:"The events to post, names or prefixes such as push,pull_request; --events= posts them all."`
	Branches    *string        `name:"branches" placeholder:"BRANCH,..." help:"Post only events of these branches, names or globs such as main,release/*; --branches= posts every branch."`
	SecretStdin bool           `name:"secret-stdin" help:"Read a new webhook secret from standard input (one trailing newline is dropped)."`
	ClearSecret bool           `name:"clear-secret" help:"Remove the webhook secret: deliveries no longer need to prove where they come from."`
	Template    string         `name:"template" type:"existingfile" placeholder:"FILE" help:"Generic JSON connections: JSON file of the new card template ('herald connector preview' tries one)."`
	FeedURL     string         `name:"feed-url" placeholder:"URL" help:"Feed connections: the new address of the feed (http or https)."`
	Interval    *time.Duration `name:"interval" placeholder:"DURATION" help:"Feed connections: how often to poll the feed, 1m to 24h."`
}

// Run changes the settings.
func (c *ConnectionSetCmd) Run(e *cliEnv) error {
	feedFlags := c.FeedURL != "" || c.Interval != nil
	switch {
	case c.SecretStdin && c.ClearSecret:
		return errors.New("give either --secret-stdin or --clear-secret, not both")
	case c.Events == nil && c.Branches == nil && c.Template == "" && !c.SecretStdin && !c.ClearSecret && !feedFlags:
		return errors.New("nothing to change: give one or more of --events E,..., --branches B,..., --template FILE, --secret-stdin or --clear-secret; for a feed, --feed-url URL or --interval DURATION")
	case c.Interval != nil && *c.Interval <= 0:
		return fmt.Errorf("--interval %s: give how often to poll, such as 15m or 1h", c.Interval)
	}
	var tmpl *client.Template
	if c.Template != "" {
		var err error
		if tmpl, err = readTemplate(c.Template); err != nil {
			return err
		}
	}
	var u client.ConnectionSettings
	switch {
	case c.SecretStdin:
		secret, err := readSecret(e, "--secret-stdin")
		if err != nil {
			return err
		}
		u.Secret = &secret
	case c.ClearSecret:
		u.Secret = new(string)
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	if c.Events != nil || c.Branches != nil || tmpl != nil || feedFlags {
		// The API replaces the settings as a whole: start from the current
		// ones so that what is not given stays as it is.
		cur, err := cl.Connection(ctx, c.ID)
		if err != nil {
			return err
		}
		cfg := cur.Config
		if c.Events != nil {
			cfg.Events = splitList(*c.Events)
		}
		if c.Branches != nil {
			cfg.Branches = strings.TrimSpace(*c.Branches)
		}
		if tmpl != nil {
			cfg.Template = tmpl
		}
		if c.FeedURL != "" {
			cfg.URL = strings.TrimSpace(c.FeedURL)
		}
		if c.Interval != nil {
			d := client.Duration(*c.Interval)
			cfg.Interval = &d
		}
		u.Config = &cfg
	}
	conn, err := cl.UpdateConnectionSettings(ctx, c.ID, u)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(conn)
	}
	unchanged := "its webhook URLs are unchanged"
	if isFeed(conn) {
		unchanged = "Herald polls the feed with them at once"
	}
	fmt.Fprintf(e.stdout, "Changed the settings of connection %s %q; %s.\n", cell(conn.ID, 0), clean(conn.Name), unchanged)
	w := e.table()
	printSettings(w, conn)
	return w.Flush()
}

// ConnectionDeliveriesCmd is `herald connection deliveries ID [--limit N]`.
type ConnectionDeliveriesCmd struct {
	ID    string `arg:"" help:"Connection id ('herald connection list --channel ID' shows them)."`
	Limit int    `name:"limit" default:"20" placeholder:"N" help:"How many deliveries to show, newest first (Herald keeps the last 100)."`
}

// Run shows the delivery log.
func (c *ConnectionDeliveriesCmd) Run(e *cliEnv) error {
	if c.Limit < 1 {
		return errors.New("--limit must be at least 1")
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	defer cancel()
	list, err := cl.Deliveries(ctx, c.ID, c.Limit)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		return e.printJSON(map[string]any{"deliveries": nonNil(list)})
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "No deliveries yet: point the service's webhook at the connection's URL ('herald connection show ID' prints it).")
		return nil
	}
	w := e.table()
	fmt.Fprintln(w, "TIME\tEVENT\tOUTCOME\tMESSAGES\tSIZE\tREASON")
	for _, d := range list {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\n", when(d.At), cell(d.Event, 40), cell(d.Outcome, 0), d.Messages, size(d.Size), cell(d.Reason, 80))
	}
	return w.Flush()
}

// size formats a byte count for a person.
func size(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
}

// printSettings adds a third-party or feed connection's settings to a table
// of printConnection's shape.
func printSettings(w *tabwriter.Writer, conn *client.Connection) {
	if isFeed(conn) {
		printFeedSettings(w, conn)
		return
	}
	cfg := conn.Config
	events := "all"
	if len(cfg.Events) > 0 {
		events = cell(strings.Join(cfg.Events, ", "), 0)
	}
	branches := "all"
	if cfg.Branches != "" {
		branches = cell(cfg.Branches, 0)
	}
	secret := "not set: deliveries are not checked"
	if conn.SecretSet {
		secret = "set (not shown)"
	}
	fmt.Fprintf(w, "Events:\t%s\n", events)
	fmt.Fprintf(w, "Branches:\t%s\n", branches)
	if t := cfg.Template; t != nil {
		fmt.Fprintf(w, "Template:\ttitle %s\n", cell(t.Title, 80))
	}
	fmt.Fprintf(w, "Secret:\t%s\n", secret)
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var list []string
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			list = append(list, item)
		}
	}
	return list
}

// maxTemplateFile bounds a template file; the server caps templates far
// below it.
const maxTemplateFile = 256 << 10

// readTemplate reads a card template from a JSON file. Unknown fields are
// refused, so that a misspelt one is not silently dropped.
func readTemplate(name string) (*client.Template, error) {
	b, err := readFileLimited(name, maxTemplateFile)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var t client.Template
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("%s is not a template, a JSON object such as {\"title\":\"{{.check}} is {{.state}}\",\"text\":\"{{.output}}\"}: %w", name, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s holds more than one JSON value; give one template", name)
	}
	return &t, nil
}

// readSample reads a sample JSON body from a file, or standard input for "-".
func readSample(e *cliEnv, name string) (json.RawMessage, error) {
	var (
		b   []byte
		err error
	)
	if name == "-" {
		name = "standard input"
		b, err = io.ReadAll(io.LimitReader(e.stdin, maxSample+1))
		if err == nil && len(b) > maxSample {
			err = fmt.Errorf("over %d KB", maxSample>>10)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
	} else if b, err = readFileLimited(name, maxSample); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, fmt.Errorf("%s is empty; give a JSON body the service sends", name)
	}
	if !json.Valid(b) {
		return nil, fmt.Errorf("%s is not JSON; give a JSON body the service sends", name)
	}
	return json.RawMessage(b), nil
}

// readFileLimited reads a file of at most limit bytes.
func readFileLimited(name string, limit int64) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err // names the file
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is over %d KB", name, limit>>10)
	}
	return b, nil
}

// maxSecretInput bounds what --secret-stdin reads.
const maxSecretInput = 64 << 10

// readSecret reads a secret from standard input for flag: all of it, less
// one trailing newline ("\n" or "\r\n"). It never echoes it.
func readSecret(e *cliEnv, flag string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintln(e.stderr, "Type the secret, then Enter and Ctrl-D. It shows as you type; pipe it in where others can see your screen.")
		}
	}
	b, err := io.ReadAll(io.LimitReader(e.stdin, maxSecretInput+1))
	if err != nil {
		return "", fmt.Errorf("%s: reading standard input: %w", flag, err)
	}
	if len(b) > maxSecretInput {
		return "", fmt.Errorf("%s: standard input is over 64 KB; pipe in the secret alone", flag)
	}
	s := string(b)
	if p, ok := strings.CutSuffix(s, "\n"); ok {
		s = strings.TrimSuffix(p, "\r")
	}
	if s == "" {
		return "", fmt.Errorf("%s: standard input is empty; pipe the secret in", flag)
	}
	return s, nil
}

// jsonSafe makes indented JSON from the server safe to print: the control
// and bidirectional characters JSON lets through raw (they can only be in
// strings there) become \u escapes, so the JSON stays valid.
func jsonSafe(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r != '\n' && (unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r)) {
			fmt.Fprintf(&b, `\u%04x`, r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

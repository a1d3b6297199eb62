package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/alecthomas/kong"

	"github.com/heraldhq/herald/client"
)

// ClientFlags are the flags of every command that talks to a server.
type ClientFlags struct {
	URL   string `name:"url" default:"http://127.0.0.1:8080" env:"HERALD_URL" group:"client" help:"Base URL of the Herald server to manage."`
	Token string `name:"token" env:"HERALD_TOKEN" group:"client" placeholder:"TOKEN" help:"API token. Default: the one in ./herald-data/admin.token when that file exists."`
	JSON  bool   `name:"json" group:"client" help:"Print the API's JSON instead of tables."`
}

// defaultTokenFile is where a server started with the default --data keeps
// its admin's token.
var defaultTokenFile = filepath.Join("herald-data", "admin.token")

// requestTimeout bounds one command's API calls; --follow is exempt.
const requestTimeout = 30 * time.Second

// cliEnv is what client commands' Run methods are given.
type cliEnv struct {
	ctx    context.Context
	stdin  io.Reader // read only by commands that say so, such as --password-stdin
	stdout io.Writer
	stderr io.Writer
	flags  *ClientFlags
}

// errNoToken is reported when no token was given and none was found.
var errNoToken = errors.New("no API token: pass --token or set HERALD_TOKEN")

// client returns an API client for --url and --token.
func (e *cliEnv) client() (*client.Client, error) {
	token := strings.TrimSpace(e.flags.Token)
	if token == "" {
		// The token file is a secret: whether it was used is told nowhere.
		if b, err := os.ReadFile(defaultTokenFile); err == nil {
			token = strings.TrimSpace(string(b))
		}
	}
	if token == "" {
		return nil, errNoToken
	}
	c := client.New(e.flags.URL, token)
	c.UserAgent = "herald-cli"
	return c, nil
}

// call returns a context for one command's requests.
func (e *cliEnv) call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(e.ctx, requestTimeout)
}

// printJSON writes v indented, for --json.
func (e *cliEnv) printJSON(v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// table returns a tab-separated writer that aligns columns; Flush it.
func (e *cliEnv) table() *tabwriter.Writer {
	return tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
}

// exitError is how the kong.Exit hook leaves a parse (after --help, say).
type exitError struct{ code int }

// run is the whole program: it parses args, runs the command, prints an
// error as "herald: ..." and returns the exit status. ctx ends client
// commands (Ctrl-C in main).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runIO(ctx, args, os.Stdin, stdout, stderr)
}

// runIO is run with the standard input given, for the commands that read it.
func runIO(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	var cli CLI
	parser, err := kong.New(&cli,
		kong.Name("herald"),
		kong.Description("Herald: a self-hosted connector hub. Teams, channels and the connectors that post into them, compatible with Microsoft Teams incoming webhooks.\n\n"+
			"Commands other than serve manage a server over its API: --url (HERALD_URL) says where, --token (HERALD_TOKEN) who you are."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitError{code}) }),
		kong.ConfigureHelp(kong.HelpOptions{Compact: true}),
		kong.ExplicitGroups([]kong.Group{{Key: "client", Title: "Client flags (every command but serve):"}}),
	)
	if err != nil {
		fmt.Fprintln(stderr, "herald:", err)
		return 1
	}
	defer func() {
		if r := recover(); r != nil {
			ee, ok := r.(exitError)
			if !ok {
				panic(r)
			}
			code = ee.code
		}
	}()
	if len(args) == 0 {
		args = []string{"--help"} // a bare "herald" shows what it can do
	}
	kctx, err := parser.Parse(args)
	if err != nil {
		fmt.Fprintln(stderr, "herald:", err)
		if pe, ok := errors.AsType[*kong.ParseError](err); ok && pe.Context != nil {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", helpPath(pe.Context))
		}
		return 1
	}
	env := &cliEnv{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, flags: &cli.ClientFlags}
	if err := kctx.Run(env); err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return 0 // interrupted, as with Ctrl-C on --follow
		}
		reportError(stderr, err, cli.URL)
		return 1
	}
	return 0
}

// helpPath returns "herald team create" for the command being parsed.
func helpPath(kctx *kong.Context) string {
	words := []string{"herald"}
	for _, p := range kctx.Path {
		if p.Command != nil {
			words = append(words, p.Command.Name)
		}
	}
	return strings.Join(words, " ")
}

// reportError prints err for a person, with a hint for the usual mistakes.
// The error may carry the server's text, so it is cleaned like any other.
func reportError(w io.Writer, err error, serverURL string) {
	fmt.Fprintln(w, "herald:", clean(err.Error()))
	var apiErr *client.APIError
	var netErr *net.OpError
	switch {
	case errors.Is(err, errNoToken):
		fmt.Fprintln(w, "hint: the admin's token is in admin.token in the server's data directory, unless the server was started with HERALD_BOOTSTRAP_TOKEN.")
	case errors.As(err, &apiErr) && apiErr.Status == 401:
		fmt.Fprintln(w, "hint: the server does not accept this API token; check --token or HERALD_TOKEN.")
	case errors.As(err, &apiErr) && apiErr.Code == client.CodeConnectorRetired:
		fmt.Fprintln(w, "hint: 'herald connector list' shows which connectors are retired; an organization admin can bring one back with 'herald connector restore ID', or use --connector incoming-webhook or generic.")
	case errors.As(err, &apiErr) && apiErr.Status == 403:
		fmt.Fprintln(w, "hint: this API token is valid, but its user may not do this; the message says who may.")
	case errors.Is(err, context.DeadlineExceeded):
		fmt.Fprintf(w, "hint: the server at %s did not answer within %s.\n", serverURL, requestTimeout)
	case errors.As(err, &netErr):
		fmt.Fprintf(w, "hint: is a Herald server running at %s? Start one with 'herald serve', or point --url (HERALD_URL) at yours.\n", serverURL)
	}
}

// clean makes text from the server (names, message summaries, which come
// from whoever posts to a webhook) safe to print on one terminal line:
// control characters, escape sequences included, become spaces.
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// cell is clean for a table cell; it also caps the width.
func cell(s string, maxRunes int) string {
	s = clean(s)
	if r := []rune(s); maxRunes > 0 && len(r) > maxRunes {
		s = string(r[:maxRunes-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}

// when formats a server time for a person, in local time.
func when(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

// whenPtr is when for an optional time.
func whenPtr(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return when(*t)
}

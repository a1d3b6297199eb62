package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/card"
	"github.com/heraldhq/herald/ratelimit"
)

// ServeCmd is `herald serve`.
type ServeCmd struct {
	Addr       string `default:"127.0.0.1:8080" env:"HERALD_ADDR" help:"Address to listen on."`
	Data       string `default:"./herald-data" env:"HERALD_DATA" help:"Data directory: the SQLite database, the server key and admin.token."`
	BaseURL    string `name:"base-url" env:"HERALD_BASE_URL" help:"Public URL of this server, used in webhook URLs (default http://ADDR)."`
	DB         string `name:"db" env:"HERALD_DB" help:"postgres://user@host/db to store in PostgreSQL (several nodes may share it); default SQLite in --data."`
	ErrorMode  string `name:"error-mode" default:"strict" enum:"strict,teams-compat" env:"HERALD_ERROR_MODE" help:"strict: webhook failures get their real status (413, 429, ...). teams-compat: answered as Teams does, 200 with 'Webhook message delivery failed with error: ...'."`
	RateLimit  string `name:"rate-limit" default:"teams" env:"HERALD_RATE_LIMIT" help:"Per-webhook rate windows: 'teams' (4/1s,60/30s,100/1h,150/2h,1800/24h), 'off' (load tests), or your own like '10/1s,300/1m'."`
	MaxBody    int64  `name:"max-body" default:"28672" env:"HERALD_MAX_BODY" help:"Largest webhook body in bytes (Teams: 28 KB)."`
	SQLiteSync string `name:"sqlite-sync" default:"full" enum:"full,normal" env:"HERALD_SQLITE_SYNC" help:"SQLite synchronous mode: full (an answered message survives power loss) or normal (survives a crash of Herald, not of the machine)."`
	SecretKey  string `name:"secret-key" env:"HERALD_SECRET_KEY" help:"Server key (base64, 32 bytes) deriving webhook URL tokens; every node sharing a database needs the same. Default: DATA/secret.key, created on first start."`
	Cloud      string `name:"cloud" default:"commercial" enum:"commercial,gcc,gcch,dod" env:"HERALD_CLOUD" help:"Cloud profile, set when the store is first created: in gcc and gcch connectors start disabled; in gcc, gcch and dod custom connector apps are unavailable."`
	LogFormat  string `name:"log-format" default:"text" enum:"text,json" env:"HERALD_LOG_FORMAT" help:"Log format on standard error."`

	AllowPrivateNetworks bool `name:"allow-private-networks" env:"HERALD_ALLOW_PRIVATE_NETWORKS" help:"Let feeds and other outbound requests reach private, loopback and link-local addresses and any port. Off by default: they reach only public addresses on ports 80 and 443, so that a feed URL cannot probe the network Herald runs in. Turn it on for feeds on your own network (tests on loopback need it)."`
	PollWorkers          int  `name:"poll-workers" default:"64" env:"HERALD_POLL_WORKERS" help:"How many feeds this node polls at once."`

	DebugAddr string `name:"debug-addr" env:"HERALD_DEBUG_ADDR" help:"Also serve Go's profiler (/debug/pprof/) on this loopback address, e.g. 127.0.0.1:6060, apart from the API. It asks no login, so other addresses are refused. Off by default."`
}

// Run starts the server and blocks until SIGINT or SIGTERM, then shuts down
// gracefully.
func (c *ServeCmd) Run() error {
	if c.PollWorkers < 1 {
		return fmt.Errorf("--poll-workers %d: give how many feeds this node polls at once, at least 1", c.PollWorkers)
	}
	if c.DebugAddr != "" && !loopback(c.DebugAddr) {
		return fmt.Errorf("--debug-addr %s: give a loopback address such as 127.0.0.1:6060; the profiler asks no login", c.DebugAddr)
	}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if c.LogFormat == "json" {
		h = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(h)
	slog.SetDefault(log)

	var windows []ratelimit.Window
	switch c.RateLimit {
	case "off":
	case "teams", "":
		windows = ratelimit.Teams
	default:
		var err error
		if windows, err = ratelimit.Parse(c.RateLimit); err != nil {
			return fmt.Errorf("--rate-limit: %w", err)
		}
	}
	if c.MaxBody < 1 {
		c.MaxBody = card.MaxBodyBytes
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Open(ctx, app.Config{
		Addr:           c.Addr,
		DataDir:        c.Data,
		BaseURL:        c.BaseURL,
		DB:             c.DB,
		ErrorMode:      c.ErrorMode,
		RateLimit:      windows,
		MaxBody:        c.MaxBody,
		SQLiteSync:     c.SQLiteSync,
		SecretKey:      c.SecretKey,
		BootstrapToken: os.Getenv("HERALD_BOOTSTRAP_TOKEN"),
		Cloud:          c.Cloud,
		Logger:         log,

		AllowPrivateNetworks: c.AllowPrivateNetworks,
		PollWorkers:          c.PollWorkers,
	})
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	if c.DebugAddr != "" {
		dln, err := net.Listen("tcp", c.DebugAddr)
		if err != nil {
			return fmt.Errorf("--debug-addr: %w", err)
		}
		defer dln.Close()
		go serveDebug(dln, log)
		log.Info("profiler is listening", "url", "http://"+dln.Addr().String()+"/debug/pprof/")
	}
	log.Info("herald is listening", "url", a.BaseURL(), "store", a.Store.Dialect(), "rate_limit", c.RateLimit, "error_mode", c.ErrorMode,
		"poll_workers", c.PollWorkers, "allow_private_networks", c.AllowPrivateNetworks)
	err = a.Serve(ctx, ln)
	log.Info("herald stopped")
	return err
}

// loopback reports whether addr (host:port) names this machine's loopback
// interface only.
func loopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// serveDebug serves Go's profiler on its own listener and mux, so that the
// API's address never exposes it. It stops when ln is closed.
func serveDebug(ln net.Listener, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
		log.Warn("profiler stopped", "error", err)
	}
}

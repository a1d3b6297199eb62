// Package app assembles a Herald node from its configuration: the store, the
// webhook write path, the live fan-out and the HTTP server. cmd/herald runs
// it; end-to-end tests start it on a random port.
package app

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/cluster"
	"github.com/heraldhq/herald/httpapi"
	"github.com/heraldhq/herald/ingest"
	"github.com/heraldhq/herald/live"
	"github.com/heraldhq/herald/outbound"
	"github.com/heraldhq/herald/policy"
	"github.com/heraldhq/herald/poll"
	"github.com/heraldhq/herald/ratelimit"
	"github.com/heraldhq/herald/store"
	"github.com/heraldhq/herald/web"
	"github.com/heraldhq/herald/webhookurl"
)

// Config is everything `herald serve` can be told.
type Config struct {
	Addr    string // listen address, e.g. 127.0.0.1:8080
	DataDir string // SQLite database, server key and admin token file
	BaseURL string // public base URL for webhook URLs; default http://{Addr}
	DB      string // postgres://... to use PostgreSQL; empty for SQLite in DataDir

	ErrorMode  string             // httpapi.ErrorModeStrict or ErrorModeTeamsCompat
	RateLimit  []ratelimit.Window // nil: rate limiting off
	MaxBody    int64              // webhook body limit in bytes
	SQLiteSync string             // "full" or "normal"
	SecretKey  string             // base64 server key; default: DataDir/secret.key

	// AllowPrivateNetworks lets feeds (and every other outbound request)
	// reach private, loopback and link-local addresses and any port.
	AllowPrivateNetworks bool
	PollWorkers          int // polls at once on this node; default poll.DefaultWorkers (64)

	BootstrapToken string // the first admin's API token; default: generated
	Cloud          string // cloud profile set at bootstrap: commercial (default), gcc, gcch, dod
	Logger         *slog.Logger
	Now            func() time.Time
}

// App is a running Herald node.
type App struct {
	cfg     Config
	Store   *store.Store
	Hub     *live.Hub
	Ingest  *ingest.Service
	API     *httpapi.Server
	Poller  *poll.Poller
	log     *slog.Logger
	srv     *http.Server
	bus     *cluster.Bus // nil on SQLite: one node
	stopBus context.CancelFunc
	busDone chan struct{}
}

// Open prepares a node: opens and migrates the store, bootstraps an empty
// one, and builds the HTTP handler. It does not listen yet.
func Open(ctx context.Context, cfg Config) (*App, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "herald-data"
	}
	if cfg.Cloud == "" {
		cfg.Cloud = policy.Commercial
	}
	if !policy.ValidCloud(cfg.Cloud) {
		return nil, fmt.Errorf("cloud profile %q: want commercial, gcc, gcch or dod", cfg.Cloud)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	keys, err := loadKey(cfg)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, Hub: live.NewHub(), log: cfg.Logger}
	dsn := cfg.DB
	if dsn == "" {
		dsn = filepath.Join(cfg.DataDir, "herald.db")
	}
	opts := store.Options{
		SQLiteSync: cfg.SQLiteSync,
		Now:        cfg.Now,
		OnCommit: func(msgs []*herald.Message) {
			for _, m := range msgs {
				a.Hub.Publish(m)
			}
		},
	}
	if isPostgres(dsn) {
		// Nodes sharing PostgreSQL tell each other of new messages in the
		// transaction that stores them.
		a.bus = cluster.New(herald.NewUUID()[:8], cfg.Logger)
		opts.Notify = func(ctx context.Context, tx *sql.Tx, msgs []*herald.Message) error {
			ids := make([]int64, len(msgs))
			for i, m := range msgs {
				ids[i] = m.ID
			}
			return a.bus.SendIDs(ctx, tx, cluster.KindMessages, ids)
		}
	}
	a.Store, err = store.Open(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	if err := a.bootstrap(ctx); err != nil {
		a.Store.Close()
		return nil, err
	}
	var limiter ratelimit.Limiter
	if cfg.RateLimit != nil {
		if a.Store.Dialect() == store.Postgres {
			limiter = a.Store.RateLimiter(cfg.RateLimit) // shared by every node
		} else {
			limiter = ratelimit.NewMemory(cfg.RateLimit) // SQLite: one node
		}
	}
	inOpts := ingest.Options{MaxBody: cfg.MaxBody, Limiter: limiter, Keys: keys, Now: cfg.Now, Logger: cfg.Logger}
	if a.bus != nil {
		inOpts.Broadcast = func(ctx context.Context, id string) error {
			return a.bus.Send(ctx, a.Store.DB(), cluster.KindConnection, id)
		}
		inOpts.BroadcastPolicy = func(ctx context.Context, scope string) error {
			return a.bus.Send(ctx, a.Store.DB(), cluster.KindPolicy, scope)
		}
	}
	a.Ingest = ingest.New(a.Store, inOpts)
	if err := a.Ingest.LoadPolicy(ctx); err != nil {
		a.Store.Close()
		return nil, err
	}
	if a.bus != nil {
		if err := a.listen(dsn); err != nil {
			a.Store.Close()
			return nil, err
		}
	}
	a.Poller, err = poll.New(ctx, a.Store, poll.Options{
		Client:  outbound.New(outbound.Options{AllowPrivate: cfg.AllowPrivateNetworks}),
		Allow:   a.Ingest.Polling,
		Workers: cfg.PollWorkers,
		Logger:  cfg.Logger,
		Now:     cfg.Now,
	})
	if err == nil {
		err = a.Poller.Start(context.Background())
	}
	if err != nil {
		a.closeBus()
		a.Store.Close()
		return nil, err
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + cfg.Addr
	}
	ui := web.New(web.Config{Logger: cfg.Logger})
	a.API = httpapi.New(httpapi.Config{BaseURL: cfg.BaseURL, ErrorMode: cfg.ErrorMode, Logger: cfg.Logger, Now: cfg.Now, Web: ui, Poller: a.Poller},
		a.Store, a.Ingest, a.Hub, keys)
	a.cfg = cfg
	return a, nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// listen starts receiving the other nodes' events and waits until this node
// listens, so that nothing committed after Open returns is missed.
func (a *App) listen(dsn string) error {
	a.bus.Handle(cluster.KindMessages, func(ctx context.Context, data []string) {
		ids := make([]int64, 0, len(data))
		for _, d := range data {
			if id, err := strconv.ParseInt(d, 10, 64); err == nil {
				ids = append(ids, id)
			}
		}
		msgs, err := a.Store.MessagesByID(ctx, ids)
		if err != nil {
			a.log.Warn("cluster: load messages from another node", "error", err)
			return // followers catch up from the store on the next message
		}
		for _, m := range msgs {
			a.Hub.Publish(m)
		}
	})
	a.bus.Handle(cluster.KindConnection, func(_ context.Context, ids []string) {
		for _, id := range ids {
			a.Ingest.Forget(id)
		}
	})
	a.bus.Handle(cluster.KindPolicy, func(ctx context.Context, scopes []string) {
		for _, scope := range scopes {
			if err := a.Ingest.ReloadPolicy(ctx, scope); err != nil {
				a.log.Error("cluster: reload switches changed on another node", "scope", scope, "error", err)
			}
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan struct{})
	a.stopBus, a.busDone = cancel, make(chan struct{})
	go func() {
		defer close(a.busDone)
		a.bus.Listen(ctx, dsn, ready)
	}()
	select {
	case <-ready:
		return nil
	case <-time.After(15 * time.Second):
		cancel()
		<-a.busDone
		return errors.New("cluster: could not LISTEN on PostgreSQL within 15 s")
	}
}

// loadKey returns the server key that derives webhook URL tokens: from the
// configuration, else from DataDir/secret.key, created on first start.
func loadKey(cfg Config) (*webhookurl.Keyring, error) {
	if cfg.SecretKey != "" {
		k, err := webhookurl.DecodeKey(cfg.SecretKey)
		if err != nil {
			return nil, fmt.Errorf("--secret-key: %w", err)
		}
		return webhookurl.NewKeyring(k)
	}
	path := filepath.Join(cfg.DataDir, "secret.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		k := webhookurl.NewKey()
		if err := writeSecret(path, webhookurl.EncodeKey(k)+"\n"); err != nil {
			return nil, err
		}
		return webhookurl.NewKeyring(k)
	} else if err != nil {
		return nil, fmt.Errorf("read server key: %w", err)
	}
	k, err := webhookurl.DecodeKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return webhookurl.NewKeyring(k)
}

// writeSecret creates a file only its owner can read; it never overwrites.
func writeSecret(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// bootstrap creates the organization and its admin on an empty store. The
// admin's token is HERALD_BOOTSTRAP_TOKEN when given, else a generated one
// written to DataDir/admin.token; it is printed nowhere.
func (a *App) bootstrap(ctx context.Context) error {
	token := a.cfg.BootstrapToken
	generated := token == ""
	if generated {
		token = "hrd_" + herald.NewToken(herald.SlackAlphabet, 40)
	}
	d := policy.DefaultOrg(a.cfg.Cloud)
	org := &herald.Org{ID: herald.NewUUID(), Name: "Herald", Cloud: a.cfg.Cloud, OrgSettings: herald.OrgSettings{
		ConnectorsEnabled:                   d.ConnectorsEnabled,
		ConnectorsEnabledForTeams:           d.ConnectorsEnabledForTeams,
		ConnectorsEnabledForOutlook:         d.ConnectorsEnabledForOutlook,
		ConnectorsActionableMessagesEnabled: d.ConnectorsActionableMessagesEnabled,
	}}
	admin := &herald.User{ID: herald.NewUUID(), Name: "admin"}
	created, err := a.Store.Bootstrap(ctx, org, admin, webhookurl.Hash(token))
	if err != nil {
		return err
	}
	if !created {
		if cur, err := a.Store.Org(ctx); err == nil && cur.Cloud != a.cfg.Cloud && a.cfg.Cloud != policy.Commercial {
			a.log.Warn("the cloud profile is set when the store is first created; this store's stays", "store", cur.Cloud, "asked", a.cfg.Cloud)
		}
		return nil
	}
	if generated {
		path := filepath.Join(a.cfg.DataDir, "admin.token")
		os.Remove(path) // a token file left from an earlier, deleted store
		if err := writeSecret(path, token+"\n"); err != nil {
			return err
		}
		a.log.Info("created the organization and its admin; the admin's API token is in " + path)
	} else {
		a.log.Info("created the organization and its admin with the token from HERALD_BOOTSTRAP_TOKEN")
	}
	return nil
}

// Handler returns the node's HTTP handler.
func (a *App) Handler() http.Handler { return a.API }

// Serve answers HTTP on ln until ctx is done, then shuts down gracefully:
// requests already accepted finish (and their messages are committed)
// before it returns.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	a.srv = &http.Server{
		Handler:           a.API,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		// No WriteTimeout: it would cut live streams; they set their own
		// per-write deadlines.
		ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn),
	}
	a.srv.RegisterOnShutdown(a.API.Shutdown)
	errc := make(chan error, 1)
	go func() { errc <- a.srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := a.srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) {
		err = errors.Join(err, e)
	}
	return err
}

// Close stops polling (polls in progress finish, within 10 s) and releases
// the store after pending messages are committed.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.Poller.Stop(ctx)
	a.closeBus()
	return errors.Join(err, a.Store.Close())
}

func (a *App) closeBus() {
	if a.stopBus != nil {
		a.stopBus()
		<-a.busDone
		a.stopBus = nil
	}
}

// BaseURL returns the base URL webhook URLs are built on.
func (a *App) BaseURL() string { return strings.TrimRight(a.cfg.BaseURL, "/") }

package main

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/heraldhq/herald/bench/internal/benchkit"
)

// server is one target process: Herald or the bare baseline.
type server struct {
	*benchkit.Process
	path      string // the webhook path to POST to
	dir       string // the process's own directory (data, log)
	channelID string // Herald only: the channel the webhook posts to
	debugAddr string // Herald only: its profiler's address, when asked for
}

// startServer starts a target process (see benchkit.StartProcess).
func startServer(name, bin string, args, env []string, addr, logFile string) (*server, error) {
	p, err := benchkit.StartProcess(name, bin, args, env, addr, logFile)
	if err != nil {
		return nil, err
	}
	return &server{Process: p}, nil
}

// api calls Herald's JSON API as the bootstrap admin and decodes the answer
// into out, expecting status want.
func (s *server) api(method, path string, in, out any, want int) error {
	a := benchkit.API{Addr: s.Addr, Client: &http.Client{Timeout: 30 * time.Second}}
	return a.Call(method, path, in, out, want)
}

// heraldOptions are the Herald settings under test.
type heraldOptions struct {
	bin  string
	sync string // SQLite synchronous mode: full or normal
	db   string // postgres://... or "" for SQLite in the data directory
	// debug starts Herald's profiler (--debug-addr) on a free port.
	debug bool
}

// startHerald starts Herald on a fresh data directory under dir, creates a
// team and an incoming webhook in its General channel, and returns the
// server with the webhook's path.
func startHerald(o heraldOptions, dir string) (*server, error) {
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	data, err := os.MkdirTemp(dir, "herald-data-")
	if err != nil {
		return nil, err
	}
	args := []string{"serve", "--addr", addr, "--data", data, "--rate-limit", "off", "--sqlite-sync", o.sync, "--log-format", "text"}
	if o.db != "" {
		args = append(args, "--db", o.db)
	}
	var debugAddr string
	if o.debug {
		if debugAddr, err = benchkit.FreeAddr(); err != nil {
			return nil, err
		}
		args = append(args, "--debug-addr", debugAddr)
	}
	s, err := startServer("herald", o.bin, args, benchkit.ChildEnv("HERALD_BOOTSTRAP_TOKEN="+benchkit.BootstrapToken), addr, filepath.Join(data, "herald.log"))
	if err != nil {
		return nil, err
	}
	s.dir, s.debugAddr = data, debugAddr
	if err := s.setupWebhook(); err != nil {
		s.Stop()
		return nil, fmt.Errorf("herald: set up a webhook: %w\nherald log:\n%s", err, benchkit.Tail(s.Log, 20))
	}
	return s, nil
}

func (s *server) setupWebhook() error {
	var team struct {
		ID string `json:"id"`
	}
	if err := s.api("POST", "/api/v1/teams", map[string]string{"name": "bench"}, &team, http.StatusCreated); err != nil {
		return err
	}
	var chans struct {
		Channels []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"channels"`
	}
	if err := s.api("GET", "/api/v1/teams/"+url.PathEscape(team.ID)+"/channels", nil, &chans, http.StatusOK); err != nil {
		return err
	}
	if len(chans.Channels) == 0 {
		return errors.New("the new team has no channel")
	}
	s.channelID = chans.Channels[0].ID
	for _, c := range chans.Channels {
		if c.Name == "General" {
			s.channelID = c.ID
		}
	}
	var conn struct {
		WebhookURL string `json:"webhook_url"`
	}
	if err := s.api("POST", "/api/v1/channels/"+url.PathEscape(s.channelID)+"/connections",
		map[string]string{"connector": "incoming-webhook", "name": "bench"}, &conn, http.StatusCreated); err != nil {
		return err
	}
	u, err := url.Parse(conn.WebhookURL)
	if err != nil || u.Path == "" {
		return fmt.Errorf("unusable webhook_url %q", conn.WebhookURL)
	}
	s.path = u.EscapedPath()
	return nil
}

// messageCount returns the channel's message_count as Herald reports it.
func (s *server) messageCount() (int64, error) {
	var ch struct {
		MessageCount int64 `json:"message_count"`
	}
	err := s.api("GET", "/api/v1/channels/"+url.PathEscape(s.channelID), nil, &ch, http.StatusOK)
	return ch.MessageCount, err
}

// bareRoleEnv, when set in the environment, makes this binary run the bare
// baseline server instead of the benchmark (see runBare).
const bareRoleEnv = "HERALD_BENCH_ROLE"

// startBare re-executes this program as the bare baseline server, a
// separate process like Herald. Its webhook path has Herald's shape.
func startBare(dir string) (*server, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := benchkit.FreeAddr()
	if err != nil {
		return nil, err
	}
	logDir, err := os.MkdirTemp(dir, "bare-")
	if err != nil {
		return nil, err
	}
	s, err := startServer("bare", self, []string{addr}, benchkit.ChildEnv(bareRoleEnv+"=bare"), addr, filepath.Join(logDir, "bare.log"))
	if err != nil {
		return nil, err
	}
	s.dir = logDir
	s.path = "/webhookb2/00000000-0000-0000-0000-000000000000@00000000-0000-0000-0000-000000000000/IncomingWebhook/00000000000000000000000000000000/00000000-0000-0000-0000-000000000000/V2bench"
	return s, nil
}

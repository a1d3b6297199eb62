// Package testserver runs a real Herald node for tests: on a random
// loopback port, on a fresh data directory, until the test ends.
package testserver

import (
	"context"
	"log/slog"
	"net"
	"testing"

	"github.com/heraldhq/herald/app"
)

// Server is a running node.
type Server struct {
	URL string
	App *app.App
}

// Start runs a node with cfg until the test ends. Addr and BaseURL are
// set to the random port; DataDir defaults to a temporary directory and
// Logger to one that discards.
func Start(t testing.TB, cfg app.Config) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = ln.Addr().String()
	cfg.BaseURL = "http://" + cfg.Addr
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, cfg)
	if err != nil {
		cancel()
		ln.Close()
		t.Fatalf("app.Open: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		if err := a.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return &Server{URL: cfg.BaseURL, App: a}
}

// Package e2e holds tests that run the herald binary as a separate process.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/testenv"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "herald-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "herald")
	out, err := exec.Command("go", "build", "-o", binary, "../../cmd/herald").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build herald: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const token = "e2e-admin-token"

type server struct {
	t   *testing.T
	cmd *exec.Cmd
	url string
	log *bytes.Buffer
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	testenv.Must(t, err, "listen")
	defer ln.Close()
	return ln.Addr().String()
}

// run starts `herald serve` and waits until it is ready.
func run(t *testing.T, args ...string) *server {
	t.Helper()
	addr := freeAddr(t)
	cmd := exec.Command(binary, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = append(os.Environ(), "HERALD_BOOTSTRAP_TOKEN="+token)
	s := &server{t: t, cmd: cmd, url: "http://" + addr, log: new(bytes.Buffer)}
	cmd.Stdout, cmd.Stderr = s.log, s.log
	testenv.Must(t, cmd.Start(), "start herald")
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(s.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("herald did not become ready: %v\n%s", err, s.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) api(method, path string, body any, out any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.url+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	testenv.Must(s.t, err, method, path)
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		s.t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out != nil {
		testenv.Must(s.t, json.NewDecoder(resp.Body).Decode(out), "decode")
	}
}

// summaries returns the summary of every message in a channel.
func (s *server) summaries(channel string) map[string]bool {
	seen := map[string]bool{}
	before := ""
	for {
		var page struct {
			Messages []struct {
				ID      int64
				Summary string
			}
		}
		s.api("GET", "/api/v1/channels/"+channel+"/messages?limit=200"+before, nil, &page)
		for _, m := range page.Messages {
			seen[m.Summary] = true
		}
		if len(page.Messages) < 200 {
			return seen
		}
		before = "&before=" + strconv.FormatInt(page.Messages[len(page.Messages)-1].ID, 10)
	}
}

// load posts from many clients until stop is closed or the server is gone,
// and returns the texts of the posts answered "1".
func load(t *testing.T, url string, clients int, enough int, stop func(acked int)) []string {
	var mu sync.Mutex
	var acked []string
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tr := &http.Transport{MaxIdleConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	var wg sync.WaitGroup
	for g := range clients {
		wg.Go(func() {
			hc := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			for i := 0; ctx.Err() == nil; i++ {
				text := fmt.Sprintf("m-%d-%d", g, i)
				resp, err := hc.Post(url, "application/json", bytes.NewBufferString(`{"text":"`+text+`"}`))
				if err != nil {
					return // the server is gone
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode == 200 && string(b) == "1" {
					mu.Lock()
					acked = append(acked, text)
					mu.Unlock()
				}
			}
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= enough || time.Now().After(deadline) {
			stop(n)
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	return acked
}

// webhook creates a team and an Incoming Webhook, and returns the channel
// and the URL.
func (s *server) webhook() (channel, url string) {
	var team struct{ ID string }
	s.api("POST", "/api/v1/teams", map[string]string{"name": "Durable"}, &team)
	var chans struct{ Channels []struct{ ID string } }
	s.api("GET", "/api/v1/teams/"+team.ID+"/channels", nil, &chans)
	var conn struct {
		WebhookURL string `json:"webhook_url"`
	}
	s.api("POST", "/api/v1/channels/"+chans.Channels[0].ID+"/connections", map[string]string{"connector": "incoming-webhook", "name": "load"}, &conn)
	return chans.Channels[0].ID, conn.WebhookURL
}

// checkStored fails the test for every acked text not stored in channel.
func checkStored(t *testing.T, s *server, channel string, acked []string) {
	t.Helper()
	stored := s.summaries(channel)
	var lost int
	for _, text := range acked {
		if !stored[text] {
			lost++
			if lost <= 5 {
				t.Errorf("message %q was answered 1 but is not stored", text)
			}
		}
	}
	if lost > 0 {
		t.Fatalf("%d of %d answered messages lost", lost, len(acked))
	}
}

// TestKillUnderLoad posts from many clients, kills Herald with SIGKILL in
// the middle, restarts it on the same store, and checks that every message
// it answered "1" for is there.
func TestKillUnderLoad(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			args := []string{"--data", t.TempDir(), "--rate-limit", "off"}
			if db == "postgres" {
				args = append(args, "--db", testenv.Postgres(t))
			}
			s := run(t, args...)
			ch, url := s.webhook()
			acked := load(t, url, 16, 3000, func(int) {
				testenv.Must(t, s.cmd.Process.Signal(syscall.SIGKILL), "kill")
				s.cmd.Wait()
			})
			if len(acked) < 100 {
				t.Fatalf("only %d posts were answered before the kill", len(acked))
			}
			checkStored(t, run(t, args...), ch, acked)
			t.Logf("%s: %d posts answered before SIGKILL, all stored", db, len(acked))
		})
	}
}

// TestGracefulShutdown sends SIGTERM under load: Herald must finish the
// posts it accepted (each answered "1" is stored), then exit 0.
func TestGracefulShutdown(t *testing.T) {
	args := []string{"--data", t.TempDir(), "--rate-limit", "off"}
	s := run(t, args...)
	ch, url := s.webhook()
	var exitErr error
	acked := load(t, url, 16, 1000, func(int) {
		testenv.Must(t, s.cmd.Process.Signal(syscall.SIGTERM), "SIGTERM")
		done := make(chan error, 1)
		go func() { done <- s.cmd.Wait() }()
		select {
		case exitErr = <-done:
		case <-time.After(30 * time.Second):
			t.Fatal("herald did not exit within 30 s of SIGTERM")
		}
	})
	if exitErr != nil {
		t.Fatalf("herald exited with %v after SIGTERM\n%s", exitErr, s.log)
	}
	checkStored(t, run(t, args...), ch, acked)
	t.Logf("%d posts answered before and during the shutdown, all stored", len(acked))
}

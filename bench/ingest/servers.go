package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// server is one target process: Herald or the bare baseline.
type server struct {
	name string
	addr string // host:port on loopback
	path string // the webhook path to POST to
	cmd  *exec.Cmd
	log  string // file holding the process's standard output and error

	exited    chan struct{} // closed when the process has exited
	dir       string        // the process's own directory (data, log)
	channelID string        // Herald only: the channel the webhook posts to
}

func (s *server) pid() int { return s.cmd.Process.Pid }

// stop sends SIGTERM (Herald shuts down gracefully, committing what is
// queued) and kills the process if it has not exited within 30 s.
func (s *server) stop() {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// moduleRoot returns the directory of the Herald module (where go.mod is),
// as the go command sees it from the working directory.
func moduleRoot(goBin string) (string, error) {
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run the benchmark from inside the Herald module (go run ./bench/ingest from the repository root)")
	}
	return filepath.Dir(mod), nil
}

// buildHerald compiles ./cmd/herald into dir and returns the binary's path.
func buildHerald(goBin, root, dir string) (string, error) {
	bin := filepath.Join(dir, "herald")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/herald")
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/herald: %w\n%s", err, stderr.String())
	}
	return bin, nil
}

// childEnv is the environment for a server: ours without HERALD_* variables,
// which Herald would otherwise read as settings, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HERALD_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// startProcess runs bin with args, logs its standard output and error to
// logFile, and waits until GET /healthz on addr answers 200.
func startProcess(name, bin string, args, env []string, addr, logFile string) (*server, error) {
	lf, err := os.Create(logFile)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = lf, lf
	dieWithParent(cmd)
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	s := &server{name: name, addr: addr, cmd: cmd, log: logFile, exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		lf.Close()
		close(s.exited)
	}()
	c := &http.Client{Timeout: time.Second}
	for start := time.Now(); time.Since(start) < 60*time.Second; time.Sleep(50 * time.Millisecond) {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("%s exited during start-up (%v); its log:\n%s", name, cmd.ProcessState, tail(logFile, 30))
		default:
		}
		resp, err := c.Get("http://" + addr + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("%s did not answer /healthz within 60 s; its log:\n%s", name, tail(logFile, 30))
}

// tail returns the last n lines of a file, for error messages.
func tail(file string, n int) string {
	b, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  | " + strings.Join(lines, "\n  | ")
}

const bootstrapToken = "bench-admin-token"

// heraldOptions are the Herald settings under test.
type heraldOptions struct {
	bin  string
	sync string // SQLite synchronous mode: full or normal
	db   string // postgres://... or "" for SQLite in the data directory
}

// startHerald starts Herald on a fresh data directory under dir, creates a
// team and an incoming webhook in its General channel, and returns the
// server with the webhook's path.
func startHerald(o heraldOptions, dir string) (*server, error) {
	addr, err := freeAddr()
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
	s, err := startProcess("herald", o.bin, args, childEnv("HERALD_BOOTSTRAP_TOKEN="+bootstrapToken), addr, filepath.Join(data, "herald.log"))
	if err != nil {
		return nil, err
	}
	s.dir = data
	if err := s.setupWebhook(); err != nil {
		s.stop()
		return nil, fmt.Errorf("herald: set up a webhook: %w\nherald log:\n%s", err, tail(s.log, 20))
	}
	return s, nil
}

// api calls Herald's JSON API as the bootstrap admin and decodes the answer
// into out, expecting status want.
func (s *server) api(method, path string, in, out any, want int) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+s.addr+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+bootstrapToken)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
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
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logDir, err := os.MkdirTemp(dir, "bare-")
	if err != nil {
		return nil, err
	}
	s, err := startProcess("bare", self, []string{addr}, childEnv(bareRoleEnv+"=bare"), addr, filepath.Join(logDir, "bare.log"))
	if err != nil {
		return nil, err
	}
	s.dir = logDir
	s.path = "/webhookb2/00000000-0000-0000-0000-000000000000@00000000-0000-0000-0000-000000000000/IncomingWebhook/00000000000000000000000000000000/00000000-0000-0000-0000-000000000000/V2bench"
	return s, nil
}

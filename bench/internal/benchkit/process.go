package benchkit

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// Process is a server the benchmark runs as a child: Herald or a baseline.
type Process struct {
	Name   string
	Addr   string // host:port on loopback
	Cmd    *exec.Cmd
	Log    string        // file holding the process's standard output and error
	Exited chan struct{} // closed when the process has exited
}

// Pid is the process id.
func (p *Process) Pid() int { return p.Cmd.Process.Pid }

// Stop sends SIGTERM (Herald shuts down gracefully, finishing its work and
// committing what is queued) and kills the process if it has not exited
// within 30 s.
func (p *Process) Stop() {
	if p == nil || p.Cmd == nil || p.Cmd.Process == nil {
		return
	}
	select {
	case <-p.Exited:
		return
	default:
	}
	p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.Exited:
	case <-time.After(30 * time.Second):
		p.Cmd.Process.Kill()
		<-p.Exited
	}
}

// StartProcess runs bin with args and env, logs its standard output and
// error to logFile, and waits until GET /healthz on addr answers 200.
func StartProcess(name, bin string, args, env []string, addr, logFile string) (*Process, error) {
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
	p := &Process{Name: name, Addr: addr, Cmd: cmd, Log: logFile, Exited: make(chan struct{})}
	go func() {
		cmd.Wait()
		lf.Close()
		close(p.Exited)
	}()
	c := &http.Client{Timeout: time.Second}
	for start := time.Now(); time.Since(start) < 60*time.Second; time.Sleep(50 * time.Millisecond) {
		select {
		case <-p.Exited:
			return nil, fmt.Errorf("%s exited during start-up (%v); its log:\n%s", name, cmd.ProcessState, Tail(logFile, 30))
		default:
		}
		resp, err := c.Get("http://" + addr + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
	}
	p.Stop()
	return nil, fmt.Errorf("%s did not answer /healthz within 60 s; its log:\n%s", name, Tail(logFile, 30))
}

// FreeAddr returns a loopback address with a port nobody listens on now.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// ChildEnv is the environment for a server: ours without HERALD_* variables,
// which Herald would otherwise read as settings, plus extra.
func ChildEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HERALD_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// Tail returns the last n lines of a file, for error messages.
func Tail(file string, n int) string {
	b, _ := os.ReadFile(file)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  | " + strings.Join(lines, "\n  | ")
}

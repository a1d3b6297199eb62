package e2e

import (
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/testenv"
)

// --debug-addr serves Go's profiler on its own loopback listener, never on
// the API's address, and refuses an address other machines could reach.
func TestDebugAddr(t *testing.T) {
	debug := freeAddr(t)
	s := run(t, "--data", t.TempDir(), "--debug-addr", debug)

	resp, err := http.Get("http://" + debug + "/debug/pprof/cmdline")
	testenv.Must(t, err, "GET the profiler")
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "--debug-addr") {
		t.Fatalf("profiler on %s: %d %q", debug, resp.StatusCode, body)
	}

	resp, err = http.Get(s.url + "/debug/pprof/cmdline")
	testenv.Must(t, err, "GET the API address")
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Fatalf("the API's address serves the profiler too")
	}

	out, err := exec.Command(binary, "serve", "--data", t.TempDir(), "--addr", freeAddr(t), "--debug-addr", "0.0.0.0:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--debug-addr 0.0.0.0:0: give a loopback address") {
		t.Fatalf("serve --debug-addr 0.0.0.0:0: %v\n%s", err, out)
	}
}

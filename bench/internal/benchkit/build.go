package benchkit

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// moduleRoot returns the directory of the Herald module (where go.mod is),
// as the go command sees it from the working directory. self is the
// benchmark's package path (./bench/poll), for the error message.
func moduleRoot(goBin, self string) (string, error) {
	out, err := exec.Command(goBin, "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", fmt.Errorf("run the benchmark from inside the Herald module (go run %s from the repository root)", self)
	}
	return filepath.Dir(mod), nil
}

// buildHerald compiles ./cmd/herald of root into dir and returns the
// binary's path.
func buildHerald(goBin, root, dir string) (string, error) {
	bin := filepath.Join(dir, "herald")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/herald")
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build ./cmd/herald: %w\n%s", err, out.String())
	}
	return bin, nil
}

// gitRevision describes the checkout in dir (git describe --always
// --dirty), or "" when it cannot.
func gitRevision(dir string) string {
	out, err := exec.Command("git", "-C", dir, "describe", "--always", "--dirty").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// exportRevision extracts the committed tree of rev (git archive, which
// leaves the working tree and the repository untouched) under tmp and
// returns its directory and the commit's short id, so that a revision can be
// measured while the working tree is being edited.
func exportRevision(root, rev, tmp string) (dir, id string, err error) {
	out, err := exec.Command("git", "-C", root, "rev-parse", "--short", rev+"^{commit}").Output()
	if err != nil {
		return "", "", fmt.Errorf("git rev-parse %s: %v", rev, err)
	}
	id = strings.TrimSpace(string(out))
	dir = filepath.Join(tmp, "src")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	tarFile := filepath.Join(tmp, "src.tar")
	if out, err := exec.Command("git", "-C", root, "archive", "--format=tar", "-o", tarFile, id).CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("git archive %s: %v: %s", rev, err, out)
	}
	if out, err := exec.Command("tar", "-xf", tarFile, "-C", dir).CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("extract %s: %v: %s", rev, err, out)
	}
	return dir, id, nil
}

// BuildHeraldRevision builds ./cmd/herald into tmp, from the working tree of
// the module the benchmark runs in or, when rev is not empty, from that git
// revision exported under tmp. self is the benchmark's package path
// (./bench/poll), for an error message. It returns the binary and a
// description of what was built, for the report.
func BuildHeraldRevision(goBin, self, rev, tmp string, logf func(format string, args ...any)) (bin, desc string, err error) {
	root, err := moduleRoot(goBin, self)
	if err != nil {
		return "", "", err
	}
	desc = gitRevision(root) + " (working tree)"
	if rev != "" {
		var id string
		if root, id, err = exportRevision(root, rev, tmp); err != nil {
			return "", "", err
		}
		desc = "commit " + id + " (-rev " + rev + ")"
	}
	logf("building Herald (%s) ...", filepath.Join(root, "cmd", "herald"))
	t0 := time.Now()
	if bin, err = buildHerald(goBin, root, tmp); err != nil {
		return "", "", err
	}
	logf("built in %.1fs", time.Since(t0).Seconds())
	return bin, desc, nil
}

package web_test

// Browser tests: a real Herald in-process, driven through Debian's Chromium
// with chromedp. Without Chromium they fail, unless HERALD_TEST_BROWSER=off.
// HERALD_SCREENSHOTS=1 writes docs/screenshots/*.png.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald/app"
)

const (
	adminToken = "test-admin-token"
	password   = "correct horse battery"
	liveWait   = 5 * time.Second // a posted card must show within this
	// stepWait bounds a navigation or a click; generous, because CI runs
	// other packages' tests beside these.
	stepWait = 20 * time.Second
)

// The browser is shared by the package's tests; each test gets its own
// browser context (its own cookies) in it.
var (
	browserOnce sync.Once
	browserCtx  context.Context
	browserErr  error
	stopBrowser = func() {}
)

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

func chromiumPath() string {
	if p := os.Getenv("HERALD_CHROMIUM"); p != "" {
		return p
	}
	return "/usr/bin/chromium"
}

// needBrowser fails the test when Chromium is missing, and skips it only
// when HERALD_TEST_BROWSER=off.
func needBrowser(t *testing.T) {
	t.Helper()
	if os.Getenv("HERALD_TEST_BROWSER") == "off" {
		t.Skip("HERALD_TEST_BROWSER=off")
	}
	if _, err := os.Stat(chromiumPath()); err != nil {
		t.Fatalf("Chromium is needed for the browser tests: %v. Install it (apt-get install -y chromium), set HERALD_CHROMIUM, or set HERALD_TEST_BROWSER=off to skip them.", err)
	}
}

// newTab returns a tab in a fresh browser context, closed when the test
// ends, and a watch on it (see needBrowser).
func newTab(t *testing.T) (context.Context, *pageWatch) {
	t.Helper()
	needBrowser(t)
	browserOnce.Do(func() {
		dir, err := os.MkdirTemp("", "herald-chromium-")
		if err != nil {
			browserErr = err
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(chromiumPath()),
			chromedp.Headless,
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.NoFirstRun,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 800),
		)
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(allocCtx)
		stopBrowser = func() {
			cancel()
			cancelAlloc()
			os.RemoveAll(dir)
		}
		if err := chromedp.Do(ctx); err != nil { // starts the browser
			browserErr = fmt.Errorf("start %s: %w", chromiumPath(), err)
			return
		}
		browserCtx = ctx
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	ctx, cancel := chromedp.NewContext(browserCtx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil { // opens the tab
		t.Fatalf("open a tab: %v", err)
	}
	return ctx, watchPage(t, ctx)
}

// pageWatch records what must not happen in a page: JavaScript dialogs
// (alert, confirm, prompt: a payload's script would open one), uncaught
// exceptions, and Content-Security-Policy violations. Anything recorded
// fails the test when it ends.
type pageWatch struct {
	mu         sync.Mutex
	dialogs    []string
	violations []string
	exceptions []string
}

func watchPage(t *testing.T, ctx context.Context) *pageWatch {
	w := &pageWatch{}
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	console := chromedp.Console(ctx)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			w.mu.Lock()
			w.dialogs = append(w.dialogs, fmt.Sprintf("%s(%q)", ev.Type, ev.Message))
			w.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	go func() {
		for m, err := range console {
			if err != nil {
				return
			}
			w.mu.Lock()
			switch {
			case strings.Contains(m.Text, "Content Security Policy"):
				w.violations = append(w.violations, m.Text)
			case m.IsException():
				w.exceptions = append(w.exceptions, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
			}
			w.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		time.Sleep(50 * time.Millisecond) // let the last events arrive
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, d := range w.dialogs {
			t.Errorf("a JavaScript dialog opened: %s", d)
		}
		for _, v := range w.violations {
			t.Errorf("Content-Security-Policy violation: %s", v)
		}
		for _, e := range w.exceptions {
			t.Errorf("uncaught exception: %s", e)
		}
	})
	return w
}

// take returns what was recorded so far and forgets it.
func (w *pageWatch) take() (dialogs, violations []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	dialogs, violations = w.dialogs, w.violations
	w.dialogs, w.violations = nil, nil
	return dialogs, violations
}

// server is a Herald node on a random port. The browser reaches it through
// a proxy that the test can cut, to drop the network.
type server struct {
	t      *testing.T
	direct string // Herald itself; webhook URLs point here
	url    string // the proxy, the browser's origin
	proxy  *proxy
}

func startHerald(t *testing.T) *server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.Open(ctx, app.Config{Addr: ln.Addr().String(), DataDir: t.TempDir(), BaseURL: base, BootstrapToken: adminToken, SQLiteSync: "normal"})
	if err != nil {
		cancel()
		t.Fatalf("open herald: %v", err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, ln) }()
	p := startProxy(t, ln.Addr().String())
	t.Cleanup(func() {
		p.close()
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		a.Close()
	})
	return &server{t: t, direct: base, url: "http://" + p.ln.Addr().String(), proxy: p}
}

// call sends a JSON API request with a bearer token and decodes the answer
// into out, failing the test unless the status is want.
func (s *server) call(token, method, path string, body any, want int, out any) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.direct+"/api/v1"+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			s.t.Fatalf("%s %s: decode %s: %v", method, path, data, err)
		}
	}
}

type user struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

type channel struct {
	ID     string `json:"id"`
	TeamID string `json:"team_id"`
	Name   string `json:"name"`
}

type connection struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	WebhookURL string `json:"webhook_url"`
}

func (s *server) user(name, email string, orgAdmin bool) user {
	var u user
	s.call(adminToken, "POST", "/users", map[string]any{"name": name, "email": email, "password": password, "org_admin": orgAdmin}, 201, &u)
	return u
}

// team creates a team with members (user id -> role) and returns its
// General channel.
func (s *server) team(name string, members map[string]string) channel {
	var team struct {
		ID string `json:"id"`
	}
	s.call(adminToken, "POST", "/teams", map[string]any{"name": name}, 201, &team)
	for id, role := range members {
		s.call(adminToken, "POST", "/teams/"+team.ID+"/members", map[string]any{"user_id": id, "role": role}, 200, nil)
	}
	var list struct {
		Channels []channel `json:"channels"`
	}
	s.call(adminToken, "GET", "/teams/"+team.ID+"/channels", nil, 200, &list)
	return list.Channels[0]
}

func (s *server) connection(channelID, name string) connection {
	var c connection
	s.call(adminToken, "POST", "/channels/"+channelID+"/connections", map[string]any{"connector": "incoming-webhook", "name": name}, 201, &c)
	return c
}

// post sends a payload to a webhook URL and returns the status and body.
func post(t *testing.T, url string, payload any) (int, string) {
	t.Helper()
	body, typ := []byte(nil), "application/json"
	switch p := payload.(type) {
	case string:
		body, typ = []byte(p), "text/plain; charset=utf-8"
	default:
		body, _ = json.Marshal(p)
	}
	res, err := http.Post(url, typ, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("post to webhook: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func mustPost(t *testing.T, url string, payload any) {
	t.Helper()
	if code, body := post(t, url, payload); code != 200 || body != "1" {
		t.Fatalf("webhook answered %d %q, want 200 \"1\"", code, body)
	}
}

// do runs browser steps with a deadline, and on failure shows what the
// page said.
func do(t *testing.T, ctx context.Context, d time.Duration, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	if err := chromedp.Do(tctx, steps...); err != nil {
		t.Fatalf("browser: %v\npage %s", err, pageText(ctx))
	}
}

// eval evaluates a JavaScript expression.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, stepWait)
	defer cancel()
	v, err := chromedp.Run(tctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v\npage %s", expr, err, pageText(ctx))
	}
	return v
}

// waitFor polls a JavaScript condition until it is true.
func waitFor(t *testing.T, ctx context.Context, d time.Duration, cond string) {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, d+time.Second)
	defer cancel()
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(d), chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting %v for %s: %v\npage %s", d, cond, err, pageText(ctx))
	}
}

func pageText(ctx context.Context) string {
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	s, err := chromedp.Run(tctx, chromedp.Evaluate[string](`location.href + "\n" + (document.body ? document.body.innerText : "")`))
	if err != nil {
		return "(unreadable: " + err.Error() + ")"
	}
	if len(s) > 3000 {
		s = s[:3000] + "…"
	}
	return s
}

func js(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func signIn(t *testing.T, ctx context.Context, s *server, email string) {
	t.Helper()
	do(t, ctx, stepWait,
		chromedp.Navigate(s.url+"/signin"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SetValue(chromedp.ID("email"), email),
		chromedp.SetValue(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS("#signin-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#sidebar .team-list")),
	)
}

// open navigates to a page and waits for its content.
func open(t *testing.T, ctx context.Context, url, ready string) {
	t.Helper()
	do(t, ctx, stepWait, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(ready)))
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	if os.Getenv("HERALD_SCREENSHOTS") != "1" {
		return
	}
	chromedp.Do(ctx, chromedp.Sleep(300*time.Millisecond)) // images and fonts settle
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	dir := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Fatal(err)
	}
}

// testPNG writes a small PNG for a connection's picture.
func testPNG(t *testing.T) string {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := range 64 {
		for x := range 64 {
			c := color.RGBA{0x2d, 0xa4, 0x4e, 0xff}
			if (x-32)*(x-32)+(y-32)*(y-32) < 18*18 {
				c = color.RGBA{0xff, 0xff, 0xff, 0xff}
			}
			if x > 26 && x < 38 && y > 20 && y < 44 {
				c = color.RGBA{0x2d, 0xa4, 0x4e, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	path := filepath.Join(t.TempDir(), "ci.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// proxy forwards TCP connections to Herald. cut drops every open
// connection and refuses new ones until mend.
type proxy struct {
	ln     net.Listener
	target string
	down   atomic.Bool
	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	wg     sync.WaitGroup
}

func startProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: make(map[net.Conn]struct{})}
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			if p.down.Load() {
				c.Close()
				continue
			}
			p.wg.Go(func() { p.serve(c) })
		}
	})
	return p
}

func (p *proxy) serve(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
	c.Close()
	up.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, up)
	p.mu.Unlock()
}

func (p *proxy) cut() {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

func (p *proxy) mend() { p.down.Store(false) }

func (p *proxy) close() {
	p.ln.Close()
	p.cut()
	p.wg.Wait()
}

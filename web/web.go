// Package web serves Herald's browser UI: small server-rendered HTML shells
// (html/template) and the static files they load, all embedded in the
// binary. The pages hold no data: their JavaScript modules (static files, no
// build step) call the JSON API under /api/v1 with the session cookie, so the
// UI can do nothing the API would refuse and this package needs no store.
//
// Every page is sent with a strict Content-Security-Policy: scripts only from
// Herald itself (no inline script, no eval), no plugins, no <base>, no
// framing, and images from Herald, https and data: URLs (card images). Card
// text is rendered as Markdown by the vendored renderer and sanitized with
// DOMPurify; see static/js/cards.js.
//
// Routes:
//
//	GET /                              the caller's teams
//	GET /signin                        sign in with email and password
//	GET /teams/{id}                    a team: channels, create a channel
//	GET /teams/{id}/settings           team switches and members
//	GET /channels/{id}                 the channel's stream, live
//	GET /channels/{id}/connectors      the channel's connectors: catalog, configured, manage
//	GET /admin                         organization switches, cloud profile, audit log
//	GET /static/...                    CSS, JavaScript, images, vendored libraries
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

//go:embed static templates
var files embed.FS

// CSP is the Content-Security-Policy of every page. Scripts and styles come
// only from Herald's own static files; card images may come from any https
// host (senders link them) or be data: URLs; the live stream and the API are
// same-origin.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
	"font-src 'self'; connect-src 'self'; media-src 'none'; object-src 'none'; frame-src 'none'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Config holds what the UI needs.
type Config struct {
	Logger *slog.Logger
}

// handler serves the UI. Mount it at "/" behind the API routes.
type handler struct {
	log    *slog.Logger
	mux    *http.ServeMux
	pages  *template.Template
	static map[string]*asset // by path under static/
}

type asset struct {
	data []byte
	etag string
	mod  time.Time
}

// New returns the UI handler.
func New(cfg Config) http.Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	h := &handler{log: cfg.Logger, mux: http.NewServeMux(), static: make(map[string]*asset)}
	h.pages = template.Must(template.New("").ParseFS(files, "templates/*.html"))
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		h.static[strings.TrimPrefix(p, "static/")] = &asset{data: data, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		panic("web: read embedded files: " + err.Error())
	}
	h.routes()
	return h
}

// ServeHTTP implements http.Handler.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

func (h *handler) routes() {
	h.mux.HandleFunc("GET /static/{path...}", h.serveStatic)
	h.mux.Handle("GET /{$}", h.page("home", "Teams", nil))
	h.mux.Handle("GET /signin", h.page("signin", "Sign in", nil))
	h.mux.Handle("GET /teams/{id}", h.page("team", "Team", idParam))
	h.mux.Handle("GET /teams/{id}/settings", h.page("settings", "Team settings", idParam))
	h.mux.Handle("GET /channels/{id}", h.page("channel", "Channel", idParam))
	h.mux.Handle("GET /channels/{id}/connectors", h.page("connectors", "Connectors", idParam))
	h.mux.Handle("GET /admin", h.page("admin", "Organization", nil))
	h.mux.HandleFunc("/", h.notFound)
}

// ids are UUIDs or hex strings; anything else is no page of ours.
var validID = regexp.MustCompile(`^[A-Za-z0-9-]{1,64}$`)

func idParam(r *http.Request) (string, bool) {
	id := r.PathValue("id")
	return id, validID.MatchString(id)
}

// pageData is what a shell template sees.
type pageData struct {
	Page  string // names the page's module: static/js/pages/{Page}.js
	Title string
	ID    string // the team or channel id from the path, for the page's module
	Cards bool   // load the card renderer
}

func (h *handler) page(name, title string, id func(*http.Request) (string, bool)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d := pageData{Page: name, Title: title, Cards: name == "channel"}
		if id != nil {
			var ok bool
			if d.ID, ok = id(r); !ok {
				h.notFound(w, r)
				return
			}
		}
		tmpl := "shell.html"
		if name == "signin" {
			tmpl = "signin.html"
		}
		h.render(w, r, http.StatusOK, tmpl, d)
	})
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		securityHeaders(w.Header())
		http.Error(w, "404 page not found", http.StatusNotFound)
		return
	}
	h.render(w, r, http.StatusNotFound, "notfound.html", pageData{Title: "Not found"})
}

func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, name string, d pageData) {
	var buf bytes.Buffer
	if err := h.pages.ExecuteTemplate(&buf, name, d); err != nil {
		h.log.Error("web: render page", "page", name, "error", err)
		http.Error(w, "The page could not be rendered; the server log has the details.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	securityHeaders(hd)
	hd.Set("Content-Type", "text/html; charset=utf-8")
	// The shells hold no data, but an old shell must not outlive an
	// upgrade of the modules it loads.
	hd.Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(buf.Bytes())
	}
}

// securityHeaders sets the headers every UI response carries.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
}

var contentTypes = map[string]string{
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
	".json": "application/json",
	".txt":  "text/plain; charset=utf-8",
}

// serveStatic answers from the embedded files. Responses carry an ETag and
// must be revalidated, so that an upgraded binary is never mixed with
// modules from the browser's cache.
func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	p := r.PathValue("path")
	a, ok := h.static[p]
	if !ok || path.Clean("/"+p) != "/"+p {
		h.notFound(w, r)
		return
	}
	hd := w.Header()
	securityHeaders(hd)
	ct, ok := contentTypes[path.Ext(p)]
	if !ok {
		ct = "text/plain; charset=utf-8" // licences, VERSIONS
	}
	hd.Set("Content-Type", ct)
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", a.etag)
	http.ServeContent(w, r, p, a.mod, bytes.NewReader(a.data))
}

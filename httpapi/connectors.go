package httpapi

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/catalog"
	"github.com/heraldhq/herald/connector/generic"
	"github.com/heraldhq/herald/policy"
)

// catalogView returns the catalog as the caller's organization sees it:
// its own retire and restore decisions over the defaults.
func (s *Server) catalogView(r *http.Request) ([]herald.Connector, error) {
	over, err := s.store.ConnectorLifecycle(r.Context(), userFrom(r.Context()).OrgID)
	if err != nil {
		return nil, err
	}
	all := catalog.All()
	list := make([]herald.Connector, 0, len(all))
	for _, e := range all {
		c := e.Connector
		if v, ok := over[c.ID]; ok {
			c.Retired = v
		}
		if c.Events == nil {
			c.Events = []string{}
		}
		c.IconURL = "/api/v1/connectors/" + c.ID + "/icon"
		list = append(list, c)
	}
	return list, nil
}

// connectorFor returns the catalog entry id and whether the caller's
// organization has it retired.
func (s *Server) connectorFor(r *http.Request, id string) (*catalog.Entry, bool, error) {
	e, ok := catalog.Lookup(id)
	if !ok {
		return nil, false, herald.Errorf(herald.EInvalid, "There is no connector %q; GET /api/v1/connectors lists them.", id)
	}
	over, err := s.store.ConnectorLifecycle(r.Context(), userFrom(r.Context()).OrgID)
	if err != nil {
		return nil, false, err
	}
	retired := e.Retired
	if v, ok := over[id]; ok {
		retired = v
	}
	return e, retired, nil
}

func (s *Server) listConnectors(w http.ResponseWriter, r *http.Request) error {
	list, err := s.catalogView(r)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"connectors": list})
}

// setRetired is POST /connectors/{id}/retire and /restore (org admins).
func (s *Server) setRetired(retired bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := orgAction(r, policy.ManageOrg); err != nil {
			return err
		}
		e, _, err := s.connectorFor(r, r.PathValue("id"))
		if err != nil {
			return herald.Errorf(herald.ENotFound, "There is no connector %q.", r.PathValue("id"))
		}
		if !retired && !e.Accepts() {
			return herald.Errorf(herald.EConflict, "The %s connector cannot be restored: Herald has no translator for its payloads. Use the Generic JSON connector for it.", e.Name)
		}
		if err := s.store.SetConnectorRetired(r.Context(), userFrom(r.Context()), e.ID, retired); err != nil {
			return err
		}
		list, err := s.catalogView(r)
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.ID == e.ID {
				return writeJSON(w, http.StatusOK, c)
			}
		}
		return nil
	}
}

// connectorIcon draws a connector's icon: its initials on its colour. Herald
// ships no third-party logos.
func (s *Server) connectorIcon(w http.ResponseWriter, r *http.Request) error {
	e, ok := catalog.Lookup(r.PathValue("id"))
	if !ok {
		return herald.Errorf(herald.ENotFound, "There is no connector %q.", r.PathValue("id"))
	}
	initials := ""
	for _, word := range strings.FieldsFunc(e.Name, func(r rune) bool { return r == ' ' || r == '-' || r == '/' }) {
		if len(initials) < 2 {
			initials += strings.ToUpper(word[:1])
		}
	}
	color := e.Color
	if color == "" {
		color = "#6264A7"
	}
	h := w.Header()
	h.Set("Content-Type", "image/svg+xml")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400")
	fmt.Fprintf(w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" role="img" aria-label="%s"><rect width="64" height="64" rx="12" fill="%s"/><text x="32" y="41" font-family="Segoe UI, sans-serif" font-size="26" font-weight="600" fill="#fff" text-anchor="middle">%s</text></svg>`,
		html.EscapeString(e.Name), html.EscapeString(color), html.EscapeString(initials))
	return nil
}

// validConfig checks a connection's settings against its connector.
func validConfig(e *catalog.Entry, c *herald.ConnectionConfig) error {
	if e.Kind == herald.KindPolling {
		return validFeedConfig(c)
	}
	if c.URL != "" || c.Interval != nil || c.FirstItems != 0 {
		return herald.Errorf(herald.EInvalid, "url, interval and first_items are settings of feed connections; %s receives webhooks.", e.Name)
	}
	if e.ID == herald.ConnectorIncomingWebhook && (len(c.Events) > 0 || c.Branches != "" || c.Template != nil) {
		return herald.Errorf(herald.EInvalid, "An Incoming Webhook has no settings besides its name.")
	}
	for _, ev := range c.Events {
		ok := false
		for _, known := range e.Events {
			if ev == known || strings.HasPrefix(ev, known+".") || known == "any" {
				ok = true
			}
		}
		if !ok {
			return herald.Errorf(herald.EInvalid, "%s does not send the event %q; it sends %s.", e.Name, ev, strings.Join(e.Events, ", "))
		}
	}
	for p := range strings.SplitSeq(c.Branches, ",") {
		if _, err := path.Match(strings.TrimSpace(p), ""); err != nil {
			return herald.Errorf(herald.EInvalid, "The branch pattern %q is not valid: use names or globs like release/*.", p)
		}
	}
	if e.ID == herald.ConnectorGeneric {
		if c.Template == nil {
			return herald.Errorf(herald.EInvalid, "A Generic JSON connection needs a template: {\"template\":{\"title\":\"{{.name}}\", ...}}.")
		}
		if _, err := generic.Compile(*c.Template); err != nil {
			return herald.Errorf(herald.EInvalid, "The template is not valid: %v.", err)
		}
	} else if c.Template != nil {
		return herald.Errorf(herald.EInvalid, "Only the Generic JSON connector takes a template.")
	}
	return nil
}

// sealSecret turns the secret a request sets into what the store keeps: nil
// for "no change", a pointer to nil to clear it.
func (s *Server) sealSecret(secret *string) *[]byte {
	if secret == nil {
		return nil
	}
	var sealed []byte
	if *secret != "" {
		sealed = s.keys.Seal(*secret)
	}
	return &sealed
}

// previewTemplate is POST /connectors/generic/preview {"template","sample"}:
// the card a Generic JSON connection would post for the sample body.
func (s *Server) previewTemplate(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		Template herald.Template `json:"template"`
		Sample   json.RawMessage `json:"sample"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := generic.Compile(req.Template)
	if err != nil {
		return herald.Errorf(herald.EInvalid, "The template is not valid: %v.", err)
	}
	if len(req.Sample) == 0 {
		return herald.Errorf(herald.EInvalid, "Give a sample JSON body as \"sample\".")
	}
	card, err := c.Render(req.Sample)
	if err != nil {
		return herald.Errorf(herald.EInvalid, "The template fails on the sample: %v.", err)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"summary": card.Summary, "card": card.Card})
}

// listDeliveries is GET /connections/{id}/deliveries?limit=: the last
// deliveries of a third-party connection and what Herald did with each.
func (s *Server) listDeliveries(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.connection(r, policy.ViewTeam)
	if err != nil {
		return err
	}
	if isPolling(c) {
		return herald.Errorf(herald.EInvalid, "A feed connection receives no deliveries; how its polls went is in its feed state (GET /api/v1/connections/%s).", c.ID)
	}
	limit := defaultPage
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return herald.Errorf(herald.EInvalid, "limit must be a positive integer.")
		}
		limit = n
	}
	list, err := s.store.Deliveries(r.Context(), c.ID, limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"deliveries": list})
}

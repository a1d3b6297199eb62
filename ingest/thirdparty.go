package ingest

import (
	"context"
	"errors"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/catalog"
	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/generic"
	"github.com/heraldhq/herald/store"
)

// postThirdParty runs a third-party service's native delivery: check its
// signature, translate it, filter it by the connection's settings, post the
// cards, and note the outcome in the connection's delivery log. Events the
// translator does not cover are answered 200 and logged, never an error, so
// that services do not disable the webhook.
func (s *Service) postThirdParty(ctx context.Context, req *Request, conn *herald.Connection, sec *store.ConnectionSecrets, body []byte, res *Result) (*Result, error) {
	d := &herald.Delivery{Size: int64(len(body))}
	logIt := func() {
		if err := s.store.RecordDelivery(ctx, conn.ID, d); err != nil {
			s.opts.Logger.Warn("ingest: delivery log", "connection", conn.ID, "error", err)
		}
	}
	entry, ok := catalog.Lookup(conn.Connector)
	if !ok || !entry.Accepts() {
		d.Outcome, d.Reason = herald.OutcomeRejected, "Herald cannot read "+conn.Connector+" payloads"
		logIt()
		return nil, &Rejection{Reason: BadPayload, Status: 400, Text: "Herald has no translator for this connector's payloads."}
	}

	secret := ""
	if sec.SecretSealed != nil {
		var err error
		if secret, err = s.opts.Keys.Open(sec.SecretSealed); err != nil {
			s.opts.Logger.Error("ingest: open a connection's secret", "connection", conn.ID, "error", err)
			d.Outcome, d.Reason = herald.OutcomeRejected, "the connection's secret cannot be read on this node (another --secret-key?)"
			logIt()
			return nil, s.unavailable(req.Flavor)
		}
	}
	if err := catalog.Verify(entry.Auth, req.Header, body, secret); err != nil {
		d.Outcome, d.Reason = herald.OutcomeRejected, "signature does not match the connection's secret"
		logIt()
		return nil, &Rejection{Reason: Unauthorized, Status: 401,
			Text: "The request's signature does not match this connection's secret; nothing was posted. Check the secret set in " + entry.Name + " and in Herald."}
	}

	translate := entry.Translate
	if conn.Connector == herald.ConnectorGeneric {
		c, err := s.template(conn)
		if err != nil {
			d.Outcome, d.Reason = herald.OutcomeRejected, "template: "+err.Error()
			logIt()
			return nil, &Rejection{Reason: BadPayload, Status: 400, Text: "This connection's template cannot be used: " + err.Error()}
		}
		translate = c.Translator()
	}
	out, err := translate(connector.Delivery{Header: req.Header, Body: body})
	if err != nil {
		d.Outcome, d.Reason = herald.OutcomeRejected, err.Error()
		logIt()
		return nil, &Rejection{Reason: BadPayload, Status: 400, Text: "The payload is not a " + entry.Name + " webhook payload: " + err.Error()}
	}
	d.Event = out.Event
	switch {
	case out.Ping:
		d.Outcome, d.Reason = herald.OutcomeIgnored, "ping"
	case len(out.Cards) == 0:
		d.Outcome, d.Reason = herald.OutcomeIgnored, out.Ignored
	case !connector.EventAllowed(conn.Config.Events, out.Event):
		d.Outcome, d.Reason = herald.OutcomeFiltered, "event "+out.Event+" is not among the connection's events"
	case !connector.BranchAllowed(conn.Config.Branches, out.Branch):
		d.Outcome, d.Reason = herald.OutcomeFiltered, "branch "+out.Branch+" does not match "+conn.Config.Branches
	}
	if d.Outcome != "" {
		logIt()
		return res, nil
	}
	if err := s.allow(ctx, req, conn); err != nil {
		d.Outcome, d.Reason = herald.OutcomeRejected, "rate limited"
		logIt()
		return nil, err
	}
	for _, c := range out.Cards {
		m := &herald.Message{OrgID: conn.OrgID, ChannelID: conn.ChannelID, ConnectionID: conn.ID,
			Format: conn.Connector, Summary: c.Summary, Card: c.Card}
		if err := s.store.InsertMessage(ctx, m); err != nil {
			s.opts.Logger.Error("ingest: store message", "connection", conn.ID, "error", err)
			d.Outcome, d.Reason = herald.OutcomeRejected, "storage failed after "+strconv.Itoa(d.Messages)+" message(s)"
			logIt()
			return nil, s.unavailable(req.Flavor)
		}
		d.Messages++
		if res.Message == nil {
			res.Message = m
		}
	}
	d.Outcome = herald.OutcomePosted
	logIt()
	return res, nil
}

// compiledTemplate is a generic connection's template, compiled once and
// kept with its text so that an edit is picked up.
type compiledTemplate struct {
	src herald.Template
	c   *generic.Compiled
}

func (s *Service) template(conn *herald.Connection) (*generic.Compiled, error) {
	if conn.Config.Template == nil {
		return nil, errors.New("no template is set")
	}
	if v, ok := s.templates.Load(conn.ID); ok {
		ct := v.(*compiledTemplate)
		if sameTemplate(ct.src, *conn.Config.Template) {
			return ct.c, nil
		}
	}
	c, err := generic.Compile(*conn.Config.Template)
	if err != nil {
		return nil, err
	}
	s.templates.Store(conn.ID, &compiledTemplate{src: *conn.Config.Template, c: c})
	return c, nil
}

func sameTemplate(a, b herald.Template) bool {
	if a.Title != b.Title || a.Text != b.Text || a.Link != b.Link || len(a.Facts) != len(b.Facts) {
		return false
	}
	for i := range a.Facts {
		if a.Facts[i] != b.Facts[i] {
			return false
		}
	}
	return true
}

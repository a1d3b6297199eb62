package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/ingest"
)

// handleTeamsWebhook serves
// POST /webhookb2/{teamId}@{orgId}/{connector}/{connectionId}/{creatorId}/V2{token}.
// Success is 200 text/plain with a body of exactly "1", only once the message
// is committed: Teams clients check for that body.
func (s *Server) handleTeamsWebhook(w http.ResponseWriter, r *http.Request) {
	reqID := herald.NewUUID()
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("request-id", reqID)
	token, ok := strings.CutPrefix(r.PathValue("token"), "V2")
	if !ok {
		token = "" // a URL without the V2 segment never matches a token
	}
	req := &ingest.Request{
		Flavor:        ingest.Teams,
		Group:         r.PathValue("group"),
		ConnectorSeg:  r.PathValue("connector"),
		ConnectionID:  r.PathValue("connection"),
		CreatorID:     r.PathValue("creator"),
		Token:         token,
		ContentType:   r.Header.Get("Content-Type"),
		ContentLength: r.ContentLength,
		Body:          r.Body,
		RemoteAddr:    clientIP(r),
		UserAgent:     r.UserAgent(),
		Header:        r.Header,
	}
	res, err := s.ingest.Post(r.Context(), req)
	if err == nil {
		deprecate(h, res)
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("1"))
		return
	}
	rej, ok := errors.AsType[*ingest.Rejection](err)
	if !ok {
		s.log.Error("webhook: post failed", "connection", req.ConnectionID, "error", err)
		rej = &ingest.Rejection{Status: http.StatusInternalServerError, Text: "Internal error; the message was not stored. Retry later."}
	}
	if s.cfg.ErrorMode == ErrorModeTeamsCompat && compatWrapped(rej.Reason) {
		// Teams answers 200 for failures past the payload check, and says
		// what happened in the body; some senders remove a webhook on any
		// other status.
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error " +
			strconv.Itoa(rej.Status) + " with ContextId tcid=0,server=herald,cv=" + reqID + "."))
		return
	}
	if rej.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(rej.RetryAfter.Seconds())))
	}
	w.WriteHeader(rej.Status)
	w.Write([]byte(rej.Text))
}

// compatWrapped lists the failures Teams reports inside a 200.
func compatWrapped(r ingest.Reason) bool {
	switch r {
	case ingest.TooLarge, ingest.RateLimited, ingest.Unavailable, ingest.Disabled:
		return true
	}
	return false
}

// handleSlackWebhook serves POST /services/{team}/{bot}/{token}, the shape of
// a Slack incoming webhook URL, answering as Slack does: 200 "ok", or a
// status with a short error word.
func (s *Server) handleSlackWebhook(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	req := &ingest.Request{
		Flavor:        ingest.Slack,
		SlackTeam:     r.PathValue("team"),
		SlackID:       r.PathValue("bot"),
		Token:         r.PathValue("token"),
		ContentType:   r.Header.Get("Content-Type"),
		ContentLength: r.ContentLength,
		Body:          r.Body,
		RemoteAddr:    clientIP(r),
		UserAgent:     r.UserAgent(),
	}
	res, err := s.ingest.Post(r.Context(), req)
	if err == nil {
		deprecate(h, res)
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("ok"))
		return
	}
	rej, ok := errors.AsType[*ingest.Rejection](err)
	if !ok {
		s.log.Error("webhook: slack post failed", "slack_id", req.SlackID, "error", err)
		rej = &ingest.Rejection{Status: http.StatusInternalServerError, Text: "internal_error"}
	}
	if rej.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(rej.RetryAfter.Seconds())))
	}
	w.WriteHeader(rej.Status)
	w.Write([]byte(rej.Text))
}

// deprecate marks an answer given on a replaced URL that still works:
// Deprecation (RFC 9745) says since when, Sunset (RFC 8594) until when.
func deprecate(h http.Header, res *ingest.Result) {
	if res.Sunset == nil {
		return
	}
	h.Set("Deprecation", "@"+strconv.FormatInt(res.Replaced.Unix(), 10))
	h.Set("Sunset", res.Sunset.UTC().Format(http.TimeFormat))
}

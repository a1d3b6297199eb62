package httpapi

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/catalog"
	"github.com/heraldhq/herald/outbound"
	"github.com/heraldhq/herald/policy"
	"github.com/heraldhq/herald/poll"
)

// validFeedConfig checks a polling connection's settings and fills in the
// defaults, so that the stored config says what the poller does.
func validFeedConfig(c *herald.ConnectionConfig) error {
	if len(c.Events) > 0 || c.Branches != "" || c.Template != nil {
		return herald.Errorf(herald.EInvalid, "A feed connection's settings are url, interval and first_items.")
	}
	if c.URL == "" {
		return herald.Errorf(herald.EInvalid, "A feed connection needs the feed's address: {\"config\":{\"url\":\"https://example.com/feed.xml\"}}.")
	}
	u, err := outbound.ParseURL(c.URL)
	if err != nil {
		return herald.Errorf(herald.EInvalid, "The feed URL is not valid: %v.", err)
	}
	c.URL = u.String()
	interval, first := poll.Settings(*c)
	if interval < poll.MinInterval || interval > poll.MaxInterval {
		return herald.Errorf(herald.EInvalid, "A feed's interval is between %s and %s (for example \"15m\"); %s is not.",
			shortDuration(poll.MinInterval), shortDuration(poll.MaxInterval), shortDuration(interval))
	}
	if c.FirstItems < 0 || first > poll.MaxFirstItems {
		return herald.Errorf(herald.EInvalid, "first_items is how many items the first poll posts: 1 to %d.", poll.MaxFirstItems)
	}
	d := herald.Duration(interval)
	c.Interval, c.FirstItems = &d, first
	return nil
}

// shortDuration writes a duration as people type it: "1m", "24h", "90s",
// not Go's "1m0s" and "24h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// isPolling reports whether a connection's connector polls.
func isPolling(c *herald.Connection) bool {
	e, ok := catalog.Lookup(c.Connector)
	return ok && e.Kind == herald.KindPolling
}

// schedule is what creating a connection also does in its transaction: a
// feed's first poll is enqueued there.
func (s *Server) schedule(c *herald.Connection) func(context.Context, *sql.Tx) error {
	return func(ctx context.Context, tx *sql.Tx) error {
		if !isPolling(c) {
			return nil
		}
		if s.cfg.Poller == nil {
			return herald.Errorf(herald.EInternal, "This node does not poll feeds.")
		}
		return s.cfg.Poller.ScheduleTx(ctx, tx, c.ID)
	}
}

// feedView fills a polling connection's view: its feed's state, and
// "Attention required" after repeated failures.
func (s *Server) feedView(r *http.Request, v *connectionView) error {
	st, err := s.store.FeedState(r.Context(), v.ID)
	if err != nil {
		return err
	}
	v.Feed = st
	switch {
	case st.LastStatus == herald.FeedError && st.Stuck:
		v.AttentionReasons = append(v.AttentionReasons, "Herald cannot fetch this feed until its URL or the server's settings change: "+st.LastError)
	case st.LastStatus == herald.FeedError && st.Failures >= poll.AttentionAfter:
		reason := fmt.Sprintf("the feed failed %d times in a row, the last at %s: %s", st.Failures, st.LastPollAt.Format(time.RFC3339), st.LastError)
		if st.NextPollAt != nil {
			reason += "; Herald keeps trying (next at " + st.NextPollAt.Format(time.RFC3339) + ") and this clears when the feed answers again"
		}
		v.AttentionReasons = append(v.AttentionReasons, reason)
	}
	v.AttentionRequired = len(v.AttentionReasons) > 0
	return nil
}

// refreshWait bounds how long "refresh now" waits for its poll: longer than
// a fetch may take (outbound's timeout), shorter than clients wait.
const refreshWait = 45 * time.Second

// pollConnection is "refresh now": POST /connections/{id}/poll polls the
// feed at once and answers with the connection, its feed state updated. A
// poll that takes longer than refreshWait is answered with the state so far
// (next_poll_at now) and finishes on its own.
func (s *Server) pollConnection(w http.ResponseWriter, r *http.Request) error {
	c, sec, err := s.connection(r, policy.ManageConnectors)
	if err != nil {
		return err
	}
	if !isPolling(c) {
		return herald.Errorf(herald.EInvalid, "Only feed connections poll; this one receives webhooks.")
	}
	if s.cfg.Poller == nil {
		return herald.Errorf(herald.EInternal, "This node does not poll feeds.")
	}
	if _, err := s.cfg.Poller.Refresh(r.Context(), c.ID, refreshWait); err != nil {
		return err
	}
	if c, err = s.store.Connection(r.Context(), c.ID); err != nil { // its URL may have moved
		return err
	}
	return s.writeConnection(w, r, http.StatusOK, c, sec)
}

package httpapi

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/policy"
)

const (
	heartbeat    = 15 * time.Second
	writeTimeout = 10 * time.Second
	replayPage   = 500
	// recheck bounds how long a follower who lost access (removed from the
	// team, token revoked, user deleted) can still receive messages.
	recheck = time.Second
)

// channelEvents streams a channel's new messages as Server-Sent Events: one
// "message" event per message, its id the message's seq in the channel. A
// client that reconnects with Last-Event-ID (or ?last_event_id=, for a first
// connection that resumes) first gets every message it missed, from the
// store.
//
// Messages reach the hub from this node's commits and, with PostgreSQL, from
// other nodes' notifications, so they may arrive out of seq order. The
// stream never goes backwards and never skips: a message beyond the next seq
// first pulls the gap from the store (it is committed: seq is assigned in
// commit order), and anything at or below the last seq sent is dropped.
func (s *Server) channelEvents(w http.ResponseWriter, r *http.Request) error {
	ch, _, err := s.channel(r, policy.ViewTeam)
	if err != nil {
		return err
	}
	var last int64 = -1
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		last, _ = strconv.ParseInt(v, 10, 64)
	} else if v := r.URL.Query().Get("last_event_id"); v != "" {
		last, _ = strconv.ParseInt(v, 10, 64)
	}

	// Subscribe before reading the store, so nothing committed in between
	// is missed.
	sub := s.hub.Subscribe(ch.ID)
	defer sub.Close()
	if last < 0 {
		// A new follower starts at the channel's newest message.
		cur, err := s.store.Channel(r.Context(), ch.ID)
		if err != nil {
			return err
		}
		last = cur.MessageCount
	}

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no") // tell proxies not to buffer the stream
	w.WriteHeader(http.StatusOK)
	send := func(m *herald.Message) error {
		data, err := json.Marshal(m)
		if err != nil {
			return err
		}
		rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write([]byte("id: " + strconv.FormatInt(m.Seq, 10) + "\nevent: message\ndata: ")); err != nil {
			return err
		}
		data = append(data, '\n', '\n')
		if _, err = w.Write(data); err != nil {
			return err
		}
		last = m.Seq
		return nil
	}
	// catchUp sends every stored message after last, up to seq upTo.
	catchUp := func(upTo int64) error {
		for last < upTo {
			backlog, err := s.store.MessagesAfter(r.Context(), ch.ID, last, replayPage)
			if err != nil {
				return err
			}
			for _, m := range backlog {
				if err := send(m); err != nil {
					return err
				}
			}
			if len(backlog) < replayPage {
				return nil
			}
		}
		return nil
	}
	rc.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := w.Write([]byte("retry: 2000\n\n")); err != nil {
		return nil
	}
	if err := catchUp(math.MaxInt64); err != nil {
		s.log.Warn("events: replay", "channel", ch.ID, "error", err)
		return nil // headers are sent; the client reconnects and retries
	}
	if err := rc.Flush(); err != nil {
		return nil
	}

	// stillAllowed asks again whether the caller may follow this channel,
	// at most once per recheck: access can be lost mid-stream.
	checked := time.Now()
	stillAllowed := func() bool {
		if time.Since(checked) < recheck {
			return true
		}
		checked = time.Now()
		u, err := s.authenticate(r)
		if err != nil {
			return false
		}
		ctx := context.WithValue(r.Context(), userKey, u)
		_, _, err = s.channel(r.WithContext(ctx), policy.ViewTeam)
		return err == nil
	}

	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-s.done:
			return nil
		case <-tick.C:
			if !stillAllowed() {
				return nil
			}
			rc.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := w.Write([]byte(": ping\n\n")); err != nil {
				return nil
			}
		case m, ok := <-sub.C:
			if !ok {
				// Dropped for falling behind: end the stream; the client
				// reconnects with Last-Event-ID and catches up from the store.
				return nil
			}
			if m.Seq <= last {
				continue
			}
			if !stillAllowed() {
				return nil
			}
			if m.Seq > last+1 {
				if err := catchUp(m.Seq - 1); err != nil {
					return nil
				}
			}
			if m.Seq > last {
				if err := send(m); err != nil {
					return nil
				}
			}
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

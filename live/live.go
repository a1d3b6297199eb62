// Package live fans new messages out to the clients following a channel
// (the web UI's stream, `herald message list --follow`).
//
// Delivery is best effort by design: the store is the record. A subscriber
// that cannot keep up is dropped rather than allowed to slow the webhook
// path; its client reconnects with the last event id it saw and catches up
// from the store.
package live

import (
	"sync"

	"github.com/heraldhq/herald"
)

// Buffer is how many messages a subscriber may fall behind before it is
// dropped.
const Buffer = 256

// Hub routes messages to the subscribers of their channel.
type Hub struct {
	mu   sync.RWMutex
	subs map[string]map[*Sub]struct{}
}

// NewHub returns an empty hub.
func NewHub() *Hub {
	return &Hub{subs: make(map[string]map[*Sub]struct{})}
}

// Sub is one subscription to a channel. C delivers messages in commit order
// and is closed when the subscription ends: by Close, or because the
// subscriber fell too far behind (then Lagged reports true).
type Sub struct {
	C <-chan *herald.Message

	c       chan *herald.Message
	hub     *Hub
	channel string
	lagged  bool // guarded by hub.mu
	closed  bool // guarded by hub.mu
}

// Subscribe follows a channel until Close.
func (h *Hub) Subscribe(channelID string) *Sub {
	c := make(chan *herald.Message, Buffer)
	s := &Sub{C: c, c: c, hub: h, channel: channelID}
	h.mu.Lock()
	m := h.subs[channelID]
	if m == nil {
		m = make(map[*Sub]struct{})
		h.subs[channelID] = m
	}
	m[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Close ends the subscription. It is safe to call more than once.
func (s *Sub) Close() {
	s.hub.mu.Lock()
	s.hub.remove(s)
	s.hub.mu.Unlock()
}

// Lagged reports whether the subscription ended because it fell behind.
func (s *Sub) Lagged() bool {
	s.hub.mu.RLock()
	defer s.hub.mu.RUnlock()
	return s.lagged
}

// remove requires h.mu held for writing.
func (h *Hub) remove(s *Sub) {
	if s.closed {
		return
	}
	s.closed = true
	close(s.c)
	if m := h.subs[s.channel]; m != nil {
		delete(m, s)
		if len(m) == 0 {
			delete(h.subs, s.channel)
		}
	}
}

// Publish hands m to every subscriber of its channel without blocking.
func (h *Hub) Publish(m *herald.Message) {
	h.mu.RLock()
	var slow []*Sub
	for s := range h.subs[m.ChannelID] {
		select {
		case s.c <- m:
		default:
			slow = append(slow, s)
		}
	}
	h.mu.RUnlock()
	if len(slow) == 0 {
		return
	}
	h.mu.Lock()
	for _, s := range slow {
		if !s.closed {
			s.lagged = true
			h.remove(s)
		}
	}
	h.mu.Unlock()
}

// Subscribers returns how many subscriptions a channel has.
func (h *Hub) Subscribers(channelID string) int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs[channelID])
}

package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/testenv"
	"github.com/heraldhq/herald/store"
)

// Every id InsertMessage hands back names the row it stored, whatever
// batches the concurrent inserts fell into, and ids keep growing across
// messages stored by other statements (the feed poller inserts its own):
// on SQLite the writer numbers each batch itself.
func TestMessageIDsNameTheirRows(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		org, admin := bootstrap(t, s)
		team, _ := s.CreateTeam(ctx, admin, "T")
		general, _ := s.Channels(ctx, team.ID)
		other, err := s.CreateChannel(ctx, admin, team, "alerts")
		testenv.Must(t, err, "create channel")
		chans := []*herald.Channel{general[0], other}
		conns := []*herald.Connection{newConnection(t, s, chans[0], admin.ID), newConnection(t, s, chans[1], admin.ID)}

		insert := func(w, i int) *herald.Message {
			k := (w + i) % 2
			m := &herald.Message{OrgID: org.ID, ChannelID: chans[k].ID, ConnectionID: conns[k].ID, Format: "text",
				Summary: fmt.Sprintf("w%d-%d", w, i), Card: json.RawMessage(fmt.Sprintf(`{"w":%d,"i":%d}`, w, i))}
			if err := s.InsertMessage(ctx, m); err != nil {
				t.Errorf("insert %s: %v", m.Summary, err)
			}
			return m
		}
		var mu sync.Mutex
		var stored []*herald.Message
		var wg sync.WaitGroup
		for w := range 12 {
			wg.Go(func() {
				for i := range 20 {
					m := insert(w, i)
					mu.Lock()
					stored = append(stored, m)
					mu.Unlock()
				}
			})
		}
		wg.Wait()

		// A row inserted by another statement takes the next id itself.
		var maxID, rowID int64
		for _, m := range stored {
			maxID = max(maxID, m.ID)
		}
		testenv.Must(t, s.DB().QueryRowContext(ctx, `INSERT INTO messages (org_id, channel_id, seq, connection_id, created_at, format, summary, card)
			VALUES ($1, $2, $3, $4, 0, 'text', 'by hand', '{}') RETURNING id`, org.ID, chans[0].ID, 1_000_000, conns[0].ID).Scan(&rowID), "insert by hand")
		if rowID <= maxID {
			t.Fatalf("a row inserted by hand got id %d, not above the last issued %d", rowID, maxID)
		}
		after := insert(99, 0)
		if after.ID <= rowID {
			t.Fatalf("the next message got id %d, not above %d", after.ID, rowID)
		}
		stored = append(stored, after)

		seen := map[int64]bool{}
		for _, m := range stored {
			if seen[m.ID] {
				t.Fatalf("id %d issued twice", m.ID)
			}
			seen[m.ID] = true
			got, err := s.Message(ctx, m.ID)
			testenv.Must(t, err, "message "+m.Summary)
			if got.Summary != m.Summary || got.ChannelID != m.ChannelID || got.Seq != m.Seq || string(got.Card) != string(m.Card) {
				t.Fatalf("message %d = %+v, want %+v", m.ID, got, m)
			}
		}
	})
}

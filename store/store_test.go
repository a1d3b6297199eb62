package store_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/testenv"
	"github.com/heraldhq/herald/ratelimit"
	"github.com/heraldhq/herald/store"
)

// each runs a conformance test against a fresh SQLite file and a fresh
// PostgreSQL database: the two dialects must behave the same.
func each(t *testing.T, fn func(t *testing.T, open func(opts store.Options) *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "herald.db")
		fn(t, func(opts store.Options) *store.Store { return mustOpen(t, path, opts) })
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := testenv.Postgres(t)
		fn(t, func(opts store.Options) *store.Store { return mustOpen(t, dsn, opts) })
	})
}

func mustOpen(t *testing.T, dsn string, opts store.Options) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func bootstrap(t *testing.T, s *store.Store) (*herald.Org, *herald.User) {
	t.Helper()
	org := &herald.Org{ID: herald.NewUUID(), Name: "Acme", Cloud: "commercial", OrgSettings: herald.OrgSettings{
		ConnectorsEnabled: true, ConnectorsEnabledForTeams: true, ConnectorsEnabledForOutlook: true, ConnectorsActionableMessagesEnabled: true}}
	admin := &herald.User{ID: herald.NewUUID(), Name: "admin"}
	created, err := s.Bootstrap(context.Background(), org, admin, []byte("hash-of-admin-token"))
	testenv.Must(t, err, "bootstrap")
	if !created {
		t.Fatal("bootstrap of an empty store reported created=false")
	}
	return org, admin
}

func TestBootstrapOnce(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		org, admin := bootstrap(t, s)
		again, err := s.Bootstrap(ctx, &herald.Org{ID: herald.NewUUID(), Name: "Other"}, &herald.User{ID: herald.NewUUID()}, []byte("x"))
		testenv.Must(t, err, "second bootstrap")
		if again {
			t.Fatal("second bootstrap created another organization")
		}
		got, err := s.Org(ctx)
		testenv.Must(t, err, "org")
		if got.ID != org.ID || got.Name != "Acme" || got.Cloud != "commercial" || got.OrgSettings != org.OrgSettings {
			t.Fatalf("org = %+v, want %+v", got, org)
		}
		u, err := s.UserByTokenHash(ctx, []byte("hash-of-admin-token"))
		testenv.Must(t, err, "user by token")
		if u.ID != admin.ID || !u.OrgAdmin || u.OrgID != org.ID {
			t.Fatalf("admin = %+v", u)
		}
		if _, err := s.UserByTokenHash(ctx, []byte("wrong")); herald.ErrorCode(err) != herald.EUnauthorized {
			t.Fatalf("wrong token: err = %v, want unauthorized", err)
		}
	})
}

func TestTeamsAndChannels(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		org, admin := bootstrap(t, s)
		team, err := s.CreateTeam(ctx, admin, "Platform")
		testenv.Must(t, err, "create team")
		chans, err := s.Channels(ctx, team.ID)
		testenv.Must(t, err, "channels")
		if len(chans) != 1 || chans[0].Name != store.GeneralChannel {
			t.Fatalf("a new team's channels = %+v, want only General", chans)
		}
		c, err := s.CreateChannel(ctx, admin, team, "alerts")
		testenv.Must(t, err, "create channel")
		if _, err := s.CreateChannel(ctx, admin, team, "alerts"); herald.ErrorCode(err) != herald.EConflict {
			t.Fatalf("duplicate channel name: err = %v, want conflict", err)
		}
		got, err := s.Channel(ctx, c.ID)
		testenv.Must(t, err, "channel")
		if got.TeamID != team.ID || got.Name != "alerts" || got.MessageCount != 0 {
			t.Fatalf("channel = %+v", got)
		}
		if _, err := s.Channel(ctx, herald.NewUUID()); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("unknown channel: err = %v, want not_found", err)
		}
		chans, _ = s.Channels(ctx, team.ID)
		if len(chans) != 2 || chans[0].Name != "General" || chans[1].Name != "alerts" {
			t.Fatalf("channels = %+v", chans)
		}
		teams, err := s.Teams(ctx, org.ID)
		testenv.Must(t, err, "teams")
		if len(teams) != 1 || teams[0].ID != team.ID {
			t.Fatalf("teams = %+v", teams)
		}
	})
}

func newConnection(t *testing.T, s *store.Store, ch *herald.Channel, creator string) *herald.Connection {
	t.Helper()
	c := &herald.Connection{ID: herald.NewConnectionID(), OrgID: ch.OrgID, TeamID: ch.TeamID, ChannelID: ch.ID,
		Connector: herald.ConnectorIncomingWebhook, Name: "CI", CreatorID: creator, SlackID: herald.NewSlackID('B')}
	testenv.Must(t, s.CreateConnection(context.Background(), &herald.User{ID: creator, Name: "creator", OrgID: ch.OrgID}, c, store.ConnectionSecrets{
		TokenSalt: "salt", KeyID: "k1", TokenHash: []byte("th"), SlackTokenHash: []byte("sh")}), "create connection")
	return c
}

func TestConnections(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		_, admin := bootstrap(t, s)
		team, _ := s.CreateTeam(ctx, admin, "T")
		chans, _ := s.Channels(ctx, team.ID)
		c := newConnection(t, s, chans[0], admin.ID)

		got, sec, err := s.ConnectionWithSecrets(ctx, c.ID)
		testenv.Must(t, err, "connection")
		if got.Name != "CI" || got.SlackID != c.SlackID || sec.TokenSalt != "salt" || string(sec.TokenHash) != "th" || string(sec.SlackTokenHash) != "sh" || sec.KeyID != "k1" {
			t.Fatalf("connection = %+v, secrets = %+v", got, sec)
		}
		id, err := s.ConnectionIDBySlackID(ctx, c.SlackID)
		if err != nil || id != c.ID {
			t.Fatalf("by slack id = %q, %v", id, err)
		}
		list, secs, err := s.Connections(ctx, chans[0].ID)
		testenv.Must(t, err, "connections")
		if len(list) != 1 || len(secs) != 1 || list[0].ID != c.ID || secs[0].TokenSalt != "salt" {
			t.Fatalf("connections = %+v", list)
		}

		testenv.Must(t, s.DeleteConnection(ctx, admin, c.ID), "delete")
		if err := s.DeleteConnection(ctx, admin, c.ID); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("second delete: err = %v, want not_found", err)
		}
		if _, err := s.Connection(ctx, c.ID); herald.ErrorCode(err) != herald.ENotFound {
			t.Fatalf("removed connection: err = %v, want not_found", err)
		}
		// The webhook path still sees it, marked removed, to answer 410.
		got, _, err = s.ConnectionWithSecrets(ctx, c.ID)
		if err != nil || got.DeletedAt == nil {
			t.Fatalf("removed connection with secrets = %+v, %v", got, err)
		}
		list, _, _ = s.Connections(ctx, chans[0].ID)
		if len(list) != 0 {
			t.Fatalf("removed connection still listed: %+v", list)
		}
	})
}

func TestMessagesGroupCommit(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		var mu sync.Mutex
		var published []int64
		s := open(store.Options{OnCommit: func(ms []*herald.Message) {
			mu.Lock()
			defer mu.Unlock()
			for _, m := range ms {
				published = append(published, m.ID)
			}
		}})
		org, admin := bootstrap(t, s)
		team, _ := s.CreateTeam(ctx, admin, "T")
		chans, _ := s.Channels(ctx, team.ID)
		ch := chans[0]
		c := newConnection(t, s, ch, admin.ID)

		// Many concurrent writers: every insert returns only once committed,
		// with a unique id, and counters add up exactly.
		const writers, each = 16, 25
		var wg sync.WaitGroup
		ids := make(chan int64, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					m := &herald.Message{OrgID: org.ID, ChannelID: ch.ID, ConnectionID: c.ID, Format: "text",
						Summary: "hello", Card: json.RawMessage(`{"type":"AdaptiveCard","body":[]}`)}
					if err := s.InsertMessage(ctx, m); err != nil {
						t.Errorf("writer %d insert %d: %v", w, i, err)
						return
					}
					if m.ID == 0 || m.CreatedAt.IsZero() {
						t.Errorf("insert did not fill id/created_at: %+v", m)
					}
					ids <- m.ID
				}
			})
		}
		wg.Wait()
		close(ids)
		seen := map[int64]bool{}
		for id := range ids {
			if seen[id] {
				t.Fatalf("id %d issued twice", id)
			}
			seen[id] = true
		}
		if len(seen) != writers*each {
			t.Fatalf("stored %d messages, want %d", len(seen), writers*each)
		}
		got, _ := s.Channel(ctx, ch.ID)
		if got.MessageCount != writers*each {
			t.Fatalf("message_count = %d, want %d", got.MessageCount, writers*each)
		}
		conn, _ := s.Connection(ctx, c.ID)
		if conn.DeliveredCount != writers*each || conn.LastDeliveryAt == nil {
			t.Fatalf("connection stats = %d, %v", conn.DeliveredCount, conn.LastDeliveryAt)
		}
		mu.Lock()
		if len(published) != writers*each {
			t.Fatalf("OnCommit saw %d messages, want %d", len(published), writers*each)
		}
		for i := 1; i < len(published); i++ {
			if published[i] <= published[i-1] {
				t.Fatalf("OnCommit out of id order at %d: %d after %d", i, published[i], published[i-1])
			}
		}
		mu.Unlock()

		// Paging: newest first, before= excludes, MessagesAfter oldest first.
		page, err := s.Messages(ctx, ch.ID, 0, 10)
		testenv.Must(t, err, "messages")
		if len(page) != 10 || page[0].ID <= page[9].ID {
			t.Fatalf("first page not newest first: %d items", len(page))
		}
		next, _ := s.Messages(ctx, ch.ID, page[9].ID, 10)
		if len(next) != 10 || next[0].ID >= page[9].ID {
			t.Fatalf("second page does not continue before %d", page[9].ID)
		}
		after, _ := s.MessagesAfter(ctx, ch.ID, next[9].ID, 5)
		if len(after) != 5 || after[0].ID <= next[9].ID || after[0].ID > after[4].ID {
			t.Fatalf("MessagesAfter = %d items", len(after))
		}
		if string(page[0].Card) != `{"type":"AdaptiveCard","body":[]}` || page[0].Summary != "hello" || page[0].ConnectionID != c.ID {
			t.Fatalf("message round trip = %+v", page[0])
		}
	})
}

func TestInsertAfterClose(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		s := open(store.Options{})
		s.Close()
		err := s.InsertMessage(context.Background(), &herald.Message{})
		if err == nil {
			t.Fatal("insert into a closed store succeeded")
		}
	})
}

func TestBadMessageDoesNotFailItsBatch(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		org, admin := bootstrap(t, s)
		team, _ := s.CreateTeam(ctx, admin, "T")
		chans, _ := s.Channels(ctx, team.ID)
		c := newConnection(t, s, chans[0], admin.ID)
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range errs {
			wg.Go(func() {
				ch := chans[0].ID
				if i%10 == 0 {
					ch = herald.NewUUID() // violates the channel foreign key
				}
				errs[i] = s.InsertMessage(ctx, &herald.Message{OrgID: org.ID, ChannelID: ch, ConnectionID: c.ID,
					Format: "text", Summary: "x", Card: json.RawMessage(`{}`)})
			})
		}
		wg.Wait()
		for i, err := range errs {
			if (i%10 == 0) != (err != nil) {
				t.Errorf("insert %d: err = %v", i, err)
			}
		}
		got, _ := s.Channel(ctx, chans[0].ID)
		if got.MessageCount != 36 {
			t.Fatalf("message_count = %d, want 36", got.MessageCount)
		}
	})
}

func TestRateLimiterSharedAcrossStores(t *testing.T) {
	// Two Store values on one database stand for two nodes: they must
	// count against the same windows.
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		a, b := open(store.Options{}), open(store.Options{})
		windows := []ratelimit.Window{{Length: time.Second, Max: 4}, {Length: 30 * time.Second, Max: 6}}
		la, lb := a.RateLimiter(windows), b.RateLimiter(windows)
		ctx := context.Background()
		now := time.Unix(1_800_000_000, 0) // a window boundary for 1 s and 30 s
		for i := range 4 {
			l := la
			if i%2 == 1 {
				l = lb
			}
			if wait, err := l.Allow(ctx, "conn", now); err != nil || wait != 0 {
				t.Fatalf("request %d: wait %v, err %v", i, wait, err)
			}
		}
		wait, err := lb.Allow(ctx, "conn", now.Add(500*time.Millisecond))
		if err != nil || wait != time.Second {
			t.Fatalf("5th request in the same second: wait %v, err %v; want 1s", wait, err)
		}
		// Next second: the 1 s window resets, the 30 s window allows 2 more.
		for i := range 2 {
			if wait, err := la.Allow(ctx, "conn", now.Add(time.Second)); err != nil || wait != 0 {
				t.Fatalf("next second, request %d: wait %v, err %v", i, wait, err)
			}
		}
		wait, _ = la.Allow(ctx, "conn", now.Add(2*time.Second))
		if wait != 28*time.Second {
			t.Fatalf("30 s window full: wait %v, want 28s", wait)
		}
		if wait, _ := la.Allow(ctx, "other", now.Add(2*time.Second)); wait != 0 {
			t.Fatalf("another connection was throttled: wait %v", wait)
		}
		if wait, _ := lb.Allow(ctx, "conn", now.Add(30*time.Second)); wait != 0 {
			t.Fatalf("after the 30 s window: wait %v", wait)
		}
	})
}

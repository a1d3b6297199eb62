package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/internal/testenv"
	"github.com/heraldhq/herald/store"
)

// feedConnection bootstraps s and returns a connection in a new team's
// General channel.
func feedConnection(t *testing.T, s *store.Store) *herald.Connection {
	t.Helper()
	ctx := context.Background()
	_, admin := bootstrap(t, s)
	team, err := s.CreateTeam(ctx, admin, "T")
	testenv.Must(t, err, "create team")
	chans, err := s.Channels(ctx, team.ID)
	testenv.Must(t, err, "channels")
	return newConnection(t, s, chans[0], admin.ID)
}

func feedMessage(title string) *herald.Message {
	return &herald.Message{Format: "rss", Summary: title, Card: []byte(`{"type":"AdaptiveCard","version":"1.5","body":[]}`)}
}

// Two polls racing with the same new items (a scheduled poll and "refresh
// now", maybe on two nodes) post each item once, and the channel's seq
// stays gapless.
func TestFeedPollsPostEachItemOnce(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		var published atomic.Int64
		s := open(store.Options{OnCommit: func(ms []*herald.Message) { published.Add(int64(len(ms))) }})
		c := feedConnection(t, s)

		const racers = 8
		var wg sync.WaitGroup
		posted := make([]int, racers)
		for i := range racers {
			wg.Go(func() {
				now := time.Now()
				p := &store.FeedPoll{Conn: c, Seen: []string{"a", "b", "c"},
					Posts: []store.FeedPost{{Key: "b", Message: feedMessage("B")}, {Key: "c", Message: feedMessage("C")}},
					State: herald.FeedState{LastStatus: herald.FeedOK, LastPollAt: &now, LastOKAt: &now, Primed: true, ETag: `"v1"`}}
				testenv.Must(t, s.SavePolls(ctx, []*store.FeedPoll{p}), "save poll")
				posted[i] = len(p.Posted)
			})
		}
		wg.Wait()
		total := 0
		for _, n := range posted {
			total += n
		}
		if total != 2 || published.Load() != 2 {
			t.Fatalf("racing polls posted %d messages (%d published), want 2", total, published.Load())
		}
		msgs, err := s.Messages(ctx, c.ChannelID, 0, 10)
		testenv.Must(t, err, "messages")
		if len(msgs) != 2 || msgs[1].Summary != "B" || msgs[0].Summary != "C" || msgs[1].Seq != 1 || msgs[0].Seq != 2 {
			t.Fatalf("messages: %+v", msgs)
		}
		st, err := s.FeedState(ctx, c.ID)
		testenv.Must(t, err, "feed state")
		if st.Polls != racers || st.ItemsPosted != 2 || !st.Primed || st.ETag != `"v1"` || st.LastStatus != herald.FeedOK {
			t.Fatalf("state: %+v", st)
		}
		seen, err := s.SeenKeys(ctx, c.ID, []string{"a", "c", "z"})
		testenv.Must(t, err, "seen keys")
		if !seen["a"] || !seen["c"] || seen["z"] || len(seen) != 2 {
			t.Fatalf("seen: %v", seen)
		}

		// A failure keeps what the last success learnt.
		later := time.Now().Add(time.Minute)
		testenv.Must(t, s.SavePolls(ctx, []*store.FeedPoll{{Conn: c, State: herald.FeedState{
			LastStatus: herald.FeedError, LastError: "boom", Failures: 1, LastPollAt: &later, NextPollAt: &later}}}), "save failure")
		st, _ = s.FeedState(ctx, c.ID)
		if !st.Primed || st.LastOKAt == nil || st.Failures != 1 || st.LastError != "boom" || st.ItemsPosted != 2 {
			t.Fatalf("after a failure: %+v", st)
		}
	})
}

// A batch in which one poll cannot be saved (its channel is gone) saves the
// others.
func TestFeedPollsBatchSurvivesABadPoll(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		good := feedConnection(t, s)
		bad := *good
		bad.ID = herald.NewConnectionID() // not stored
		now := time.Now()
		polls := []*store.FeedPoll{
			{Conn: &bad, Seen: []string{"x"}, Posts: []store.FeedPost{{Key: "x", Message: feedMessage("X")}}, State: herald.FeedState{LastPollAt: &now}},
			{Conn: good, Seen: []string{"y"}, Posts: []store.FeedPost{{Key: "y", Message: feedMessage("Y")}}, State: herald.FeedState{LastPollAt: &now}},
		}
		if err := s.SavePolls(ctx, polls); err == nil {
			t.Fatal("saving a poll of a connection that does not exist succeeded")
		}
		if polls[0].Err == nil || polls[1].Err != nil || len(polls[1].Posted) != 1 {
			t.Fatalf("errors %v, %v; posted %d", polls[0].Err, polls[1].Err, len(polls[1].Posted))
		}
	})
}

// Keys the feed no longer lists are forgotten after SeenRetention; keys it
// still lists never are.
func TestFeedSeenKeysRetention(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		clock := time.Now()
		s := open(store.Options{Now: func() time.Time { return clock }})
		c := feedConnection(t, s)
		save := func(listed []string, seen ...string) {
			p := &store.FeedPoll{Conn: c, Seen: seen, Listed: listed, State: herald.FeedState{LastPollAt: &clock}}
			for _, k := range seen {
				p.Posts = append(p.Posts, store.FeedPost{Key: k, Message: feedMessage(k)})
			}
			testenv.Must(t, s.SavePolls(ctx, []*store.FeedPoll{p}), "save")
		}
		save([]string{"old", "kept"}, "old", "kept")
		clock = clock.Add(store.SeenRetention + time.Hour)
		save([]string{"new", "kept"}, "new") // "old" left the feed long after it was seen
		seen, err := s.SeenKeys(ctx, c.ID, []string{"old", "kept", "new"})
		testenv.Must(t, err, "seen")
		if seen["old"] || !seen["kept"] || !seen["new"] {
			t.Fatalf("after retention: %v", seen)
		}
	})
}

// A poll of a feed's old address, saved after the address was changed,
// does not mark the new one as polled: its first poll stays a first poll.
func TestFeedPollOfAnOldAddress(t *testing.T) {
	each(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		c := feedConnection(t, s)
		polled := *c
		polled.Config.URL = "https://old.example.com/feed"
		testenv.Must(t, s.ResetFeed(ctx, c.ID), "reset") // the address changed meanwhile (c's URL is "")
		now := time.Now()
		moved := herald.ConnectionConfig{URL: "https://old.example.com/moved"}
		testenv.Must(t, s.SavePolls(ctx, []*store.FeedPoll{{Conn: &polled, Config: &moved, Seen: []string{"a"},
			State: herald.FeedState{LastStatus: herald.FeedOK, LastPollAt: &now, Primed: true, ETag: `"old"`}}}), "save")
		st, err := s.FeedState(ctx, c.ID)
		testenv.Must(t, err, "state")
		if st.Primed || st.ETag != "" || st.Polls != 1 {
			t.Fatalf("after a poll of the old address: %+v", st)
		}
		got, err := s.Connection(ctx, c.ID)
		testenv.Must(t, err, "connection")
		if got.Config.URL != "" {
			t.Fatalf("a redirect of the old address moved the new one to %q", got.Config.URL)
		}
		// A poll of the current address is saved as it is.
		testenv.Must(t, s.SavePolls(ctx, []*store.FeedPoll{{Conn: c,
			State: herald.FeedState{LastStatus: herald.FeedOK, LastPollAt: &now, Primed: true, ETag: `"new"`}}}), "save")
		if st, _ = s.FeedState(ctx, c.ID); !st.Primed || st.ETag != `"new"` {
			t.Fatalf("after a poll of the current address: %+v", st)
		}
	})
}

package store

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/card"
)

// The group-commit writer is Herald's ingest bottleneck on SQLite. These
// benchmarks run it against a real SQLite file with synchronous=FULL:
//
//	go test ./store -run '^$' -bench WriteBatch -benchtime 300x
//
// BenchmarkWriteBatch commits fixed batches from the benchmark goroutine, so
// that the work per batch does not depend on how posts happen to group (what
// the load decides): its instruction count is repeatable under
// valgrind --tool=callgrind whatever else the machine does.
// BenchmarkInsertMessageParallel is the real path with 64 concurrent
// senders. See docs/benchmarks.md.

// benchStore opens a SQLite store with one channel and one incoming webhook,
// and returns it with a message template carrying the card the ingest
// benchmark posts, converted as the webhook path converts it.
func benchStore(b testing.TB, opts Options) (*Store, herald.Message) {
	b.Helper()
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(b.TempDir(), "herald.db"), opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	org := &herald.Org{ID: herald.NewUUID(), Name: "Bench", Cloud: "commercial"}
	admin := &herald.User{ID: herald.NewUUID(), Name: "admin"}
	if _, err := s.Bootstrap(ctx, org, admin, []byte("token-hash")); err != nil {
		b.Fatal(err)
	}
	admin.OrgID, admin.OrgAdmin = org.ID, true
	team, err := s.CreateTeam(ctx, admin, "Bench")
	if err != nil {
		b.Fatal(err)
	}
	chans, err := s.Channels(ctx, team.ID)
	if err != nil {
		b.Fatal(err)
	}
	c := &herald.Connection{ID: herald.NewConnectionID(), OrgID: org.ID, TeamID: team.ID, ChannelID: chans[0].ID,
		Connector: herald.ConnectorIncomingWebhook, Name: "CI", CreatorID: admin.ID, SlackID: herald.NewSlackID('B')}
	if err := s.CreateConnection(ctx, admin, c, ConnectionSecrets{TokenSalt: "salt", KeyID: "k", TokenHash: []byte("t"), SlackTokenHash: []byte("s")}); err != nil {
		b.Fatal(err)
	}
	body, err := os.ReadFile("../bench/ingest/testdata/messagecard.json")
	if err != nil {
		b.Fatal(err)
	}
	parsed, err := card.Parse("application/json", body)
	if err != nil {
		b.Fatal(err)
	}
	return s, herald.Message{OrgID: org.ID, ChannelID: c.ChannelID, ConnectionID: c.ID,
		Format: string(parsed.Format), Summary: parsed.Summary, Card: parsed.Card}
}

// BenchmarkWriteBatch commits batches through the writer's commit path: of
// 23 messages, the mean batch of the ingest benchmark at 64 senders, and of
// 1 and 64, to tell the cost of a commit from the cost of a message.
func BenchmarkWriteBatch(b *testing.B) {
	for _, size := range []int{1, 23, 64} {
		b.Run(strconv.Itoa(size), func(b *testing.B) { benchWriteBatch(b, size) })
	}
}

func benchWriteBatch(b *testing.B, size int) {
	s, tmpl := benchStore(b, Options{})
	// No background checkpoints: they run on a timer, and would make the
	// instruction count of a run depend on how long it took.
	close(s.cpStop)
	<-s.cpDone
	s.cp.Close()
	s.cp = nil
	// The same requests are committed again and again: what the senders
	// do before they queue is not the writer's work.
	batch := make([]*insertReq, size)
	for i := range batch {
		m := tmpl
		batch[i] = benchReq(s, &m)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.batch.commit(batch)
		for _, r := range batch {
			<-r.done
			if r.err != nil {
				b.Fatal(r.err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*size), "ns/msg")
}

// BenchmarkInsertMessageParallel is InsertMessage from 64 goroutines, as the
// webhook handlers call it at 64 concurrent posts.
func BenchmarkInsertMessageParallel(b *testing.B) {
	s, tmpl := benchStore(b, Options{})
	ctx := context.Background()
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m := tmpl
			if err := s.InsertMessage(ctx, &m); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// benchReq is what InsertMessage queues for m.
func benchReq(s *Store, m *herald.Message) *insertReq {
	m.CreatedAt = fromMS(ms(s.now()))
	return &insertReq{m: m, args: messageArgs(m), done: make(chan struct{}, 1)}
}

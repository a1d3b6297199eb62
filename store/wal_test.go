package store

import (
	"context"
	"encoding/binary"
	"os"
	"sync"
	"testing"
	"time"
)

// Under a load that never pauses, the WAL must still be written from its
// start again after checkpoints: otherwise it grows by every commit for as
// long as the load lasts. SQLite counts those restarts in the WAL header's
// checkpoint sequence number (bytes 12-15), which this test reads from the
// file while writers keep the store busy.
func TestWALRestartsUnderSteadyLoad(t *testing.T) {
	const every = 40 * time.Millisecond
	s, tmpl := benchStore(t, Options{CheckpointEvery: every})
	var seq int
	var name, file string
	if err := s.rdb.QueryRow(`PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	wal := file + "-wal"

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var mu sync.Mutex
	var inserted int
	var insertErr error
	for range 16 {
		wg.Go(func() {
			for ctx.Err() == nil {
				m := tmpl
				err := s.InsertMessage(context.Background(), &m)
				mu.Lock()
				if err != nil && insertErr == nil {
					insertErr = err
				}
				inserted++
				mu.Unlock()
			}
		})
	}
	// The first commit creates the WAL.
	var first uint32
	deadline := time.Now().Add(10 * time.Second)
	for {
		seq, err := walCheckpointSeq(wal)
		if err == nil {
			first = seq
			break
		}
		if time.Now().After(deadline) {
			cancel()
			wg.Wait()
			t.Fatalf("no WAL header after 10 s: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(25 * every)
	last, err := walCheckpointSeq(wal)
	cancel()
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if insertErr != nil {
		t.Fatal(insertErr)
	}
	// About one restart per checkpoint is expected; five leaves room for a
	// slow machine, where a catch-up may find a reader in the way.
	restarts := last - first
	t.Logf("%d restarts, %d messages", restarts, inserted)
	if restarts < 5 {
		t.Errorf("the WAL started over %d times in %v of steady writes (%d messages, a checkpoint every %v); want at least 5",
			restarts, 25*every, inserted, every)
	}
}

// walCheckpointSeq reads the checkpoint sequence number from a WAL file's
// header.
func walCheckpointSeq(path string) (uint32, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var hdr [32]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(hdr[12:16]), nil
}

// A background checkpoint that a reader held back leaves more than the
// writer should copy on its path: the writer is asked to catch up only
// after a round that copied every frame it found.
func TestCatchUpOnlyAfterACompleteCheckpoint(t *testing.T) {
	s, tmpl := benchStore(t, Options{})
	// Run the rounds by hand: stop the background ones.
	close(s.cpStop)
	<-s.cpDone
	t.Cleanup(func() {
		s.cp.Close()
		s.cp = nil
	})
	ctx := context.Background()
	insert := func(n int) {
		t.Helper()
		for range n {
			m := tmpl
			if err := s.InsertMessage(ctx, &m); err != nil {
				t.Fatal(err)
			}
		}
	}
	insert(10)
	// A read transaction keeps its snapshot until it ends; the frames
	// committed after it started cannot be copied meanwhile.
	reader, err := s.rdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := reader.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	insert(10)
	s.walBehind.Store(false)
	s.checkpoint()
	if s.walBehind.Load() {
		t.Error("a checkpoint held back by a reader asked the writer to copy the rest")
	}
	if err := reader.Rollback(); err != nil {
		t.Fatal(err)
	}
	insert(1)
	s.checkpoint()
	if !s.walBehind.Load() {
		t.Error("a complete checkpoint did not ask the writer to catch up")
	}
}

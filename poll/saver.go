package poll

import (
	"context"
	"sync"

	"github.com/heraldhq/herald/store"
)

// saver group-commits poll outcomes: a round in which thousands of feeds
// answer 304 within moments becomes a few transactions instead of one
// commit (and, on SQLite, one fsync) per feed. A poll waits for its outcome
// to be committed, so that its job is rescheduled only after.
type saver struct {
	st   *store.Store
	reqs chan *saveReq
	wg   sync.WaitGroup
	mu   sync.RWMutex // held for reading while sending on reqs
	done bool
}

type saveReq struct {
	poll *store.FeedPoll
	err  chan error
}

// maxSave bounds one transaction.
const maxSave = 256

func newSaver(st *store.Store) *saver {
	s := &saver{st: st, reqs: make(chan *saveReq, maxSave)}
	s.wg.Add(1)
	go s.loop()
	return s
}

func (s *saver) save(ctx context.Context, p *store.FeedPoll) error {
	r := &saveReq{poll: p, err: make(chan error, 1)}
	s.mu.RLock()
	if s.done {
		s.mu.RUnlock()
		return errClosed
	}
	select {
	case s.reqs <- r:
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	s.mu.RUnlock()
	return <-r.err
}

func (s *saver) loop() {
	defer s.wg.Done()
	batch := make([]*saveReq, 0, maxSave)
	polls := make([]*store.FeedPoll, 0, maxSave)
	for r := range s.reqs {
		batch = append(batch[:0], r)
	drain:
		for len(batch) < maxSave {
			select {
			case r, ok := <-s.reqs:
				if !ok {
					break drain
				}
				batch = append(batch, r)
			default:
				break drain
			}
		}
		polls = polls[:0]
		for _, r := range batch {
			polls = append(polls, r.poll)
		}
		// Saved outside any caller's context: a poll that was fetched
		// should be recorded even if its caller gave up meanwhile.
		s.st.SavePolls(context.Background(), polls)
		for _, r := range batch {
			r.err <- r.poll.Err
		}
	}
}

// close saves what is queued and stops.
func (s *saver) close() {
	s.mu.Lock()
	if s.done {
		s.mu.Unlock()
		return
	}
	s.done = true
	close(s.reqs)
	s.mu.Unlock()
	s.wg.Wait()
}

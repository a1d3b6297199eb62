package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/heraldhq/herald"
)

// InsertMessage stores m and returns once it is committed, so that the
// webhook can answer "1" knowing the message is durable. Concurrent calls are
// grouped into one transaction (group commit): SQLite pays one fsync per
// batch instead of one per message, which is what lets one node take tens of
// thousands of webhooks per second. It fills m.ID and m.CreatedAt.
func (s *Store) InsertMessage(ctx context.Context, m *herald.Message) error {
	m.CreatedAt = fromMS(ms(s.now()))
	return s.batch.insert(ctx, m)
}

// maxBatch bounds one group commit, so that a burst cannot hold the single
// SQLite writer for long and latency stays even.
const maxBatch = 256

// rowArgs is the number of INSERT arguments of one message: id (SQLite
// only), then the columns. The writer fills in idArg and seqArg.
const (
	rowArgs = 9
	idArg   = 0
	seqArg  = 3
)

type insertReq struct {
	m *herald.Message
	// args are the message's INSERT arguments, built by the sender before it
	// queues (string(m.Card) copies the card): the writer is the bottleneck,
	// the senders run in parallel. The writer fills in the id and seq.
	args [rowArgs]any
	err  error
	done chan struct{}
}

type batcher struct {
	s    *Store
	reqs chan *insertReq
	quit chan struct{}
	wg   sync.WaitGroup

	mu     sync.RWMutex // held for reading while sending on reqs
	closed bool

	pool sync.Pool // *insertReq, to keep the hot path free of allocations

	// Owned by the writer goroutine: statements prepared once, and buffers
	// reused from batch to batch.
	countStmt *sql.Stmt // UPDATE channels ... RETURNING
	statStmt  *sql.Stmt // UPDATE connections (delivery statistics)
	lastStmt  *sql.Stmt // SQLite: the last message id issued
	args      []any
	bySeq     map[seqKey]*herald.Message
}

func newBatcher(s *Store) *batcher {
	b := &batcher{s: s, reqs: make(chan *insertReq, maxBatch), quit: make(chan struct{}),
		bySeq: make(map[seqKey]*herald.Message, maxBatch)}
	b.pool.New = func() any { return &insertReq{done: make(chan struct{}, 1)} }
	b.wg.Add(1)
	go b.loop()
	return b
}

var errClosed = errors.New("store: closed")

func (b *batcher) insert(ctx context.Context, m *herald.Message) error {
	r := b.pool.Get().(*insertReq)
	r.m, r.err = m, nil
	r.args = messageArgs(m)
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		r.release(&b.pool)
		return errClosed
	}
	select {
	case b.reqs <- r:
	case <-ctx.Done():
		b.mu.RUnlock()
		r.release(&b.pool)
		return ctx.Err()
	}
	b.mu.RUnlock()
	// Once queued, the request is committed or failed whatever the caller's
	// context says: waiting here is what makes the answer truthful.
	<-r.done
	err := r.err
	r.release(&b.pool)
	return err
}

// messageArgs returns m's INSERT arguments, id and seq left to the writer.
func messageArgs(m *herald.Message) [rowArgs]any {
	return [rowArgs]any{nil, m.OrgID, m.ChannelID, nil, m.ConnectionID, ms(m.CreatedAt), m.Format, m.Summary, string(m.Card)}
}

// release returns r to the pool without what it points to.
func (r *insertReq) release(pool *sync.Pool) {
	r.m, r.args = nil, [rowArgs]any{}
	pool.Put(r)
}

// close stops accepting messages, commits those already queued, and waits.
func (b *batcher) close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	b.mu.Unlock()
	close(b.quit)
	b.wg.Wait()
	for _, st := range []*sql.Stmt{b.countStmt, b.statStmt, b.lastStmt} {
		if st != nil {
			st.Close()
		}
	}
}

func (b *batcher) loop() {
	defer b.wg.Done()
	batch := make([]*insertReq, 0, maxBatch)
	last := 0 // the size of the previous batch
	for {
		select {
		case r := <-b.reqs:
			batch = append(batch[:0], r)
		case <-b.quit:
			// No sender remains (close waited for them); commit the rest.
			for {
				batch = batch[:0]
				for len(batch) < maxBatch && len(b.reqs) > 0 {
					batch = append(batch, <-b.reqs)
				}
				if len(batch) == 0 {
					return
				}
				b.commit(batch)
			}
		}
		// Take whatever is already waiting. A lone message is not delayed;
		// but when the last batch was large, the senders it answered are
		// about to post again, and committing the first few of them alone
		// would spend a whole fsync on them: wait a moment for the rest.
		b.drain(&batch)
		if want := last / 2; len(batch) < want && last >= minGather {
			timer := time.NewTimer(gatherWait)
		gather:
			for len(batch) < want {
				select {
				case r := <-b.reqs:
					batch = append(batch, r)
					b.drain(&batch)
				case <-timer.C:
					break gather
				}
			}
			timer.Stop()
		}
		last = len(batch)
		b.commit(batch)
		if b.s.walBehind.Swap(false) {
			b.catchUp()
		}
	}
}

// catchUp copies into the database the WAL frames that the last background
// checkpoint left behind, on the writer's own connection between two
// transactions, so that the next transaction writes the WAL from its start
// again (see Store.checkpoint). It is the only checkpoint work on the
// writer's path: the frames of a few milliseconds and two syncs, once per
// checkpoint interval.
func (b *batcher) catchUp() {
	if _, err := b.s.db.Exec(`PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		slog.Warn("store: checkpoint on the writer", "error", err)
	}
}

// Gathering: after a batch of at least minGather messages, the next one
// waits up to gatherWait for half as many. Single posts never wait.
const (
	minGather  = 16
	gatherWait = 500 * time.Microsecond
)

// drain appends whatever is already queued, without waiting.
func (b *batcher) drain(batch *[]*insertReq) {
	for len(*batch) < maxBatch {
		select {
		case r := <-b.reqs:
			*batch = append(*batch, r)
		default:
			return
		}
	}
}

func (b *batcher) commit(batch []*insertReq) {
	err := b.write(batch)
	if err != nil && len(batch) > 1 {
		// One bad row must not fail its neighbours: retry each alone.
		slog.Warn("store: group commit failed, retrying one by one", "size", len(batch), "error", err)
		for i := range batch {
			one := batch[i : i+1]
			b.answer(one, b.write(one))
		}
		return
	}
	b.answer(batch, err)
}

// answer publishes a committed batch (err nil) and wakes its senders.
func (b *batcher) answer(batch []*insertReq, err error) {
	if err == nil {
		b.published(batch)
	}
	for _, r := range batch {
		if err != nil {
			r.m.ID = 0 // numbered by a transaction that rolled back
		}
		r.err = err
		r.done <- struct{}{}
	}
}

func (b *batcher) published(batch []*insertReq) {
	if b.s.onCommit == nil {
		return
	}
	msgs := make([]*herald.Message, len(batch))
	for i, r := range batch {
		msgs[i] = r.m
	}
	b.s.onCommit(msgs)
}

type connStat struct {
	n    int64
	last int64
}

// prepared returns *st, preparing query on the write pool the first time.
func (b *batcher) prepared(ctx context.Context, st **sql.Stmt, query string) (*sql.Stmt, error) {
	if *st == nil {
		p, err := b.s.db.PrepareContext(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("store: prepare: %w", err)
		}
		*st = p
	}
	return *st, nil
}

func (b *batcher) write(batch []*insertReq) error {
	ctx := context.Background()
	// Prepare the statements before the transaction takes the connection:
	// with SQLite's single write connection, preparing inside it would wait
	// for itself. A batch has at most two chunk sizes: full ones and the rest.
	var full, rest *sql.Stmt
	var err error
	if len(batch) >= insertChunk {
		if full, err = b.s.insertStatement(ctx, insertChunk); err != nil {
			return err
		}
	}
	if n := len(batch) % insertChunk; n > 0 {
		if rest, err = b.s.insertStatement(ctx, n); err != nil {
			return err
		}
	}
	count, err := b.prepared(ctx, &b.countStmt, `UPDATE channels SET message_count = message_count + $1 WHERE id = $2
		RETURNING message_count`)
	if err != nil {
		return err
	}
	stat, err := b.prepared(ctx, &b.statStmt, `UPDATE connections SET delivered_count = delivered_count + $1,
		last_delivery_at = $2 WHERE id = $3`)
	if err != nil {
		return err
	}
	var last *sql.Stmt
	if b.s.dialect == SQLite {
		// AUTOINCREMENT never reuses an id: the last one issued is the
		// larger of sqlite_sequence's and the largest in the table.
		if last, err = b.prepared(ctx, &b.lastStmt, `SELECT COALESCE(MAX(n), 0) FROM (
			SELECT MAX(id) AS n FROM messages UNION ALL SELECT seq FROM sqlite_sequence WHERE name = 'messages')`); err != nil {
			return err
		}
	}
	return b.s.inTx(ctx, func(tx *sql.Tx) error {
		// Number the messages per channel first. The UPDATE locks the
		// channel row until commit, so on PostgreSQL two nodes writing to one
		// channel commit in seq order. Channels are locked in sorted order so
		// that two batches never wait on each other in a cycle.
		perChannel := make(map[string]int64, 4)
		var channels []string
		for _, r := range batch {
			if perChannel[r.m.ChannelID] == 0 {
				channels = append(channels, r.m.ChannelID)
			}
			perChannel[r.m.ChannelID]++
		}
		slices.Sort(channels)
		next := make(map[string]int64, len(channels))
		countTx := tx.StmtContext(ctx, count)
		for _, id := range channels {
			var end int64
			err := countTx.QueryRowContext(ctx, perChannel[id], id).Scan(&end)
			if errors.Is(err, sql.ErrNoRows) {
				return notFound("Channel")
			} else if err != nil {
				return fmt.Errorf("store: count messages: %w", err)
			}
			next[id] = end - perChannel[id] + 1
		}

		// One multi-row INSERT per chunk: SQLite runs one statement instead
		// of one per message, which is most of the writer's time under load.
		// On SQLite the writer numbers the rows itself, after the last id
		// issued: this transaction holds the only write lock, so nobody can
		// take them meanwhile, and the INSERT needs no RETURNING, which
		// cost SQLite a third of the writer's instructions. On PostgreSQL,
		// where nodes share the identity sequence, RETURNING gives
		// (channel, seq) with each id, so ids are matched whatever order
		// the rows come back in.
		var id int64
		if last != nil {
			if err := tx.StmtContext(ctx, last).QueryRowContext(ctx).Scan(&id); err != nil {
				return fmt.Errorf("store: last message id: %w", err)
			}
		}
		conns := make(map[string]connStat, 4)
		clear(b.bySeq)
		for _, r := range batch {
			m := r.m
			m.Seq = next[m.ChannelID]
			next[m.ChannelID]++
			r.args[seqArg] = m.Seq
			if last != nil {
				id++
				m.ID = id
				r.args[idArg] = id
			} else {
				b.bySeq[seqKey{m.ChannelID, m.Seq}] = m
			}
			st := conns[m.ConnectionID]
			st.n++
			st.last = max(st.last, ms(m.CreatedAt))
			conns[m.ConnectionID] = st
		}
		for start := 0; start < len(batch); start += insertChunk {
			chunk := batch[start:min(start+insertChunk, len(batch))]
			st := full
			if len(chunk) < insertChunk {
				st = rest
			}
			if err := b.insertMessages(ctx, tx.StmtContext(ctx, st), chunk); err != nil {
				return err
			}
		}
		statTx := tx.StmtContext(ctx, stat)
		for id, st := range conns {
			if _, err := statTx.ExecContext(ctx, st.n, st.last, id); err != nil {
				return fmt.Errorf("store: count deliveries: %w", err)
			}
		}
		if b.s.notify != nil {
			msgs := make([]*herald.Message, len(batch))
			for i, r := range batch {
				msgs[i] = r.m
			}
			return b.s.notify(ctx, tx, msgs)
		}
		return nil
	})
}

// insertChunk bounds the rows of one INSERT (9 parameters each), well under
// SQLite's and PostgreSQL's parameter limits.
const insertChunk = 128

type seqKey struct {
	channel string
	seq     int64
}

// insertStatement returns the INSERT of n messages, prepared once per size
// on the write pool. SQLite gets anonymous "?" parameters: with "$N" names
// it looks each one up in a list, which grows quadratic with the row count.
// It also gets the ids (see write), PostgreSQL returns them.
func (s *Store) insertStatement(ctx context.Context, n int) (*sql.Stmt, error) {
	s.stmtMu.Lock()
	defer s.stmtMu.Unlock()
	if st := s.insertStmts[n]; st != nil {
		return st, nil
	}
	var b strings.Builder
	if s.dialect == SQLite {
		b.WriteString(`INSERT INTO messages (id, org_id, channel_id, seq, connection_id, created_at, format, summary, card) VALUES `)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
		}
	} else {
		b.WriteString(`INSERT INTO messages (org_id, channel_id, seq, connection_id, created_at, format, summary, card) VALUES `)
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			p := i * (rowArgs - 1)
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", p+1, p+2, p+3, p+4, p+5, p+6, p+7, p+8)
		}
		b.WriteString(` RETURNING id, channel_id, seq`)
	}
	st, err := s.db.PrepareContext(ctx, b.String())
	if err != nil {
		return nil, fmt.Errorf("store: prepare insert: %w", err)
	}
	if s.insertStmts == nil {
		s.insertStmts = make(map[int]*sql.Stmt)
	}
	s.insertStmts[n] = st
	return st, nil
}

// insertMessages runs st, the INSERT of len(chunk) rows, and on PostgreSQL
// fills in the messages' ids.
func (b *batcher) insertMessages(ctx context.Context, st *sql.Stmt, chunk []*insertReq) error {
	args := b.args[:0]
	for _, r := range chunk {
		if b.s.dialect == SQLite {
			args = append(args, r.args[:]...)
		} else {
			args = append(args, r.args[idArg+1:]...)
		}
	}
	b.args = args
	defer clear(args) // keep no card alive until the next batch
	if b.s.dialect == SQLite {
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("store: insert messages: %w", err)
		}
		return nil
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("store: insert messages: %w", err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var k seqKey
		var id int64
		if err := rows.Scan(&id, &k.channel, &k.seq); err != nil {
			return fmt.Errorf("store: insert messages: %w", err)
		}
		if m := b.bySeq[k]; m != nil {
			m.ID = id
			n++
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: insert messages: %w", err)
	}
	if n != len(chunk) {
		return fmt.Errorf("store: insert messages: %d of %d ids returned", n, len(chunk))
	}
	return nil
}

const messageColumns = `id, channel_id, seq, connection_id, created_at, format, summary, card`

func (s *Store) queryMessages(ctx context.Context, query string, args ...any) ([]*herald.Message, error) {
	rows, err := s.rdb.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: messages: %w", err)
	}
	defer rows.Close()
	list := []*herald.Message{}
	for rows.Next() {
		var m herald.Message
		var created int64
		var card string
		if err := rows.Scan(&m.ID, &m.ChannelID, &m.Seq, &m.ConnectionID, &created, &m.Format, &m.Summary, &card); err != nil {
			return nil, fmt.Errorf("store: messages: %w", err)
		}
		m.CreatedAt, m.Card = fromMS(created), []byte(card)
		list = append(list, &m)
	}
	return list, rows.Err()
}

// Messages returns up to limit messages of a channel, newest first, older
// than the message with id before (0: from the newest).
func (s *Store) Messages(ctx context.Context, channelID string, before int64, limit int) ([]*herald.Message, error) {
	if before <= 0 {
		return s.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages
			WHERE channel_id = $1 ORDER BY seq DESC LIMIT $2`, channelID, limit)
	}
	return s.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE channel_id = $1 AND seq < (SELECT seq FROM messages WHERE id = $2 AND channel_id = $1)
		ORDER BY seq DESC LIMIT $3`, channelID, before, limit)
}

// MessagesAfter returns up to limit messages of a channel with a seq above
// after, oldest first: what a live stream replays on resume.
func (s *Store) MessagesAfter(ctx context.Context, channelID string, after int64, limit int) ([]*herald.Message, error) {
	return s.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages
		WHERE channel_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, channelID, after, limit)
}

// MessagesByID returns the messages with the given ids, by channel and seq.
func (s *Store) MessagesByID(ctx context.Context, ids []int64) ([]*herald.Message, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var b strings.Builder
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("$" + strconv.Itoa(i+1))
		args[i] = id
	}
	return s.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages WHERE id IN (`+b.String()+`)
		ORDER BY channel_id, seq`, args...)
}

// Message returns one message.
func (s *Store) Message(ctx context.Context, id int64) (*herald.Message, error) {
	list, err := s.queryMessages(ctx, `SELECT `+messageColumns+` FROM messages WHERE id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, notFound("Message")
	}
	return list[0], nil
}

// Package cluster tells the other Herald nodes sharing a PostgreSQL database
// what changed: new messages (for their live streams) and changed
// connections (to drop cached webhook data). It rides on PostgreSQL
// LISTEN/NOTIFY, which delivers a notification only when its transaction
// commits, so a node never hears of a row it cannot read yet.
//
// Payloads are "kind node data": kind names the event, node the sender
// (which ignores its own), data the ids. PostgreSQL caps a payload at 8000
// bytes, so ids go in chunks.
package cluster

import (
	"context"
	"database/sql"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
)

// Channel is the PostgreSQL notification channel.
const Channel = "herald_events"

// Event kinds.
const (
	KindMessages   = "m" // data: message ids, comma-separated
	KindConnection = "c" // data: a connection id
	KindPolicy     = "p" // data: "org" or a team id whose switches changed
)

// maxPayload keeps a notification well under PostgreSQL's 8000-byte limit.
const maxPayload = 7000

// Execer is a *sql.DB or *sql.Tx.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Bus sends and receives cluster events for one node.
type Bus struct {
	node     string
	handlers map[string]func(ctx context.Context, data []string)
	log      *slog.Logger
}

// New returns a bus for the node with this id.
func New(node string, log *slog.Logger) *Bus {
	return &Bus{node: node, handlers: make(map[string]func(context.Context, []string)), log: log}
}

// Handle registers the handler for events of kind sent by other nodes.
// Handlers run one at a time, in the order events were committed.
func (b *Bus) Handle(kind string, h func(ctx context.Context, data []string)) {
	b.handlers[kind] = h
}

// Send notifies the other nodes through ex: in a transaction, they hear of
// it when (and only if) it commits.
func (b *Bus) Send(ctx context.Context, ex Execer, kind string, data ...string) error {
	prefix := kind + " " + b.node + " "
	var sb strings.Builder
	flush := func() error {
		if sb.Len() == 0 {
			return nil
		}
		_, err := ex.ExecContext(ctx, `SELECT pg_notify($1, $2)`, Channel, prefix+sb.String())
		sb.Reset()
		return err
	}
	for _, d := range data {
		if sb.Len()+len(d)+len(prefix)+1 > maxPayload {
			if err := flush(); err != nil {
				return err
			}
		}
		if sb.Len() > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(d)
	}
	return flush()
}

// SendIDs is Send for numeric ids.
func (b *Bus) SendIDs(ctx context.Context, ex Execer, kind string, ids []int64) error {
	data := make([]string, len(ids))
	for i, id := range ids {
		data[i] = strconv.FormatInt(id, 10)
	}
	return b.Send(ctx, ex, kind, data...)
}

// Listen receives events on a dedicated connection to dsn until ctx ends,
// reconnecting after failures. ready, when not nil, is closed once the node
// is listening.
func (b *Bus) Listen(ctx context.Context, dsn string, ready chan<- struct{}) error {
	l := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			return pgx.Connect(ctx, dsn)
		},
		LogError: func(ctx context.Context, err error) {
			if ctx.Err() == nil {
				b.log.Warn("cluster: listener", "error", err)
			}
		},
		ReconnectDelay: time.Second,
	}
	l.Handle(Channel, &handler{b: b, ready: ready})
	return l.Listen(ctx)
}

type handler struct {
	b     *Bus
	ready chan<- struct{}
}

// HandleBacklog runs right after LISTEN succeeds: the node is now listening.
func (h *handler) HandleBacklog(context.Context, string, *pgx.Conn) error {
	if h.ready != nil {
		close(h.ready)
		h.ready = nil
	}
	return nil
}

func (h *handler) HandleNotification(ctx context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	kind, rest, _ := strings.Cut(n.Payload, " ")
	node, data, _ := strings.Cut(rest, " ")
	if node == h.b.node {
		return nil
	}
	if fn := h.b.handlers[kind]; fn != nil {
		fn(ctx, strings.Split(data, ","))
	}
	return nil
}

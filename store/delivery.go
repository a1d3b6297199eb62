package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/heraldhq/herald"
)

// keptDeliveries is how many deliveries each connection's log keeps.
const keptDeliveries = 100

// RecordDelivery adds to a connection's delivery log and drops entries
// beyond the newest keptDeliveries.
func (s *Store) RecordDelivery(ctx context.Context, connectionID string, d *herald.Delivery) error {
	d.At = fromMS(ms(s.now()))
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO deliveries (connection_id, at, event, outcome, reason, size, messages)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			connectionID, ms(d.At), d.Event, d.Outcome, d.Reason, d.Size, d.Messages).Scan(&d.ID); err != nil {
			return fmt.Errorf("store: record delivery: %w", err)
		}
		if d.ID%10 == 0 { // prune now and then, not on every delivery
			if _, err := tx.ExecContext(ctx, `DELETE FROM deliveries WHERE connection_id = $1 AND id <= $2`,
				connectionID, d.ID-keptDeliveries); err != nil {
				return fmt.Errorf("store: prune deliveries: %w", err)
			}
		}
		return nil
	})
}

// Deliveries returns a connection's last deliveries, newest first.
func (s *Store) Deliveries(ctx context.Context, connectionID string, limit int) ([]*herald.Delivery, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, at, event, outcome, reason, size, messages FROM deliveries
		WHERE connection_id = $1 ORDER BY id DESC LIMIT $2`, connectionID, min(limit, keptDeliveries))
	if err != nil {
		return nil, fmt.Errorf("store: deliveries: %w", err)
	}
	defer rows.Close()
	list := []*herald.Delivery{}
	for rows.Next() {
		var d herald.Delivery
		var at int64
		if err := rows.Scan(&d.ID, &at, &d.Event, &d.Outcome, &d.Reason, &d.Size, &d.Messages); err != nil {
			return nil, fmt.Errorf("store: deliveries: %w", err)
		}
		d.At = fromMS(at)
		list = append(list, &d)
	}
	return list, rows.Err()
}

// ConnectorLifecycle returns the organization's own retire/restore
// decisions: connector id -> retired.
func (s *Store) ConnectorLifecycle(ctx context.Context, orgID string) (map[string]bool, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT connector_id, retired FROM connector_lifecycle WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: connector lifecycle: %w", err)
	}
	defer rows.Close()
	m := map[string]bool{}
	for rows.Next() {
		var id string
		var retired bool
		if err := rows.Scan(&id, &retired); err != nil {
			return nil, fmt.Errorf("store: connector lifecycle: %w", err)
		}
		m[id] = retired
	}
	return m, rows.Err()
}

// SetConnectorRetired retires (or restores) a connector for the actor's
// organization and records it.
func (s *Store) SetConnectorRetired(ctx context.Context, actor *herald.User, connectorID string, retired bool) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO connector_lifecycle (org_id, connector_id, retired) VALUES ($1, $2, $3)
			ON CONFLICT (org_id, connector_id) DO UPDATE SET retired = excluded.retired`, actor.OrgID, connectorID, retired); err != nil {
			return fmt.Errorf("store: retire connector: %w", err)
		}
		action := "connector.restore"
		if retired {
			action = "connector.retire"
		}
		return s.audit(ctx, tx, actor.OrgID, change{actor: actor, action: action, targetType: "connector", targetID: connectorID,
			after: map[string]bool{"retired": retired}})
	})
}

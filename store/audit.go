package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/heraldhq/herald"
)

// change is one audited modification, written in the transaction that
// makes it so that the log and the data never disagree.
type change struct {
	actor      *herald.User
	action     string
	targetType string
	targetID   string
	teamID     string
	before     any // nil: nothing before (a creation)
	after      any // nil: nothing after (a removal)
}

func (s *Store) audit(ctx context.Context, tx *sql.Tx, orgID string, c change) error {
	before, err := snapshot(c.before)
	if err != nil {
		return err
	}
	after, err := snapshot(c.after)
	if err != nil {
		return err
	}
	actorID, actorName := "system", "system"
	if c.actor != nil {
		actorID, actorName = c.actor.ID, c.actor.Name
	}
	var team sql.NullString
	if c.teamID != "" {
		team = sql.NullString{String: c.teamID, Valid: true}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_log
		(org_id, at, actor_id, actor_name, action, target_type, target_id, team_id, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		orgID, ms(s.now()), actorID, actorName, c.action, c.targetType, c.targetID, team, before, after)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

func snapshot(v any) (sql.NullString, error) {
	if v == nil {
		return sql.NullString{}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return sql.NullString{}, fmt.Errorf("store: audit snapshot: %w", err)
	}
	return sql.NullString{String: string(b), Valid: true}, nil
}

// AuditFilter narrows Audit.
type AuditFilter struct {
	Before int64  // entries with a smaller id (0: from the newest)
	Limit  int    // at most this many
	TeamID string // only this team's entries
	Action string // only this action, e.g. "org.update"
}

// Audit returns an organization's audit log, newest first.
func (s *Store) Audit(ctx context.Context, orgID string, f AuditFilter) ([]*herald.AuditEntry, error) {
	q := `SELECT id, at, actor_id, actor_name, action, target_type, target_id, team_id, before, after
		FROM audit_log WHERE org_id = $1`
	args := []any{orgID}
	if f.Before > 0 {
		args = append(args, f.Before)
		q += fmt.Sprintf(" AND id < $%d", len(args))
	}
	if f.TeamID != "" {
		args = append(args, f.TeamID)
		q += fmt.Sprintf(" AND team_id = $%d", len(args))
	}
	if f.Action != "" {
		args = append(args, f.Action)
		q += fmt.Sprintf(" AND action = $%d", len(args))
	}
	args = append(args, f.Limit)
	q += fmt.Sprintf(" ORDER BY id DESC LIMIT $%d", len(args))
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: audit: %w", err)
	}
	defer rows.Close()
	list := []*herald.AuditEntry{}
	for rows.Next() {
		var e herald.AuditEntry
		var at int64
		var team, before, after sql.NullString
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.TargetType, &e.TargetID, &team, &before, &after); err != nil {
			return nil, fmt.Errorf("store: audit: %w", err)
		}
		e.At, e.TeamID = fromMS(at), team.String
		if before.Valid {
			e.Before = json.RawMessage(before.String)
		}
		if after.Valid {
			e.After = json.RawMessage(after.String)
		}
		list = append(list, &e)
	}
	return list, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// Bootstrap creates the organization (with its initial switches) and its
// first admin on an empty store, with tokenHash as the admin's API token. On
// a store that already has an organization it changes nothing and returns
// created=false.
func (s *Store) Bootstrap(ctx context.Context, org *herald.Org, admin *herald.User, tokenHash []byte) (created bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs`).Scan(&n); err != nil {
			return fmt.Errorf("store: count orgs: %w", err)
		}
		if n > 0 {
			return nil
		}
		now := s.now()
		org.CreatedAt, admin.CreatedAt = fromMS(ms(now)), fromMS(ms(now))
		admin.OrgID, admin.OrgAdmin = org.ID, true
		o := org.OrgSettings
		if _, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, name, cloud, created_at, connectors_enabled,
			connectors_enabled_for_teams, connectors_enabled_for_outlook, connectors_actionable_messages_enabled)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			org.ID, org.Name, org.Cloud, ms(now), o.ConnectorsEnabled, o.ConnectorsEnabledForTeams,
			o.ConnectorsEnabledForOutlook, o.ConnectorsActionableMessagesEnabled); err != nil {
			return fmt.Errorf("store: create org: %w", err)
		}
		if err := insertUser(ctx, tx, admin, ""); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, org_id, user_id, name, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			herald.NewUUID(), org.ID, admin.ID, "bootstrap", tokenHash, ms(now)); err != nil {
			return fmt.Errorf("store: create admin token: %w", err)
		}
		created = true
		return s.audit(ctx, tx, org.ID, change{action: "org.create", targetType: "org", targetID: org.ID, after: org})
	})
	return created, err
}

const orgColumns = `id, name, cloud, created_at, connectors_enabled, connectors_enabled_for_teams,
	connectors_enabled_for_outlook, connectors_actionable_messages_enabled`

func scanOrg(row interface{ Scan(...any) error }) (*herald.Org, error) {
	var o herald.Org
	var created int64
	err := row.Scan(&o.ID, &o.Name, &o.Cloud, &created, &o.ConnectorsEnabled, &o.ConnectorsEnabledForTeams,
		&o.ConnectorsEnabledForOutlook, &o.ConnectorsActionableMessagesEnabled)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Organization")
	} else if err != nil {
		return nil, fmt.Errorf("store: org: %w", err)
	}
	o.CreatedAt = fromMS(created)
	return &o, nil
}

// Org returns the deployment's organization.
func (s *Store) Org(ctx context.Context) (*herald.Org, error) {
	return scanOrg(s.rdb.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs ORDER BY created_at LIMIT 1`))
}

// UpdateOrg changes the organization's switches and records the change.
func (s *Store) UpdateOrg(ctx context.Context, actor *herald.User, u herald.OrgUpdate) (*herald.Org, error) {
	var org *herald.Org
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanOrg(tx.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE id = $1`, actor.OrgID))
		if err != nil {
			return err
		}
		after := *before
		u.Apply(&after.OrgSettings)
		o := after.OrgSettings
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET connectors_enabled = $1, connectors_enabled_for_teams = $2,
			connectors_enabled_for_outlook = $3, connectors_actionable_messages_enabled = $4 WHERE id = $5`,
			o.ConnectorsEnabled, o.ConnectorsEnabledForTeams, o.ConnectorsEnabledForOutlook,
			o.ConnectorsActionableMessagesEnabled, before.ID); err != nil {
			return fmt.Errorf("store: update org: %w", err)
		}
		org = &after
		return s.audit(ctx, tx, before.ID, change{actor: actor, action: "org.update", targetType: "org", targetID: before.ID,
			before: before.OrgSettings, after: after.OrgSettings})
	})
	return org, err
}

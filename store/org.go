package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

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
	connectors_enabled_for_outlook, connectors_actionable_messages_enabled,
	url_rotation_issued_before, url_rotation_deadline, url_max_age_seconds`

func scanOrg(row interface{ Scan(...any) error }) (*herald.Org, error) {
	var o herald.Org
	var created int64
	var issuedBefore, deadline, maxAge sql.NullInt64
	err := row.Scan(&o.ID, &o.Name, &o.Cloud, &created, &o.ConnectorsEnabled, &o.ConnectorsEnabledForTeams,
		&o.ConnectorsEnabledForOutlook, &o.ConnectorsActionableMessagesEnabled, &issuedBefore, &deadline, &maxAge)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Organization")
	} else if err != nil {
		return nil, fmt.Errorf("store: org: %w", err)
	}
	o.CreatedAt = fromMS(created)
	if issuedBefore.Valid && deadline.Valid {
		o.URLRotation = &herald.URLRotation{IssuedBefore: fromMS(issuedBefore.Int64), Deadline: fromMS(deadline.Int64)}
	}
	o.URLMaxAge = herald.Duration(time.Duration(maxAge.Int64) * time.Second)
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
		if u.URLMaxAge != nil {
			after.URLMaxAge = *u.URLMaxAge
		}
		o := after.OrgSettings
		var maxAge sql.NullInt64
		if after.URLMaxAge > 0 {
			maxAge = sql.NullInt64{Int64: int64(time.Duration(after.URLMaxAge) / time.Second), Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET connectors_enabled = $1, connectors_enabled_for_teams = $2,
			connectors_enabled_for_outlook = $3, connectors_actionable_messages_enabled = $4, url_max_age_seconds = $5
			WHERE id = $6`,
			o.ConnectorsEnabled, o.ConnectorsEnabledForTeams, o.ConnectorsEnabledForOutlook,
			o.ConnectorsActionableMessagesEnabled, maxAge, before.ID); err != nil {
			return fmt.Errorf("store: update org: %w", err)
		}
		org = &after
		type snap struct {
			herald.OrgSettings
			URLMaxAge herald.Duration `json:"url_max_age"`
		}
		return s.audit(ctx, tx, before.ID, change{actor: actor, action: "org.update", targetType: "org", targetID: before.ID,
			before: snap{before.OrgSettings, before.URLMaxAge}, after: snap{after.OrgSettings, after.URLMaxAge}})
	})
	return org, err
}

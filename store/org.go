package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/heraldhq/herald"
)

// Bootstrap creates the organization and its first admin on an empty store,
// with tokenHash as the admin's API token. On a store that already has an
// organization it changes nothing and returns created=false.
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
		org.CreatedAt, admin.CreatedAt = now, now
		admin.OrgID, admin.OrgAdmin = org.ID, true
		if _, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, name, cloud, created_at) VALUES ($1, $2, $3, $4)`,
			org.ID, org.Name, org.Cloud, ms(now)); err != nil {
			return fmt.Errorf("store: create org: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, org_id, name, email, org_admin, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			admin.ID, org.ID, admin.Name, admin.Email, true, ms(now)); err != nil {
			return fmt.Errorf("store: create admin: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, org_id, user_id, name, hash, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			herald.NewUUID(), org.ID, admin.ID, "bootstrap", tokenHash, ms(now)); err != nil {
			return fmt.Errorf("store: create admin token: %w", err)
		}
		created = true
		return nil
	})
	return created, err
}

// Org returns the deployment's organization.
func (s *Store) Org(ctx context.Context) (*herald.Org, error) {
	var o herald.Org
	var created int64
	err := s.rdb.QueryRowContext(ctx, `SELECT id, name, cloud, created_at FROM orgs ORDER BY created_at LIMIT 1`).
		Scan(&o.ID, &o.Name, &o.Cloud, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Organization")
	} else if err != nil {
		return nil, fmt.Errorf("store: org: %w", err)
	}
	o.CreatedAt = fromMS(created)
	return &o, nil
}

// UserByTokenHash returns the user holding the API token with this hash.
func (s *Store) UserByTokenHash(ctx context.Context, hash []byte) (*herald.User, error) {
	var u herald.User
	var email sql.NullString
	var created int64
	err := s.rdb.QueryRowContext(ctx, `
		SELECT u.id, u.org_id, u.name, u.email, u.org_admin, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = $1`, hash).Scan(&u.ID, &u.OrgID, &u.Name, &email, &u.OrgAdmin, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.EUnauthorized, "The API token is not valid.")
	} else if err != nil {
		return nil, fmt.Errorf("store: user by token: %w", err)
	}
	u.Email, u.CreatedAt = email.String, fromMS(created)
	return &u, nil
}

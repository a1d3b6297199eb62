package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/heraldhq/herald"
)

func insertUser(ctx context.Context, tx *sql.Tx, u *herald.User, passwordHash string) error {
	var email, pw sql.NullString
	if u.Email != "" {
		email = sql.NullString{String: strings.ToLower(u.Email), Valid: true}
	}
	if passwordHash != "" {
		pw = sql.NullString{String: passwordHash, Valid: true}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (id, org_id, name, email, password_hash, org_admin, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, u.ID, u.OrgID, u.Name, email, pw, u.OrgAdmin, ms(u.CreatedAt))
	if isUniqueViolation(err) {
		return herald.Errorf(herald.EConflict, "A user with the email %q already exists.", u.Email)
	} else if err != nil {
		return fmt.Errorf("store: create user: %w", err)
	}
	return nil
}

// CreateUser adds a user to the actor's organization. passwordHash may be
// empty for a user who signs in with API tokens only.
func (s *Store) CreateUser(ctx context.Context, actor *herald.User, u *herald.User, passwordHash string) error {
	u.OrgID, u.CreatedAt = actor.OrgID, fromMS(ms(s.now()))
	u.Email = strings.ToLower(u.Email)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := insertUser(ctx, tx, u, passwordHash); err != nil {
			return err
		}
		return s.audit(ctx, tx, u.OrgID, change{actor: actor, action: "user.create", targetType: "user", targetID: u.ID, after: u})
	})
}

const userColumns = `id, org_id, name, email, org_admin, created_at`

func scanUser(row interface{ Scan(...any) error }, extra ...any) (*herald.User, error) {
	var u herald.User
	var email sql.NullString
	var created int64
	if err := row.Scan(append([]any{&u.ID, &u.OrgID, &u.Name, &email, &u.OrgAdmin, &created}, extra...)...); err != nil {
		return nil, err
	}
	u.Email, u.CreatedAt = email.String, fromMS(created)
	return &u, nil
}

// Users lists an organization's users by name.
func (s *Store) Users(ctx context.Context, orgID string) ([]*herald.User, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE org_id = $1 ORDER BY name, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	defer rows.Close()
	list := []*herald.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: users: %w", err)
		}
		list = append(list, u)
	}
	return list, rows.Err()
}

// User returns one user.
func (s *Store) User(ctx context.Context, id string) (*herald.User, error) {
	u, err := scanUser(s.rdb.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("User")
	} else if err != nil {
		return nil, fmt.Errorf("store: user: %w", err)
	}
	return u, nil
}

// UserByEmail returns the user with this email and their password hash
// ("" when they have none), for signing in.
func (s *Store) UserByEmail(ctx context.Context, orgID, email string) (*herald.User, string, error) {
	var pw sql.NullString
	u, err := scanUser(s.rdb.QueryRowContext(ctx, `SELECT `+userColumns+`, password_hash FROM users
		WHERE org_id = $1 AND email = $2`, orgID, strings.ToLower(email)), &pw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", notFound("User")
	} else if err != nil {
		return nil, "", fmt.Errorf("store: user by email: %w", err)
	}
	return u, pw.String, nil
}

// DeleteUser removes a user with their tokens and memberships. The
// connections they made keep working: they belong to the team.
func (s *Store) DeleteUser(ctx context.Context, actor *herald.User, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 AND org_id = $2`, id, actor.OrgID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("User")
		} else if err != nil {
			return fmt.Errorf("store: delete user: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: delete user: %w", err)
		}
		return s.audit(ctx, tx, u.OrgID, change{actor: actor, action: "user.delete", targetType: "user", targetID: id, before: u})
	})
}

// UserByTokenHash returns the user holding the API token with this hash.
func (s *Store) UserByTokenHash(ctx context.Context, hash []byte) (*herald.User, error) {
	u, err := scanUser(s.rdb.QueryRowContext(ctx, `SELECT u.id, u.org_id, u.name, u.email, u.org_admin, u.created_at
		FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = $1`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, herald.Errorf(herald.EUnauthorized, "The API token is not valid; it may have been revoked.")
	} else if err != nil {
		return nil, fmt.Errorf("store: user by token: %w", err)
	}
	return u, nil
}

// CreateToken stores a new API token (its hash) for a user.
func (s *Store) CreateToken(ctx context.Context, actor *herald.User, t *herald.Token, hash []byte) error {
	t.CreatedAt = fromMS(ms(s.now()))
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, org_id, user_id, name, hash, created_at)
			SELECT $1, org_id, id, $2, $3, $4 FROM users WHERE id = $5 AND org_id = $6`,
			t.ID, t.Name, hash, ms(t.CreatedAt), t.UserID, actor.OrgID)
		if err != nil {
			return fmt.Errorf("store: create token: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return notFound("User")
		}
		return s.audit(ctx, tx, actor.OrgID, change{actor: actor, action: "token.create", targetType: "token", targetID: t.ID, after: t})
	})
}

const tokenColumns = `id, user_id, name, created_at`

func scanToken(row interface{ Scan(...any) error }) (*herald.Token, error) {
	var t herald.Token
	var created int64
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &created); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMS(created)
	return &t, nil
}

// Tokens lists a user's API tokens (never the tokens themselves).
func (s *Store) Tokens(ctx context.Context, userID string) ([]*herald.Token, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	defer rows.Close()
	list := []*herald.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, fmt.Errorf("store: tokens: %w", err)
		}
		list = append(list, t)
	}
	return list, rows.Err()
}

// Token returns one token's record, if it belongs to the organization.
func (s *Store) Token(ctx context.Context, orgID, id string) (*herald.Token, error) {
	t, err := scanToken(s.rdb.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1 AND org_id = $2`, id, orgID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Token")
	} else if err != nil {
		return nil, fmt.Errorf("store: token: %w", err)
	}
	return t, nil
}

// DeleteToken revokes an API token.
func (s *Store) DeleteToken(ctx context.Context, actor *herald.User, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		t, err := scanToken(tx.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1 AND org_id = $2`, id, actor.OrgID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Token")
		} else if err != nil {
			return fmt.Errorf("store: revoke token: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1`, id); err != nil {
			return fmt.Errorf("store: revoke token: %w", err)
		}
		return s.audit(ctx, tx, actor.OrgID, change{actor: actor, action: "token.revoke", targetType: "token", targetID: id, before: t})
	})
}

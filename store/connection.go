package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// ConnectionSecrets are the hashes of a connection's URL tokens. The tokens
// themselves are never stored.
type ConnectionSecrets struct {
	TokenSalt      string // with the server key, derives the URL tokens
	KeyID          string // which server key derived them
	TokenHash      []byte
	SlackTokenHash []byte
	// The previous URL's hashes after "Update URL"; it delivers until
	// OldExpiresAt and answers 410 after.
	OldTokenHash      []byte
	OldSlackTokenHash []byte
	OldExpiresAt      *time.Time
	// SecretSealed is the service's secret, sealed with the server key.
	SecretSealed []byte
}

// CreateConnection stores a new connection in c.ChannelID and records who
// made it. It fills c.CreatedAt.
func (s *Store) CreateConnection(ctx context.Context, actor *herald.User, c *herald.Connection, sec ConnectionSecrets) error {
	return s.CreateConnectionWith(ctx, actor, c, sec, nil)
}

// CreateConnectionWith is CreateConnection that also runs also (when not
// nil) in the same transaction: the poller enqueues a new feed's first poll
// there, so that a feed connection never exists without its schedule.
func (s *Store) CreateConnectionWith(ctx context.Context, actor *herald.User, c *herald.Connection, sec ConnectionSecrets,
	also func(ctx context.Context, tx *sql.Tx) error) error {
	c.CreatedAt = fromMS(ms(s.now()))
	c.URLIssuedAt = c.CreatedAt
	c.SecretSet = sec.SecretSealed != nil
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := insertConnection(ctx, tx, c, sec); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, c.OrgID, change{actor: actor, action: "connection.create", targetType: "connection",
			targetID: c.ID, teamID: c.TeamID, after: c}); err != nil {
			return err
		}
		if also == nil {
			return nil
		}
		return also(ctx, tx)
	})
}

func insertConnection(ctx context.Context, tx *sql.Tx, c *herald.Connection, sec ConnectionSecrets) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO connections (id, org_id, team_id, channel_id, connector, name, creator_id,
			token_salt, key_id, token_hash, slack_id, slack_token_hash, url_issued_at, created_at, config, secret_sealed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15)`,
		c.ID, c.OrgID, c.TeamID, c.ChannelID, c.Connector, c.Name, c.CreatorID,
		sec.TokenSalt, sec.KeyID, sec.TokenHash, c.SlackID, sec.SlackTokenHash, ms(c.CreatedAt), configJSON(c.Config), sec.SecretSealed)
	if isUniqueViolation(err) {
		return herald.Errorf(herald.EConflict, "A connection with this id already exists; try again.")
	} else if err != nil {
		return fmt.Errorf("store: create connection: %w", err)
	}
	return nil
}

const connectionColumns = `id, org_id, team_id, channel_id, connector, name, creator_id, slack_id,
	created_at, deleted_at, delivered_count, last_delivery_at, image_type IS NOT NULL, url_issued_at,
	config, secret_sealed IS NOT NULL`

const secretColumns = `token_salt, key_id, token_hash, slack_token_hash, old_token_hash, old_slack_token_hash, old_expires_at, secret_sealed`

func secretDest(sec *ConnectionSecrets, oldExpires *sql.NullInt64) []any {
	return []any{&sec.TokenSalt, &sec.KeyID, &sec.TokenHash, &sec.SlackTokenHash, &sec.OldTokenHash, &sec.OldSlackTokenHash, oldExpires, &sec.SecretSealed}
}

func configJSON(c herald.ConnectionConfig) string {
	b, err := json.Marshal(c)
	if err != nil {
		return "{}"
	}
	return string(b)
}

func scanConnection(row interface{ Scan(...any) error }, extra ...any) (*herald.Connection, error) {
	var c herald.Connection
	var created, issued int64
	var deleted, last sql.NullInt64
	var config string
	dest := append([]any{&c.ID, &c.OrgID, &c.TeamID, &c.ChannelID, &c.Connector, &c.Name, &c.CreatorID, &c.SlackID,
		&created, &deleted, &c.DeliveredCount, &last, &c.HasImage, &issued, &config, &c.SecretSet}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(config), &c.Config); err != nil {
		return nil, fmt.Errorf("connection %s: config: %w", c.ID, err)
	}
	c.CreatedAt, c.DeletedAt, c.LastDeliveryAt = fromMS(created), fromNullMS(deleted), fromNullMS(last)
	c.URLIssuedAt = fromMS(issued)
	return &c, nil
}

// Connections lists the connections configured in a channel (removed ones
// excluded), oldest first, each with its secrets.
func (s *Store) Connections(ctx context.Context, channelID string) ([]*herald.Connection, []*ConnectionSecrets, error) {
	return s.queryConnections(ctx, `SELECT `+connectionColumns+`, `+secretColumns+`
		FROM connections WHERE channel_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`, channelID)
}

// OrgConnections lists every live connection of an organization, each with
// its secrets.
func (s *Store) OrgConnections(ctx context.Context, orgID string) ([]*herald.Connection, []*ConnectionSecrets, error) {
	return s.queryConnections(ctx, `SELECT `+connectionColumns+`, `+secretColumns+`
		FROM connections WHERE org_id = $1 AND deleted_at IS NULL ORDER BY team_id, channel_id, created_at, id`, orgID)
}

func (s *Store) queryConnections(ctx context.Context, q string, args ...any) ([]*herald.Connection, []*ConnectionSecrets, error) {
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("store: connections: %w", err)
	}
	defer rows.Close()
	list, secs := []*herald.Connection{}, []*ConnectionSecrets{}
	for rows.Next() {
		var sec ConnectionSecrets
		var oldExp sql.NullInt64
		c, err := scanConnection(rows, secretDest(&sec, &oldExp)...)
		if err != nil {
			return nil, nil, fmt.Errorf("store: connections: %w", err)
		}
		sec.OldExpiresAt = fromNullMS(oldExp)
		list, secs = append(list, c), append(secs, &sec)
	}
	return list, secs, rows.Err()
}

// Connection returns a connection that has not been removed.
func (s *Store) Connection(ctx context.Context, id string) (*herald.Connection, error) {
	c, _, err := s.ConnectionWithSecrets(ctx, id)
	if err != nil {
		return nil, err
	}
	if c.DeletedAt != nil {
		return nil, notFound("Connection")
	}
	return c, nil
}

// ConnectionWithSecrets returns a connection, removed or not, with its token
// hashes: what the webhook path needs to authenticate a post.
func (s *Store) ConnectionWithSecrets(ctx context.Context, id string) (*herald.Connection, *ConnectionSecrets, error) {
	var sec ConnectionSecrets
	var oldExp sql.NullInt64
	c, err := scanConnection(s.rdb.QueryRowContext(ctx, `SELECT `+connectionColumns+`, `+secretColumns+`
		FROM connections WHERE id = $1`, id), secretDest(&sec, &oldExp)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, notFound("Connection")
	} else if err != nil {
		return nil, nil, fmt.Errorf("store: connection: %w", err)
	}
	sec.OldExpiresAt = fromNullMS(oldExp)
	return c, &sec, nil
}

// ConnectionIDBySlackID maps the id in a Slack-compatible URL to the
// connection id.
func (s *Store) ConnectionIDBySlackID(ctx context.Context, slackID string) (string, error) {
	var id string
	err := s.rdb.QueryRowContext(ctx, `SELECT id FROM connections WHERE slack_id = $1`, slackID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", notFound("Connection")
	} else if err != nil {
		return "", fmt.Errorf("store: connection by slack id: %w", err)
	}
	return id, nil
}

// DeleteConnection removes a connection. Its row stays, marked removed, so
// that its URL answers 410 Gone and its messages keep their author.
func (s *Store) DeleteConnection(ctx context.Context, actor *herald.User, id string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := liveConnection(ctx, tx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET deleted_at = $1 WHERE id = $2`, ms(s.now()), id); err != nil {
			return fmt.Errorf("store: delete connection: %w", err)
		}
		return s.audit(ctx, tx, c.OrgID, change{actor: actor, action: "connection.delete", targetType: "connection",
			targetID: id, teamID: c.TeamID, before: c})
	})
}

// ConnectionUpdate changes a connection; nil fields stay.
type ConnectionUpdate struct {
	Name   *string
	Config *herald.ConnectionConfig
	// Secret is the new sealed secret; a pointer to nil clears it.
	Secret *[]byte
}

// UpdateConnection changes a connection's name or settings and records the
// change (never the secret itself).
func (s *Store) UpdateConnection(ctx context.Context, actor *herald.User, id string, u ConnectionUpdate) (*herald.Connection, error) {
	var after *herald.Connection
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := liveConnection(ctx, tx, id)
		if err != nil {
			return err
		}
		c := *before
		if u.Name != nil {
			c.Name = *u.Name
		}
		if u.Config != nil {
			c.Config = *u.Config
		}
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET name = $1, config = $2 WHERE id = $3`,
			c.Name, configJSON(c.Config), id); err != nil {
			return fmt.Errorf("store: update connection: %w", err)
		}
		if u.Secret != nil {
			if _, err := tx.ExecContext(ctx, `UPDATE connections SET secret_sealed = $1 WHERE id = $2`, *u.Secret, id); err != nil {
				return fmt.Errorf("store: update connection: %w", err)
			}
			c.SecretSet = *u.Secret != nil
		}
		after = &c
		type snap struct {
			Name      string                  `json:"name"`
			Config    herald.ConnectionConfig `json:"config"`
			SecretSet bool                    `json:"secret_set"`
		}
		return s.audit(ctx, tx, c.OrgID, change{actor: actor, action: "connection.update", targetType: "connection",
			targetID: id, teamID: c.TeamID, before: snap{before.Name, before.Config, before.SecretSet}, after: snap{c.Name, c.Config, c.SecretSet}})
	})
	return after, err
}

func liveConnection(ctx context.Context, tx *sql.Tx, id string) (*herald.Connection, error) {
	c, err := scanConnection(tx.QueryRowContext(ctx, `SELECT `+connectionColumns+` FROM connections
		WHERE id = $1 AND deleted_at IS NULL`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Connection")
	} else if err != nil {
		return nil, fmt.Errorf("store: connection: %w", err)
	}
	return c, nil
}

// SetConnectionImage stores (or, with nil data, removes) the picture shown as
// the author of a connection's messages.
func (s *Store) SetConnectionImage(ctx context.Context, actor *herald.User, id string, data []byte, contentType string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		c, err := liveConnection(ctx, tx, id)
		if err != nil {
			return err
		}
		var typ sql.NullString
		if data != nil {
			typ = sql.NullString{String: contentType, Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE connections SET image = $1, image_type = $2 WHERE id = $3`, data, typ, id); err != nil {
			return fmt.Errorf("store: connection image: %w", err)
		}
		return s.audit(ctx, tx, c.OrgID, change{actor: actor, action: "connection.update", targetType: "connection",
			targetID: id, teamID: c.TeamID, before: map[string]bool{"image": c.HasImage}, after: map[string]bool{"image": data != nil}})
	})
}

// ConnectionImage returns a connection's picture and its content type.
func (s *Store) ConnectionImage(ctx context.Context, id string) ([]byte, string, error) {
	var data []byte
	var typ sql.NullString
	err := s.rdb.QueryRowContext(ctx, `SELECT image, image_type FROM connections WHERE id = $1`, id).Scan(&data, &typ)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !typ.Valid) {
		return nil, "", notFound("Image")
	} else if err != nil {
		return nil, "", fmt.Errorf("store: connection image: %w", err)
	}
	return data, typ.String, nil
}

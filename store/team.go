package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/heraldhq/herald"
)

// GeneralChannel is the channel every new team starts with, as in Teams.
const GeneralChannel = "General"

// CreateTeam creates a team with its General channel in one transaction.
func (s *Store) CreateTeam(ctx context.Context, orgID, name string) (*herald.Team, error) {
	t := &herald.Team{ID: herald.NewUUID(), OrgID: orgID, Name: name, CreatedAt: s.now()}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, org_id, name, created_at) VALUES ($1, $2, $3, $4)`,
			t.ID, t.OrgID, t.Name, ms(t.CreatedAt)); err != nil {
			return fmt.Errorf("store: create team: %w", err)
		}
		_, err := createChannel(ctx, tx, s.now(), t, GeneralChannel)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Teams lists the organization's teams by name.
func (s *Store) Teams(ctx context.Context, orgID string) ([]*herald.Team, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, org_id, name, created_at FROM teams WHERE org_id = $1 ORDER BY name, id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	defer rows.Close()
	teams := []*herald.Team{}
	for rows.Next() {
		var t herald.Team
		var created int64
		if err := rows.Scan(&t.ID, &t.OrgID, &t.Name, &created); err != nil {
			return nil, fmt.Errorf("store: teams: %w", err)
		}
		t.CreatedAt = fromMS(created)
		teams = append(teams, &t)
	}
	return teams, rows.Err()
}

// Team returns one team.
func (s *Store) Team(ctx context.Context, id string) (*herald.Team, error) {
	var t herald.Team
	var created int64
	err := s.rdb.QueryRowContext(ctx, `SELECT id, org_id, name, created_at FROM teams WHERE id = $1`, id).
		Scan(&t.ID, &t.OrgID, &t.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Team")
	} else if err != nil {
		return nil, fmt.Errorf("store: team: %w", err)
	}
	t.CreatedAt = fromMS(created)
	return &t, nil
}

// CreateChannel adds a channel to a team. Names are unique within a team.
func (s *Store) CreateChannel(ctx context.Context, team *herald.Team, name string) (*herald.Channel, error) {
	var c *herald.Channel
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = createChannel(ctx, tx, s.now(), team, name)
		return err
	})
	return c, err
}

func createChannel(ctx context.Context, tx *sql.Tx, now time.Time, team *herald.Team, name string) (*herald.Channel, error) {
	c := &herald.Channel{ID: herald.NewUUID(), OrgID: team.OrgID, TeamID: team.ID, Name: name, CreatedAt: fromMS(ms(now))}
	_, err := tx.ExecContext(ctx, `INSERT INTO channels (id, org_id, team_id, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
		c.ID, c.OrgID, c.TeamID, c.Name, ms(c.CreatedAt))
	if isUniqueViolation(err) {
		return nil, herald.Errorf(herald.EConflict, "The team already has a channel named %q.", name)
	} else if err != nil {
		return nil, fmt.Errorf("store: create channel: %w", err)
	}
	return c, nil
}

const channelColumns = `id, org_id, team_id, name, message_count, created_at`

func scanChannel(row interface{ Scan(...any) error }) (*herald.Channel, error) {
	var c herald.Channel
	var created int64
	if err := row.Scan(&c.ID, &c.OrgID, &c.TeamID, &c.Name, &c.MessageCount, &created); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// Channels lists a team's channels, General first, then by name.
func (s *Store) Channels(ctx context.Context, teamID string) ([]*herald.Channel, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT `+channelColumns+` FROM channels WHERE team_id = $1
		ORDER BY CASE WHEN name = $2 THEN 0 ELSE 1 END, name, id`, teamID, GeneralChannel)
	if err != nil {
		return nil, fmt.Errorf("store: channels: %w", err)
	}
	defer rows.Close()
	channels := []*herald.Channel{}
	for rows.Next() {
		c, err := scanChannel(rows)
		if err != nil {
			return nil, fmt.Errorf("store: channels: %w", err)
		}
		channels = append(channels, c)
	}
	return channels, rows.Err()
}

// Channel returns one channel.
func (s *Store) Channel(ctx context.Context, id string) (*herald.Channel, error) {
	c, err := scanChannel(s.rdb.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Channel")
	} else if err != nil {
		return nil, fmt.Errorf("store: channel: %w", err)
	}
	return c, nil
}

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

// Team roles.
const (
	RoleOwner  = "owner"
	RoleMember = "member"
	RoleGuest  = "guest"
)

// CreateTeam creates a team with its General channel; its creator becomes
// its first owner.
func (s *Store) CreateTeam(ctx context.Context, actor *herald.User, name string) (*herald.Team, error) {
	now := fromMS(ms(s.now()))
	t := &herald.Team{ID: herald.NewUUID(), OrgID: actor.OrgID, Name: name, CreatedAt: now,
		TeamSettings: herald.TeamSettings{ConnectorsEnabled: true, MembersCanManageConnectors: true}}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, org_id, name, created_at, connectors_enabled,
			members_can_manage_connectors) VALUES ($1, $2, $3, $4, $5, $6)`,
			t.ID, t.OrgID, t.Name, ms(now), t.ConnectorsEnabled, t.MembersCanManageConnectors); err != nil {
			return fmt.Errorf("store: create team: %w", err)
		}
		if _, err := createChannel(ctx, tx, now, t, GeneralChannel); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id, org_id, role, created_at)
			VALUES ($1, $2, $3, $4, $5)`, t.ID, actor.ID, t.OrgID, RoleOwner, ms(now)); err != nil {
			return fmt.Errorf("store: create team owner: %w", err)
		}
		return s.audit(ctx, tx, t.OrgID, change{actor: actor, action: "team.create", targetType: "team", targetID: t.ID, teamID: t.ID, after: t})
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

const teamColumns = `t.id, t.org_id, t.name, t.created_at, t.connectors_enabled, t.members_can_manage_connectors`

func scanTeam(row interface{ Scan(...any) error }) (*herald.Team, error) {
	var t herald.Team
	var created int64
	if err := row.Scan(&t.ID, &t.OrgID, &t.Name, &created, &t.ConnectorsEnabled, &t.MembersCanManageConnectors); err != nil {
		return nil, err
	}
	t.CreatedAt = fromMS(created)
	return &t, nil
}

func (s *Store) queryTeams(ctx context.Context, q string, args ...any) ([]*herald.Team, error) {
	rows, err := s.rdb.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("store: teams: %w", err)
	}
	defer rows.Close()
	teams := []*herald.Team{}
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			return nil, fmt.Errorf("store: teams: %w", err)
		}
		teams = append(teams, t)
	}
	return teams, rows.Err()
}

// Teams lists the organization's teams by name.
func (s *Store) Teams(ctx context.Context, orgID string) ([]*herald.Team, error) {
	return s.queryTeams(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.org_id = $1 ORDER BY t.name, t.id`, orgID)
}

// TeamsOf lists the teams a user is a member of (any role), by name.
func (s *Store) TeamsOf(ctx context.Context, userID string) ([]*herald.Team, error) {
	return s.queryTeams(ctx, `SELECT `+teamColumns+` FROM teams t JOIN team_members m ON m.team_id = t.id
		WHERE m.user_id = $1 ORDER BY t.name, t.id`, userID)
}

// Team returns one team.
func (s *Store) Team(ctx context.Context, id string) (*herald.Team, error) {
	t, err := scanTeam(s.rdb.QueryRowContext(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("Team")
	} else if err != nil {
		return nil, fmt.Errorf("store: team: %w", err)
	}
	return t, nil
}

// UpdateTeam changes a team's name or settings and records the change.
func (s *Store) UpdateTeam(ctx context.Context, actor *herald.User, id string, u herald.TeamUpdate) (*herald.Team, error) {
	var team *herald.Team
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		before, err := scanTeam(tx.QueryRowContext(ctx, `SELECT `+teamColumns+` FROM teams t WHERE t.id = $1`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("Team")
		} else if err != nil {
			return fmt.Errorf("store: update team: %w", err)
		}
		after := *before
		if u.Name != nil {
			after.Name = *u.Name
		}
		if u.ConnectorsEnabled != nil {
			after.ConnectorsEnabled = *u.ConnectorsEnabled
		}
		if u.MembersCanManageConnectors != nil {
			after.MembersCanManageConnectors = *u.MembersCanManageConnectors
		}
		if _, err := tx.ExecContext(ctx, `UPDATE teams SET name = $1, connectors_enabled = $2, members_can_manage_connectors = $3
			WHERE id = $4`, after.Name, after.ConnectorsEnabled, after.MembersCanManageConnectors, id); err != nil {
			return fmt.Errorf("store: update team: %w", err)
		}
		team = &after
		return s.audit(ctx, tx, before.OrgID, change{actor: actor, action: "team.update", targetType: "team", targetID: id, teamID: id,
			before: before, after: after})
	})
	return team, err
}

// CreateChannel adds a channel to a team. Names are unique within a team.
func (s *Store) CreateChannel(ctx context.Context, actor *herald.User, team *herald.Team, name string) (*herald.Channel, error) {
	var c *herald.Channel
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = createChannel(ctx, tx, fromMS(ms(s.now())), team, name); err != nil {
			return err
		}
		return s.audit(ctx, tx, team.OrgID, change{actor: actor, action: "channel.create", targetType: "channel", targetID: c.ID, teamID: team.ID, after: c})
	})
	return c, err
}

func createChannel(ctx context.Context, tx *sql.Tx, now time.Time, team *herald.Team, name string) (*herald.Channel, error) {
	c := &herald.Channel{ID: herald.NewUUID(), OrgID: team.OrgID, TeamID: team.ID, Name: name, CreatedAt: now}
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

// Role returns a user's role in a team, or "" when they are not a member.
func (s *Store) Role(ctx context.Context, teamID, userID string) (string, error) {
	var role string
	err := s.rdb.QueryRowContext(ctx, `SELECT role FROM team_members WHERE team_id = $1 AND user_id = $2`, teamID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("store: role: %w", err)
	}
	return role, nil
}

// Members lists a team's members by name.
func (s *Store) Members(ctx context.Context, teamID string) ([]*herald.Member, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT m.team_id, m.user_id, u.name, u.email, m.role, m.created_at
		FROM team_members m JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY u.name, u.id`, teamID)
	if err != nil {
		return nil, fmt.Errorf("store: members: %w", err)
	}
	defer rows.Close()
	list := []*herald.Member{}
	for rows.Next() {
		var m herald.Member
		var email sql.NullString
		var created int64
		if err := rows.Scan(&m.TeamID, &m.UserID, &m.Name, &email, &m.Role, &created); err != nil {
			return nil, fmt.Errorf("store: members: %w", err)
		}
		m.Email, m.CreatedAt = email.String, fromMS(created)
		list = append(list, &m)
	}
	return list, rows.Err()
}

// SetMember adds a user to a team with a role, or changes their role.
func (s *Store) SetMember(ctx context.Context, actor *herald.User, team *herald.Team, userID, role string) (*herald.Member, error) {
	var m *herald.Member
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		u, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1 AND org_id = $2`, userID, team.OrgID))
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.EInvalid, "There is no user %q in this organization.", userID)
		} else if err != nil {
			return fmt.Errorf("store: set member: %w", err)
		}
		var before *herald.Member
		var oldRole string
		var created int64
		err = tx.QueryRowContext(ctx, `SELECT role, created_at FROM team_members WHERE team_id = $1 AND user_id = $2`,
			team.ID, userID).Scan(&oldRole, &created)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			created = ms(s.now())
		case err != nil:
			return fmt.Errorf("store: set member: %w", err)
		default:
			before = &herald.Member{TeamID: team.ID, UserID: userID, Name: u.Name, Email: u.Email, Role: oldRole, CreatedAt: fromMS(created)}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, user_id, org_id, role, created_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role`,
			team.ID, userID, team.OrgID, role, created); err != nil {
			return fmt.Errorf("store: set member: %w", err)
		}
		m = &herald.Member{TeamID: team.ID, UserID: userID, Name: u.Name, Email: u.Email, Role: role, CreatedAt: fromMS(created)}
		action := "member.add"
		if before != nil {
			action = "member.update"
		}
		return s.audit(ctx, tx, team.OrgID, change{actor: actor, action: action, targetType: "user", targetID: userID, teamID: team.ID,
			before: before, after: m})
	})
	return m, err
}

// RemoveMember takes a user out of a team. The connections they made stay.
func (s *Store) RemoveMember(ctx context.Context, actor *herald.User, team *herald.Team, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var role string
		err := tx.QueryRowContext(ctx, `SELECT role FROM team_members WHERE team_id = $1 AND user_id = $2`, team.ID, userID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return herald.Errorf(herald.ENotFound, "That user is not a member of this team.")
		} else if err != nil {
			return fmt.Errorf("store: remove member: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, team.ID, userID); err != nil {
			return fmt.Errorf("store: remove member: %w", err)
		}
		return s.audit(ctx, tx, team.OrgID, change{actor: actor, action: "member.remove", targetType: "user", targetID: userID, teamID: team.ID,
			before: map[string]string{"user_id": userID, "role": role}})
	})
}

// TeamSettings returns every team's switches, for the policy cache that the
// webhook path consults without a database read.
func (s *Store) TeamSettings(ctx context.Context) (map[string]herald.TeamSettings, error) {
	rows, err := s.rdb.QueryContext(ctx, `SELECT id, connectors_enabled, members_can_manage_connectors FROM teams`)
	if err != nil {
		return nil, fmt.Errorf("store: team settings: %w", err)
	}
	defer rows.Close()
	m := make(map[string]herald.TeamSettings)
	for rows.Next() {
		var id string
		var p herald.TeamSettings
		if err := rows.Scan(&id, &p.ConnectorsEnabled, &p.MembersCanManageConnectors); err != nil {
			return nil, fmt.Errorf("store: team settings: %w", err)
		}
		m[id] = p
	}
	return m, rows.Err()
}

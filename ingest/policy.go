package ingest

import (
	"context"
	"sync"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/policy"
)

// switches caches the organization's and every team's connector switches,
// so that a webhook post is checked against policy without a database read.
// A change made through any node reaches every node's cache at once: this
// node reloads directly, the others when the cluster bus tells them.
type switches struct {
	mu       sync.RWMutex
	org      policy.Org
	rotation *herald.URLRotation // the org's URL rotation campaign, if any
	teams    map[string]policy.Team
}

// OrgPolicy converts the organization's settings for package policy.
func OrgPolicy(o *herald.Org) policy.Org {
	return policy.Org{
		Cloud:                               o.Cloud,
		ConnectorsEnabled:                   o.ConnectorsEnabled,
		ConnectorsEnabledForTeams:           o.ConnectorsEnabledForTeams,
		ConnectorsEnabledForOutlook:         o.ConnectorsEnabledForOutlook,
		ConnectorsActionableMessagesEnabled: o.ConnectorsActionableMessagesEnabled,
	}
}

// TeamPolicy converts a team's settings for package policy.
func TeamPolicy(s herald.TeamSettings) policy.Team {
	return policy.Team{ConnectorsEnabled: s.ConnectorsEnabled, MembersCanManageConnectors: s.MembersCanManageConnectors}
}

// LoadPolicy reads every switch from the store. Call it once at start.
func (s *Service) LoadPolicy(ctx context.Context) error {
	org, err := s.store.Org(ctx)
	if err != nil {
		return err
	}
	all, err := s.store.TeamSettings(ctx)
	if err != nil {
		return err
	}
	teams := make(map[string]policy.Team, len(all))
	for id, t := range all {
		teams[id] = TeamPolicy(t)
	}
	s.sw.mu.Lock()
	s.sw.org, s.sw.rotation, s.sw.teams = OrgPolicy(org), org.URLRotation, teams
	s.sw.mu.Unlock()
	return nil
}

// Scope of a policy change: the organization, or one team's id.
const ScopeOrg = "org"

// ReloadPolicy re-reads the switches of scope (ScopeOrg or a team id) on
// this node.
func (s *Service) ReloadPolicy(ctx context.Context, scope string) error {
	if scope == ScopeOrg {
		org, err := s.store.Org(ctx)
		if err != nil {
			return err
		}
		s.sw.mu.Lock()
		s.sw.org, s.sw.rotation = OrgPolicy(org), org.URLRotation
		s.sw.mu.Unlock()
		return nil
	}
	t, err := s.store.Team(ctx, scope)
	if herald.ErrorCode(err) == herald.ENotFound {
		s.sw.mu.Lock()
		delete(s.sw.teams, scope)
		s.sw.mu.Unlock()
		return nil
	} else if err != nil {
		return err
	}
	s.sw.mu.Lock()
	s.sw.teams[t.ID] = TeamPolicy(t.TeamSettings)
	s.sw.mu.Unlock()
	return nil
}

// PolicyChanged must be called after switches of scope changed: every node
// applies them before the next post it checks.
func (s *Service) PolicyChanged(ctx context.Context, scope string) error {
	if err := s.ReloadPolicy(ctx, scope); err != nil {
		return err
	}
	if s.opts.BroadcastPolicy != nil {
		return s.opts.BroadcastPolicy(ctx, scope)
	}
	return nil
}

// Delivery decides whether a connection in team may post now.
func (s *Service) Delivery(ctx context.Context, teamID string) (policy.Decision, error) {
	return s.decide(ctx, teamID, policy.Delivery)
}

// Polling decides whether a polling connection in team may poll now, from
// the same switches as Delivery.
func (s *Service) Polling(ctx context.Context, teamID string) (policy.Decision, error) {
	return s.decide(ctx, teamID, policy.Polling)
}

// decide applies a decision to the cached switches of the organization and
// of team.
func (s *Service) decide(ctx context.Context, teamID string, decision func(policy.Org, policy.Team) policy.Decision) (policy.Decision, error) {
	s.sw.mu.RLock()
	org := s.sw.org
	team, ok := s.sw.teams[teamID]
	s.sw.mu.RUnlock()
	if !ok {
		// A team made on another node moments ago: read it once.
		if err := s.ReloadPolicy(ctx, teamID); err != nil {
			return policy.Decision{}, err
		}
		s.sw.mu.RLock()
		org = s.sw.org
		team, ok = s.sw.teams[teamID]
		s.sw.mu.RUnlock()
		if !ok {
			return policy.Decision{Reason: "This connection's team no longer exists."}, nil
		}
	}
	return decision(org, team), nil
}

// Org returns the cached organization switches.
func (s *Service) Org() policy.Org {
	s.sw.mu.RLock()
	defer s.sw.mu.RUnlock()
	return s.sw.org
}

// rotation returns the organization's URL rotation campaign, if any.
func (s *Service) rotation() *herald.URLRotation {
	s.sw.mu.RLock()
	defer s.sw.mu.RUnlock()
	return s.sw.rotation
}

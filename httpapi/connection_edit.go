package httpapi

import (
	"bytes"
	"image"
	_ "image/gif" // registered for DecodeConfig
	_ "image/jpeg"
	_ "image/png"
	"io"
	"net/http"
	"strconv"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/policy"
	"github.com/heraldhq/herald/store"
)

// maxImage bounds a connection's picture: it is shown at 32-64 px.
const maxImage = 256 << 10

// updateConnection renames a connection: PATCH /connections/{id} {"name"}.
func (s *Server) updateConnection(w http.ResponseWriter, r *http.Request) error {
	c, sec, err := s.connection(r, policy.ManageConnectors)
	if err != nil {
		return err
	}
	var req struct {
		Name   *string                  `json:"name"`
		Config *herald.ConnectionConfig `json:"config"`
		Secret *string                  `json:"secret"` // "" clears it
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	u := store.ConnectionUpdate{Config: req.Config, Secret: s.sealSecret(req.Secret)}
	if req.Name != nil {
		name, err := validName("connection", *req.Name)
		if err != nil {
			return err
		}
		u.Name = &name
	}
	if req.Config != nil {
		e, _, err := s.connectorFor(r, c.Connector)
		if err != nil {
			return err
		}
		if err := validConfig(e, req.Config); err != nil {
			return err
		}
	}
	moved := req.Config != nil && isPolling(c) && req.Config.URL != c.Config.URL
	if c, err = s.store.UpdateConnection(r.Context(), userFrom(r.Context()), c.ID, u); err != nil {
		return err
	}
	if moved {
		if err := s.store.ResetFeed(r.Context(), c.ID); err != nil {
			return err
		}
	}
	if req.Config != nil && isPolling(c) && s.cfg.Poller != nil {
		// New settings take effect at the next poll: make it now.
		if err := s.store.FeedDueAt(r.Context(), c.ID, s.now()); err != nil {
			return err
		}
		s.cfg.Poller.PollSoon(c.ID)
	}
	s.ingest.Changed(r.Context(), c.ID)
	return s.writeConnection(w, r, http.StatusOK, c, sec)
}

// putConnectionImage stores the picture shown as the author of the
// connection's messages: PUT /connections/{id}/image with a PNG, JPEG or GIF
// body of at most 256 KB. Only raster images whose header decodes are
// accepted, so that nothing served back can be script (no SVG, no HTML).
func (s *Server) putConnectionImage(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.connection(r, policy.ManageConnectors)
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxImage+1))
	if err != nil {
		return herald.Errorf(herald.EInvalid, "The image could not be read: %v.", err)
	}
	if len(data) > maxImage {
		return herald.Errorf(herald.EInvalid, "The image is over %d KB; use a smaller one (it is shown at 64 px).", maxImage>>10)
	}
	_, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return herald.Errorf(herald.EInvalid, "The image must be a PNG, JPEG or GIF.")
	}
	if err := s.store.SetConnectionImage(r.Context(), userFrom(r.Context()), c.ID, data, "image/"+format); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteConnectionImage(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.connection(r, policy.ManageConnectors)
	if err != nil {
		return err
	}
	if err := s.store.SetConnectionImage(r.Context(), userFrom(r.Context()), c.ID, nil, ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) getConnectionImage(w http.ResponseWriter, r *http.Request) error {
	c, _, err := s.connection(r, policy.ViewTeam)
	if err != nil {
		return err
	}
	data, typ, err := s.store.ConnectionImage(r.Context(), c.ID)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Length", strconv.Itoa(len(data)))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("Cache-Control", "private, max-age=60")
	w.Write(data)
	return nil
}

// teamView is a team as the API shows it to one caller: with their role and
// what they may do, so that a client offers no action it would be refused.
type teamView struct {
	*herald.Team
	Role string          `json:"role"`
	Can  map[string]bool `json:"can"`
}

var teamActions = []policy.Action{policy.ViewTeam, policy.CreateChannel, policy.ManageConnectors,
	policy.ManageMembers, policy.ManageTeamSettings}

func (s *Server) teamView(t *herald.Team, actor policy.Actor) teamView {
	v := teamView{Team: t, Role: string(actor.Role), Can: make(map[string]bool, len(teamActions))}
	for _, a := range teamActions {
		v.Can[string(a)] = policy.Can(actor, a, policy.Team(t.TeamSettings)).Allowed
	}
	return v
}

package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testenv"
)

// The permission matrix of package policy, checked over real HTTP: every
// actor below makes every request below, once with the team's
// members_can_manage_connectors on and once with it off.

// permActor is who makes a request. Everyone but the bootstrap admin (who
// creates the team, and only sets things up) is a separate user with their own
// API token.
type permActor int

const (
	permOrgAdmin permActor = iota // organization admin, not a member of the team
	permOwner
	permMember
	permGuest
	permOutsider // neither a member nor an organization admin
	permActors
)

var permActorNames = [permActors]string{"org_admin", "owner", "member", "guest", "non_member"}

// permCodes holds one status per actor, in permActor order:
//
//	{org admin, owner, member, guest, non-member}
type permCodes [permActors]int

// permKind says what kind of action a row is, which decides what a 403 must
// say (see permRefusal).
type permKind int

const (
	permView       permKind = iota // view_team
	permChannels                   // create_channel
	permConnectors                 // manage_connectors
	permMembers                    // manage_members
	permSettings                   // manage_team_settings
	permOrg                        // an organization action (CanOrg)
)

// permRow is one action and the status each actor gets for it, with
// team.members_can_manage_connectors on and off.
type permRow struct {
	name    string
	kind    permKind
	on, off permCodes
	// req prepares the request, creating as the bootstrap admin (or the
	// owner) whatever the request consumes, so every case starts fresh.
	req func(t *testing.T, f *permFixture) permReq
	// verify, when set, checks afterwards that the request had its effect
	// exactly when it was allowed.
	verify func(t *testing.T, f *permFixture, r permReq, allowed bool)
}

// permReq is one HTTP request of the matrix.
type permReq struct {
	method, path string
	body         any
	stream       bool   // an event stream: look at the status, then hang up
	target       string // the object the request acts on, for verify
}

// The expected matrix. In each row, on and off are the statuses of
// {org admin, owner, member, guest, non-member} with
// team.members_can_manage_connectors true (on) and false (off). A 403 must
// carry the code "forbidden" and name what decided (permRefusal); a 404 the
// code "not_found", with the same message as for an id that does not exist.
var permMatrix = []permRow{
	// view_team: everyone in the team; non-members get 404.
	{name: "GET team", kind: permView, on: permCodes{200, 200, 200, 200, 404}, off: permCodes{200, 200, 200, 200, 404}, req: permGetTeam},
	{name: "GET team channels", kind: permView, on: permCodes{200, 200, 200, 200, 404}, off: permCodes{200, 200, 200, 200, 404}, req: permGetTeamChannels},
	{name: "GET channel", kind: permView, on: permCodes{200, 200, 200, 200, 404}, off: permCodes{200, 200, 200, 200, 404}, req: permGetChannel},
	{name: "GET channel messages", kind: permView, on: permCodes{200, 200, 200, 200, 404}, off: permCodes{200, 200, 200, 200, 404}, req: permGetMessages},
	{name: "GET channel connections", kind: permView, on: permCodes{200, 200, 200, 200, 404}, off: permCodes{200, 200, 200, 200, 404}, req: permGetConnections},
	{name: "GET connection", kind: permView, on: permCodes{200, 200, 200, 200, 404}, off: permCodes{200, 200, 200, 200, 404}, req: permGetConnection},
	{name: "GET team members", kind: permView, on: permCodes{200, 200, 200, 200, 404}, off: permCodes{200, 200, 200, 200, 404}, req: permGetMembers},
	{name: "GET channel events", kind: permView, on: permCodes{200, 200, 200, 200, 404}, off: permCodes{200, 200, 200, 200, 404}, req: permGetEvents},

	// create_channel: members too, whatever the connector setting.
	{name: "POST team channel", kind: permChannels, on: permCodes{201, 201, 201, 403, 404}, off: permCodes{201, 201, 201, 403, 404}, req: permCreateChannel},

	// manage_connectors: members only when the team allows it.
	{name: "POST channel connection", kind: permConnectors, on: permCodes{201, 201, 201, 403, 404}, off: permCodes{201, 201, 403, 403, 404}, req: permAddConnection},
	{name: "DELETE owner's connection", kind: permConnectors, on: permCodes{204, 204, 204, 403, 404}, off: permCodes{204, 204, 403, 403, 404}, req: permDeleteConnection, verify: permVerifyConnectionDeleted},

	// manage_members and manage_team_settings: owners and org admins.
	{name: "POST team member", kind: permMembers, on: permCodes{200, 200, 403, 403, 404}, off: permCodes{200, 200, 403, 403, 404}, req: permAddMember, verify: permVerifyMemberAdded},
	{name: "DELETE team member", kind: permMembers, on: permCodes{204, 204, 403, 403, 404}, off: permCodes{204, 204, 403, 403, 404}, req: permRemoveMember, verify: permVerifyMemberRemoved},
	{name: "PATCH team", kind: permSettings, on: permCodes{200, 200, 403, 403, 404}, off: permCodes{200, 200, 403, 403, 404}, req: permPatchTeam, verify: permVerifyTeamPatched},

	// Organization actions: org admins only; owning a team is not enough.
	{name: "PATCH org", kind: permOrg, on: permCodes{200, 403, 403, 403, 403}, off: permCodes{200, 403, 403, 403, 403}, req: permPatchOrg},
	{name: "GET audit", kind: permOrg, on: permCodes{200, 403, 403, 403, 403}, off: permCodes{200, 403, 403, 403, 403}, req: permGetAudit},
	{name: "POST user", kind: permOrg, on: permCodes{201, 403, 403, 403, 403}, off: permCodes{201, 403, 403, 403, 403}, req: permCreateUser},
}

// permListed says who finds the team in GET /api/v1/teams, in permActor
// order: org admins see every team, members (any role) see theirs.
var permListed = [permActors]bool{true, true, true, true, false}

// permRefusal is what a 403 message must contain: the switch that decided.
func permRefusal(kind permKind, a permActor) string {
	switch {
	case kind == permOrg:
		return "(org_admin is false)"
	case a == permGuest:
		return "(your role is guest)"
	case a == permMember && kind == permConnectors:
		return "(team.members_can_manage_connectors is false)"
	case a == permMember:
		return "(your role is member)"
	}
	return "an unexpected 403"
}

func TestPermissionMatrix(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			f := permSetup(t, db)
			for _, setting := range []bool{true, false} {
				var team struct {
					MembersCanManageConnectors bool `json:"members_can_manage_connectors"`
				}
				f.n.api("PATCH", "/api/v1/teams/"+f.team, map[string]bool{"members_can_manage_connectors": setting}, 200, &team)
				if team.MembersCanManageConnectors != setting {
					t.Fatalf("PATCH members_can_manage_connectors=%v answered %v", setting, team.MembersCanManageConnectors)
				}
				f.setting = setting
				for _, row := range permMatrix {
					want := row.on
					if !setting {
						want = row.off
					}
					for a := range permActors {
						name := fmt.Sprintf("members_can_manage_connectors=%v/%s/%s", setting, row.name, permActorNames[a])
						t.Run(name, func(t *testing.T) {
							r := row.req(t, f)
							got := f.do(t, a, r)
							if got.status != want[a] {
								t.Fatalf("%s %s: status %d, want %d: %s", r.method, r.path, got.status, want[a], got.body)
							}
							switch got.status {
							case 403:
								if got.code != "forbidden" || !strings.Contains(got.message, permRefusal(row.kind, a)) {
									t.Errorf("403 body %s: want code forbidden and a message containing %q", got.body, permRefusal(row.kind, a))
								}
							case 404:
								if got.code != "not_found" {
									t.Errorf("404 body %s: want code not_found", got.body)
								}
								// The answer must be the one for an id that does
								// not exist at all: nothing tells the team is there.
								ghost := r
								ghost.path = permIDs.ReplaceAllStringFunc(r.path, permGhostID)
								if ghost.path == r.path {
									t.Fatalf("no id to replace in %s", r.path)
								}
								if g := f.do(t, a, ghost); g.status != 404 || g.message != got.message || g.code != got.code {
									t.Errorf("404 %q differs from the answer for unknown ids (%s %s): %d %s", got.message, ghost.method, ghost.path, g.status, g.body)
								}
							}
							if row.verify != nil {
								row.verify(t, f, r, got.status < 300)
							}
						})
					}
				}
				t.Run(fmt.Sprintf("members_can_manage_connectors=%v/GET teams", setting), func(t *testing.T) {
					for a := range permActors {
						var list struct{ Teams []struct{ ID string } }
						got := f.do(t, a, permReq{method: "GET", path: "/api/v1/teams"})
						if got.status != 200 {
							t.Fatalf("%s: GET /api/v1/teams: %d %s", permActorNames[a], got.status, got.body)
						}
						if err := json.Unmarshal(got.body, &list); err != nil {
							t.Fatalf("%s: GET /api/v1/teams: %v", permActorNames[a], err)
						}
						listed := slices.ContainsFunc(list.Teams, func(x struct{ ID string }) bool { return x.ID == f.team })
						if listed != permListed[a] {
							t.Errorf("%s: team listed = %v, want %v", permActorNames[a], listed, permListed[a])
						}
					}
				})
				// The setting the actors ran under is still the one set: no
				// refused PATCH changed it.
				f.n.api("GET", "/api/v1/teams/"+f.team, nil, 200, &team)
				if team.MembersCanManageConnectors != setting {
					t.Fatalf("members_can_manage_connectors = %v after the matrix, want %v", team.MembersCanManageConnectors, setting)
				}
			}
		})
	}
}

// TestPermissionConnectionOutlivesCreator: a connection belongs to the team,
// so it keeps working when the member who made it leaves the team, and when
// their user is deleted.
func TestPermissionConnectionOutlivesCreator(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			f := permSetup(t, db)
			var c connection
			f.as(t, permMember, "POST", "/api/v1/channels/"+f.channel+"/connections",
				map[string]string{"connector": "incoming-webhook", "name": "Member's CI"}, 201, &c)
			permPostOK(t, c.WebhookURL, "made by a member")

			f.n.api("DELETE", "/api/v1/teams/"+f.team+"/members/"+f.ids[permMember], nil, 204, nil)
			permPostOK(t, c.WebhookURL, "creator left the team")
			// The former member no longer sees it; the team still does.
			f.as(t, permMember, "GET", "/api/v1/connections/"+c.ID, nil, 404, nil)
			var got struct {
				CreatorID  string `json:"creator_id"`
				WebhookURL string `json:"webhook_url"`
			}
			f.as(t, permOwner, "GET", "/api/v1/connections/"+c.ID, nil, 200, &got)
			if got.CreatorID != f.ids[permMember] || got.WebhookURL != c.WebhookURL {
				t.Fatalf("after the creator left: creator %q URL %q, want %q %q", got.CreatorID, got.WebhookURL, f.ids[permMember], c.WebhookURL)
			}

			f.n.api("DELETE", "/api/v1/users/"+f.ids[permMember], nil, 204, nil)
			permPostOK(t, c.WebhookURL, "creator deleted")
			if r := post(t, c.SlackURL, "application/json", `{"text":"slack, creator deleted"}`); r.status != 200 || r.body != "ok" {
				t.Fatalf("Slack URL after the creator was deleted: %d %q", r.status, r.body)
			}
			// The deleted user's token is dead.
			if got := f.do(t, permMember, permReq{method: "GET", path: "/api/v1/me"}); got.status != 401 {
				t.Fatalf("deleted user's token: %d %s, want 401", got.status, got.body)
			}
			f.as(t, permOwner, "GET", "/api/v1/connections/"+c.ID, nil, 200, &got)
			if got.WebhookURL != c.WebhookURL {
				t.Fatalf("after the creator was deleted the connection shows URL %q, want %q", got.WebhookURL, c.WebhookURL)
			}
			var msgs struct{ Messages []message }
			f.as(t, permOwner, "GET", "/api/v1/channels/"+f.channel+"/messages", nil, 200, &msgs)
			if len(msgs.Messages) != 4 {
				t.Fatalf("%d messages in the channel, want 4", len(msgs.Messages))
			}
		})
	}
}

// TestPermissionMemberRemovesOwnersConnection: manage_connectors covers
// anyone's connection, so a member may remove one the owner made when the
// team allows members to manage connectors, and not otherwise.
func TestPermissionMemberRemovesOwnersConnection(t *testing.T) {
	f := permSetup(t, "sqlite")
	mine := func() connection {
		var c connection
		f.as(t, permOwner, "POST", "/api/v1/channels/"+f.channel+"/connections",
			map[string]string{"connector": "incoming-webhook", "name": "Owner's"}, 201, &c)
		permPostOK(t, c.WebhookURL, "owner's connection")
		return c
	}

	f.n.api("PATCH", "/api/v1/teams/"+f.team, map[string]bool{"members_can_manage_connectors": false}, 200, nil)
	kept := mine()
	var e permError
	f.as(t, permMember, "DELETE", "/api/v1/connections/"+kept.ID, nil, 403, &e)
	if e.Error.Code != "forbidden" || !strings.Contains(e.Error.Message, "team.members_can_manage_connectors") {
		t.Fatalf("refusal %+v", e)
	}
	permPostOK(t, kept.WebhookURL, "removal refused")

	f.n.api("PATCH", "/api/v1/teams/"+f.team, map[string]bool{"members_can_manage_connectors": true}, 200, nil)
	gone := mine()
	f.as(t, permMember, "DELETE", "/api/v1/connections/"+gone.ID, nil, 204, nil)
	if r := post(t, gone.WebhookURL, "application/json", `{"text":"after removal"}`); r.status != 410 {
		t.Fatalf("post to the removed connection: %d %q, want 410", r.status, r.body)
	}
	f.as(t, permOwner, "GET", "/api/v1/connections/"+gone.ID, nil, 404, nil)
	permPostOK(t, kept.WebhookURL, "the other connection") // only the one removed is gone
}

// permFixture is one node with a team, its General channel, a connection the
// owner made there, and a user with a token for every actor.
type permFixture struct {
	n       *node
	team    string
	channel string
	conn    string // made by the owner; the view rows read it
	ids     [permActors]string
	tokens  [permActors]string
	setting bool // members_can_manage_connectors, as the matrix runs
}

var permSeq atomic.Int64

// permName returns a name no other call returns.
func permName(prefix string) string { return prefix + " " + strconv.FormatInt(permSeq.Add(1), 10) }

func permSetup(t *testing.T, db string) *permFixture {
	t.Helper()
	cfg := app.Config{}
	if db == "postgres" {
		cfg.DB = testenv.Postgres(t)
	}
	f := &permFixture{n: start(t, cfg)}
	var team struct{ ID string }
	f.n.api("POST", "/api/v1/teams", map[string]string{"name": "Permissions"}, 201, &team)
	f.team = team.ID
	var chans struct{ Channels []struct{ ID string } }
	f.n.api("GET", "/api/v1/teams/"+f.team+"/channels", nil, 200, &chans)
	f.channel = chans.Channels[0].ID

	roles := [permActors]string{permOwner: "owner", permMember: "member", permGuest: "guest"}
	for a := range permActors {
		var u struct {
			ID       string `json:"id"`
			OrgAdmin bool   `json:"org_admin"`
		}
		f.n.api("POST", "/api/v1/users", map[string]any{"name": "Perm " + permActorNames[a],
			"email": permActorNames[a] + "@example.com", "org_admin": a == permOrgAdmin}, 201, &u)
		if u.OrgAdmin != (a == permOrgAdmin) {
			t.Fatalf("%s: org_admin = %v", permActorNames[a], u.OrgAdmin)
		}
		var tok struct{ Token string }
		f.n.api("POST", "/api/v1/tokens", map[string]string{"name": "perm", "user_id": u.ID}, 201, &tok)
		f.ids[a], f.tokens[a] = u.ID, tok.Token
		if roles[a] != "" {
			f.n.api("POST", "/api/v1/teams/"+f.team+"/members", map[string]string{"user_id": u.ID, "role": roles[a]}, 200, nil)
		}
	}
	f.conn = f.ownerConnection(t)
	return f
}

// ownerConnection makes an Incoming Webhook in the channel as the owner.
func (f *permFixture) ownerConnection(t *testing.T) string {
	t.Helper()
	var c connection
	f.as(t, permOwner, "POST", "/api/v1/channels/"+f.channel+"/connections",
		map[string]string{"connector": "incoming-webhook", "name": permName("Owner's")}, 201, &c)
	return c.ID
}

// newUser makes a user who is in no team.
func (f *permFixture) newUser(t *testing.T) string {
	t.Helper()
	var u struct{ ID string }
	f.n.api("POST", "/api/v1/users", map[string]string{"name": permName("Target")}, 201, &u)
	return u.ID
}

type permResp struct {
	status        int
	code, message string
	body          []byte
}

type permError struct {
	Error struct{ Code, Message string }
}

// do makes r as actor a.
func (f *permFixture) do(t *testing.T, a permActor, r permReq) permResp {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var body io.Reader
	if r.body != nil {
		b, err := json.Marshal(r.body)
		testenv.Must(t, err, "marshal")
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, f.n.url+r.path, body)
	testenv.Must(t, err, "request")
	req.Header.Set("Authorization", "Bearer "+f.tokens[a])
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	testenv.Must(t, err, r.method, " ", r.path)
	defer resp.Body.Close()
	out := permResp{status: resp.StatusCode}
	if r.stream && resp.StatusCode == 200 {
		if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
			t.Errorf("%s %s: Content-Type %q", r.method, r.path, ct)
		}
		return out // hang up: the deferred cancel ends the stream
	}
	out.body, err = io.ReadAll(resp.Body)
	testenv.Must(t, err, "read ", r.path)
	if resp.StatusCode >= 400 {
		var e permError
		if err := json.Unmarshal(out.body, &e); err != nil {
			t.Errorf("%s %s: %d with a body that is not an error document: %s", r.method, r.path, resp.StatusCode, out.body)
		}
		out.code, out.message = e.Error.Code, e.Error.Message
	}
	return out
}

// as makes a request as actor a, failing unless the status is want, and
// decodes the answer into out when it is not nil.
func (f *permFixture) as(t *testing.T, a permActor, method, path string, body any, want int, out any) {
	t.Helper()
	got := f.do(t, a, permReq{method: method, path: path, body: body})
	if got.status != want {
		t.Fatalf("%s: %s %s: status %d, want %d: %s", permActorNames[a], method, path, got.status, want, got.body)
	}
	if out != nil {
		if err := json.Unmarshal(got.body, out); err != nil {
			t.Fatalf("%s %s: decode %s: %v", method, path, got.body, err)
		}
	}
}

func permPostOK(t *testing.T, url, text string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"text": text})
	if r := post(t, url, "application/json", string(b)); r.status != 200 || r.body != "1" {
		t.Fatalf("webhook post (%s): %d %q, want 200 \"1\"", text, r.status, r.body)
	}
}

// permIDs matches the ids in API paths: UUIDs (teams, channels, users) and
// 32 hex characters (connections).
var permIDs = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}`)

// permGhostID returns an id of the same shape that names nothing.
func permGhostID(id string) string {
	if len(id) == 32 {
		return "0123456789abcdef0123456789abcdef"
	}
	return "00000000-0000-4000-8000-000000000000"
}

// Requests of the matrix.

func permGetTeam(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/teams/" + f.team}
}

func permGetTeamChannels(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/teams/" + f.team + "/channels"}
}

func permGetChannel(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/channels/" + f.channel}
}

func permGetMessages(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/channels/" + f.channel + "/messages"}
}

func permGetConnections(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/channels/" + f.channel + "/connections"}
}

func permGetConnection(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/connections/" + f.conn}
}

func permGetMembers(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/teams/" + f.team + "/members"}
}

func permGetEvents(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/channels/" + f.channel + "/events", stream: true}
}

func permCreateChannel(t *testing.T, f *permFixture) permReq {
	return permReq{method: "POST", path: "/api/v1/teams/" + f.team + "/channels", body: map[string]string{"name": permName("channel")}}
}

func permAddConnection(t *testing.T, f *permFixture) permReq {
	return permReq{method: "POST", path: "/api/v1/channels/" + f.channel + "/connections",
		body: map[string]string{"connector": "incoming-webhook", "name": permName("connection")}}
}

func permDeleteConnection(t *testing.T, f *permFixture) permReq {
	id := f.ownerConnection(t)
	return permReq{method: "DELETE", path: "/api/v1/connections/" + id, target: id}
}

func permVerifyConnectionDeleted(t *testing.T, f *permFixture, r permReq, allowed bool) {
	want := 200
	if allowed {
		want = 404
	}
	f.as(t, permOwner, "GET", "/api/v1/connections/"+r.target, nil, want, nil)
}

func permAddMember(t *testing.T, f *permFixture) permReq {
	id := f.newUser(t)
	return permReq{method: "POST", path: "/api/v1/teams/" + f.team + "/members",
		body: map[string]string{"user_id": id, "role": "member"}, target: id}
}

func permVerifyMemberAdded(t *testing.T, f *permFixture, r permReq, allowed bool) {
	if got := f.isMember(t, r.target); got != allowed {
		t.Errorf("target is a member: %v, want %v", got, allowed)
	}
}

func permRemoveMember(t *testing.T, f *permFixture) permReq {
	id := f.newUser(t)
	f.n.api("POST", "/api/v1/teams/"+f.team+"/members", map[string]string{"user_id": id, "role": "member"}, 200, nil)
	return permReq{method: "DELETE", path: "/api/v1/teams/" + f.team + "/members/" + id, target: id}
}

func permVerifyMemberRemoved(t *testing.T, f *permFixture, r permReq, allowed bool) {
	if got := f.isMember(t, r.target); got == allowed {
		t.Errorf("target is a member: %v, want %v", got, !allowed)
	}
}

func (f *permFixture) isMember(t *testing.T, userID string) bool {
	t.Helper()
	var list struct{ Members []permMemberRow }
	f.n.api("GET", "/api/v1/teams/"+f.team+"/members", nil, 200, &list)
	return slices.ContainsFunc(list.Members, func(m permMemberRow) bool { return m.UserID == userID })
}

type permMemberRow struct {
	UserID string `json:"user_id"`
}

// permPatchTeam renames the team and sets members_can_manage_connectors to
// the value it has, so that the matrix keeps running under one setting.
func permPatchTeam(t *testing.T, f *permFixture) permReq {
	name := permName("Permissions")
	return permReq{method: "PATCH", path: "/api/v1/teams/" + f.team,
		body: map[string]any{"name": name, "members_can_manage_connectors": f.setting}, target: name}
}

func permVerifyTeamPatched(t *testing.T, f *permFixture, r permReq, allowed bool) {
	var team struct{ Name string }
	f.n.api("GET", "/api/v1/teams/"+f.team, nil, 200, &team)
	if renamed := team.Name == r.target; renamed != allowed {
		t.Errorf("team renamed: %v, want %v", renamed, allowed)
	}
}

func permPatchOrg(t *testing.T, f *permFixture) permReq {
	return permReq{method: "PATCH", path: "/api/v1/org", body: map[string]bool{"connectors_enabled": true}}
}

func permGetAudit(t *testing.T, f *permFixture) permReq {
	return permReq{method: "GET", path: "/api/v1/audit"}
}

func permCreateUser(t *testing.T, f *permFixture) permReq {
	name := permName("New user")
	return permReq{method: "POST", path: "/api/v1/users",
		body: map[string]string{"name": name, "email": strings.ReplaceAll(name, " ", ".") + "@example.com"}}
}

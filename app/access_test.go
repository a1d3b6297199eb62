package app_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
)

// userWithToken creates a user and returns its id and an API token.
func (n *node) userWithToken(name string) (id, token string) {
	n.t.Helper()
	var u struct{ ID string }
	n.api("POST", "/api/v1/users", map[string]string{"name": name, "email": name + "@example.com"}, 201, &u)
	var tok struct{ Token string }
	n.api("POST", "/api/v1/tokens", map[string]string{"name": "t", "user_id": u.ID}, 201, &tok)
	return u.ID, tok.Token
}

// TestStreamEndsWhenAccessEnds: a follower removed from the team stops
// receiving the channel's messages.
func TestStreamEndsWhenAccessEnds(t *testing.T) {
	n := start(t, app.Config{})
	ch, c := n.webhook()
	var info struct {
		TeamID string `json:"team_id"`
	}
	n.api("GET", "/api/v1/channels/"+ch, nil, 200, &info)
	uid, tok := n.userWithToken("viewer")
	n.api("POST", "/api/v1/teams/"+info.TeamID+"/members", map[string]string{"user_id": uid, "role": "member"}, 200, nil)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", n.url+"/api/v1/channels/"+ch+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("follow: %v %v", err, resp.StatusCode)
	}
	done := make(chan string, 1)
	go func() {
		defer resp.Body.Close()
		b := make([]byte, 1<<16)
		var got []byte
		for {
			k, err := resp.Body.Read(b)
			got = append(got, b[:k]...)
			if err != nil {
				done <- string(got)
				return
			}
		}
	}()
	n.api("DELETE", "/api/v1/teams/"+info.TeamID+"/members/"+uid, nil, 204, nil)
	time.Sleep(1100 * time.Millisecond) // past the re-check interval
	post(t, c.WebhookURL, "application/json", `{"text":"secret after removal"}`)
	select {
	case got := <-done:
		if strings.Contains(got, "secret after removal") {
			t.Fatalf("a removed member received a message: %q", got)
		}
	case <-ctx.Done():
		t.Fatal("the stream of a removed member did not end")
	}
}

func TestDeletingLastOwnerRefused(t *testing.T) {
	n := start(t, app.Config{})
	uid, tok := n.userWithToken("founder")
	req := jsonReq(t, "POST", n.url+"/api/v1/teams", map[string]string{"name": "Founder's team"})
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create team as user: %v %v", err, resp.StatusCode)
	}
	resp.Body.Close()
	var e struct {
		Error struct{ Code, Message string }
	}
	n.api("DELETE", "/api/v1/users/"+uid, nil, 409, &e)
	if e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, "Founder's team") {
		t.Fatalf("error = %+v", e)
	}
}

// TestURLsShownOnlyToManagers: a webhook URL is a secret; only those who may
// manage the team's connectors see it.
func TestURLsShownOnlyToManagers(t *testing.T) {
	n := start(t, app.Config{})
	ch, c := n.webhook()
	var info struct {
		TeamID string `json:"team_id"`
	}
	n.api("GET", "/api/v1/channels/"+ch, nil, 200, &info)
	guestID, guestTok := n.userWithToken("guest")
	memberID, memberTok := n.userWithToken("member")
	n.api("POST", "/api/v1/teams/"+info.TeamID+"/members", map[string]string{"user_id": guestID, "role": "guest"}, 200, nil)
	n.api("POST", "/api/v1/teams/"+info.TeamID+"/members", map[string]string{"user_id": memberID, "role": "member"}, 200, nil)
	get := func(tok, path string) string {
		req, _ := http.NewRequest("GET", n.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET %s: %v %v", path, err, resp.StatusCode)
		}
		defer resp.Body.Close()
		b := new(strings.Builder)
		io.Copy(b, resp.Body)
		return b.String()
	}
	token := c.WebhookURL[strings.LastIndex(c.WebhookURL, "/V2")+3:]
	for _, path := range []string{"/api/v1/connections/" + c.ID, "/api/v1/channels/" + ch + "/connections", "/api/v1/connections"} {
		if body := get(guestTok, path); strings.Contains(body, token) || strings.Contains(body, "webhook_url") {
			t.Errorf("a guest sees the URL at %s", path)
		}
		if body := get(memberTok, path); !strings.Contains(body, token) {
			t.Errorf("a member who may manage connectors does not see the URL at %s", path)
		}
	}
	n.api("PATCH", "/api/v1/teams/"+info.TeamID, map[string]bool{"members_can_manage_connectors": false}, 200, nil)
	if body := get(memberTok, "/api/v1/connections/"+c.ID); strings.Contains(body, token) {
		t.Error("a member who may not manage connectors sees the URL")
	}
}

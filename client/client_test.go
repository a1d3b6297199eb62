package client_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/testserver"
)

const adminToken = "test-admin-token"

// startServer runs a real Herald node on a random port until the test ends
// and returns its base URL.
func startServer(t *testing.T) string {
	t.Helper()
	return testserver.Start(t, app.Config{BootstrapToken: adminToken}).URL
}

// fixture is a team, a channel and an incoming webhook in it.
type fixture struct {
	c       *client.Client
	team    *client.Team
	channel *client.Channel
	conn    *client.Connection
}

func newFixture(t *testing.T, base string) *fixture {
	t.Helper()
	ctx := context.Background()
	c := client.New(base, adminToken)
	team, err := c.CreateTeam(ctx, "Platform")
	if err != nil {
		t.Fatalf("CreateTeam: %v", err)
	}
	ch, err := c.CreateChannel(ctx, team.ID, "alerts")
	if err != nil {
		t.Fatalf("CreateChannel: %v", err)
	}
	conn, err := c.CreateConnection(ctx, ch.ID, "", "CI")
	if err != nil {
		t.Fatalf("CreateConnection: %v", err)
	}
	return &fixture{c: c, team: team, channel: ch, conn: conn}
}

// post sends a text message to a webhook URL and checks Herald's "1".
func post(t *testing.T, webhookURL, text string) {
	t.Helper()
	status, body := postRaw(t, webhookURL, text)
	if status != http.StatusOK || body != "1" {
		t.Fatalf("POST webhook %q: %d %q, want 200 \"1\"", text, status, body)
	}
}

func postRaw(t *testing.T, webhookURL, text string) (int, string) {
	t.Helper()
	resp, err := http.Post(webhookURL, "application/json", strings.NewReader(`{"text":"`+text+`"}`))
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAPI(t *testing.T) {
	base := startServer(t)
	ctx := context.Background()
	c := client.New(base+"/", adminToken) // a trailing slash is fine

	me, err := c.Me(ctx)
	if err != nil || me.ID == "" || me.Name != "admin" {
		t.Fatalf("Me = %+v, %v", me, err)
	}

	team, err := c.CreateTeam(ctx, "Platform")
	if err != nil {
		t.Fatalf("CreateTeam: %v", err)
	}
	if team.ID == "" || team.Name != "Platform" || team.OrgID != me.OrgID || team.CreatedAt.IsZero() {
		t.Errorf("CreateTeam = %+v", team)
	}
	teams, err := c.Teams(ctx)
	if err != nil || !slices.ContainsFunc(teams, func(x client.Team) bool { return x.ID == team.ID }) {
		t.Errorf("Teams = %+v, %v; want %s among them", teams, err, team.ID)
	}
	// (CreatedAt is not compared: the server stores milliseconds but
	// answers a create with the full-precision time.)
	if got, err := c.Team(ctx, team.ID); err != nil || got.ID != team.ID || got.Name != team.Name || got.OrgID != team.OrgID {
		t.Errorf("Team = %+v, %v; want %+v", got, err, team)
	}

	ch, err := c.CreateChannel(ctx, team.ID, "alerts")
	if err != nil {
		t.Fatalf("CreateChannel: %v", err)
	}
	if ch.TeamID != team.ID || ch.Name != "alerts" {
		t.Errorf("CreateChannel = %+v", ch)
	}
	chans, err := c.Channels(ctx, team.ID)
	if err != nil || !slices.ContainsFunc(chans, func(x client.Channel) bool { return x.ID == ch.ID }) {
		t.Errorf("Channels = %+v, %v", chans, err)
	}

	cat, err := c.Connectors(ctx)
	if err != nil || !slices.ContainsFunc(cat, func(x client.Connector) bool { return x.ID == client.ConnectorIncomingWebhook }) {
		t.Errorf("Connectors = %+v, %v", cat, err)
	}

	conn, err := c.CreateConnection(ctx, ch.ID, client.ConnectorIncomingWebhook, "CI")
	if err != nil {
		t.Fatalf("CreateConnection: %v", err)
	}
	if conn.ChannelID != ch.ID || conn.Connector != client.ConnectorIncomingWebhook || conn.Name != "CI" || conn.CreatorID != me.ID {
		t.Errorf("CreateConnection = %+v", conn)
	}
	if !strings.HasPrefix(conn.WebhookURL, base+"/webhookb2/") || !strings.HasPrefix(conn.SlackURL, base+"/services/") {
		t.Fatalf("URLs = %q, %q; want them on %s", conn.WebhookURL, conn.SlackURL, base)
	}

	post(t, conn.WebhookURL, "hello")
	msgs, err := c.Messages(ctx, ch.ID, 0, 0)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Messages = %+v, %v; want 1", msgs, err)
	}
	if m := msgs[0]; m.ID == 0 || m.ChannelID != ch.ID || m.ConnectionID != conn.ID || !strings.Contains(m.Summary, "hello") || len(m.Card) == 0 {
		t.Errorf("message = %+v", m)
	}
	if got, err := c.Channel(ctx, ch.ID); err != nil || got.MessageCount != 1 {
		t.Errorf("Channel = %+v, %v; want message_count 1", got, err)
	}

	conns, err := c.Connections(ctx, ch.ID)
	if err != nil || len(conns) != 1 || conns[0].ID != conn.ID || conns[0].WebhookURL != conn.WebhookURL {
		t.Errorf("Connections = %+v, %v", conns, err)
	}
	got, err := c.Connection(ctx, conn.ID)
	if err != nil || got.DeliveredCount != 1 || got.LastDeliveryAt == nil {
		t.Errorf("Connection = %+v, %v; want 1 delivery", got, err)
	}

	if err := c.DeleteConnection(ctx, conn.ID); err != nil {
		t.Fatalf("DeleteConnection: %v", err)
	}
	_, err = c.Connection(ctx, conn.ID)
	if apiErr, ok := errors.AsType[*client.APIError](err); !ok || apiErr.Status != 404 || apiErr.Code != client.CodeNotFound {
		t.Errorf("Connection after delete: %v; want a 404 not_found *APIError", err)
	}
	if status, _ := postRaw(t, conn.WebhookURL, "late"); status != http.StatusGone {
		t.Errorf("POST to a removed webhook: %d, want 410", status)
	}
}

func TestMessagesPaging(t *testing.T) {
	f := newFixture(t, startServer(t))
	ctx := context.Background()
	for _, text := range []string{"one", "two", "three"} {
		post(t, f.conn.WebhookURL, text)
	}
	page, err := f.c.Messages(ctx, f.channel.ID, 2, 0)
	if err != nil || len(page) != 2 || !strings.Contains(page[0].Summary, "three") || !strings.Contains(page[1].Summary, "two") {
		t.Fatalf("first page = %+v, %v; want three, two", page, err)
	}
	page, err = f.c.Messages(ctx, f.channel.ID, 2, page[1].ID)
	if err != nil || len(page) != 1 || !strings.Contains(page[0].Summary, "one") {
		t.Fatalf("second page = %+v, %v; want one", page, err)
	}
}

func TestErrors(t *testing.T) {
	base := startServer(t)
	ctx := context.Background()

	_, err := client.New(base, "wrong").Teams(ctx)
	apiErr, ok := errors.AsType[*client.APIError](err)
	if !ok || apiErr.Status != 401 || apiErr.Code != client.CodeUnauthorized || apiErr.Message == "" {
		t.Fatalf("bad token: %#v", err)
	}
	if s := apiErr.Error(); !strings.HasSuffix(s, "(unauthorized)") || !strings.HasPrefix(s, apiErr.Message) {
		t.Errorf("Error() = %q, want the message then (unauthorized)", s)
	}

	c := client.New(base, adminToken)
	_, err = c.CreateTeam(ctx, "  ")
	if apiErr, ok := errors.AsType[*client.APIError](err); !ok || apiErr.Status != 400 || apiErr.Code != client.CodeInvalid {
		t.Errorf("empty team name: %v; want 400 invalid", err)
	}
	_, err = c.Channels(ctx, "no-such-team")
	if apiErr, ok := errors.AsType[*client.APIError](err); !ok || apiErr.Code != client.CodeNotFound {
		t.Errorf("unknown team: %v; want not_found", err)
	}

	// Something in front of the server that does not speak the API.
	proxyPage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>upstream down</html>", http.StatusBadGateway)
	}))
	defer proxyPage.Close()
	_, err = client.New(proxyPage.URL, adminToken).Teams(ctx)
	if apiErr, ok := errors.AsType[*client.APIError](err); !ok || apiErr.Status != 502 || apiErr.Code != "" || apiErr.Error() != "Bad Gateway (HTTP 502)" {
		t.Errorf("proxy error page: %v", err)
	}
}

func TestFollowPermanentErrors(t *testing.T) {
	base := startServer(t)
	f := newFixture(t, base)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	never := func(client.Message) error { t.Error("fn called"); return nil }

	err := f.c.Follow(ctx, "no-such-channel", 0, never)
	if apiErr, ok := errors.AsType[*client.APIError](err); !ok || apiErr.Code != client.CodeNotFound {
		t.Errorf("unknown channel: %v; want not_found", err)
	}
	err = client.New(base, "wrong").Follow(ctx, f.channel.ID, 5, never)
	if apiErr, ok := errors.AsType[*client.APIError](err); !ok || apiErr.Status != 401 {
		t.Errorf("bad token: %v; want 401", err)
	}
}

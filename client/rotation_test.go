package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/client"
)

// postAs posts a text message to a webhook URL with a User-Agent and returns
// the answer.
func postAs(t *testing.T, webhookURL, userAgent, text string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, webhookURL, strings.NewReader(`{"text":"`+text+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST webhook: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestUpdateURL(t *testing.T) {
	f := newFixture(t, startServer(t))
	ctx := context.Background()
	old := f.conn
	if old.URLIssuedAt.IsZero() || old.OldURL != nil || old.AttentionRequired {
		t.Fatalf("new connection = %+v; want an issue time, no old URL, no attention", old)
	}

	conn, err := f.c.UpdateURL(ctx, old.ID, 24*time.Hour)
	if err != nil {
		t.Fatalf("UpdateURL: %v", err)
	}
	if conn.WebhookURL == "" || conn.WebhookURL == old.WebhookURL || conn.SlackURL == "" || conn.SlackURL == old.SlackURL {
		t.Fatalf("UpdateURL issued %q, %q; want new URLs", conn.WebhookURL, conn.SlackURL)
	}
	if conn.OldURL == nil || conn.OldURL.Calls != 0 || conn.OldURL.LastUsedAt != nil ||
		conn.OldURL.ExpiresAt.Before(time.Now().Add(23*time.Hour)) || conn.OldURL.ExpiresAt.After(time.Now().Add(25*time.Hour)) {
		t.Fatalf("OldURL after UpdateURL = %+v; want expiry in 24h, no calls", conn.OldURL)
	}
	if conn.URLIssuedAt.Before(old.URLIssuedAt) || !conn.URLIssuedAt.After(old.CreatedAt.Add(-time.Millisecond)) {
		t.Errorf("URLIssuedAt = %v, was %v", conn.URLIssuedAt, old.URLIssuedAt)
	}

	post(t, conn.WebhookURL, "new")
	status, body, h := postAs(t, old.WebhookURL, "alertmanager/0.27", "old")
	if status != http.StatusOK || body != "1" || h.Get("Sunset") == "" || !strings.HasPrefix(h.Get("Deprecation"), "@") {
		t.Fatalf("old URL in grace: %d %q, Sunset %q, Deprecation %q", status, body, h.Get("Sunset"), h.Get("Deprecation"))
	}

	got, err := f.c.Connection(ctx, old.ID)
	if err != nil {
		t.Fatalf("Connection: %v", err)
	}
	if got.WebhookURL != conn.WebhookURL || got.OldURL == nil || got.OldURL.Calls != 1 || got.OldURL.LastUsedAt == nil || len(got.OldURL.Callers) != 1 {
		t.Fatalf("Connection after a call to the old URL = %+v, OldURL %+v", got, got.OldURL)
	}
	if c0 := got.OldURL.Callers[0]; c0.Address != "127.0.0.1" || c0.UserAgent != "alertmanager/0.27" || c0.LastSeen.IsZero() {
		t.Errorf("caller = %+v", c0)
	}
	if !got.AttentionRequired || len(got.AttentionReasons) != 1 || !strings.HasPrefix(got.AttentionReasons[0], "old URL still in use") {
		t.Errorf("attention = %v %q", got.AttentionRequired, got.AttentionReasons)
	}

	// A second connection needs no attention: only the first is listed.
	other, err := f.c.CreateConnection(ctx, f.channel.ID, "", "Other")
	if err != nil {
		t.Fatalf("CreateConnection: %v", err)
	}
	attn, err := f.c.AttentionConnections(ctx)
	if err != nil || len(attn) != 1 || attn[0].ID != old.ID || len(attn[0].AttentionReasons) != 1 {
		t.Fatalf("AttentionConnections = %+v, %v; want only %s", attn, err, old.ID)
	}
	all, err := f.c.OrgConnections(ctx, false)
	if err != nil || len(all) != 2 || !slices.ContainsFunc(all, func(c client.Connection) bool { return c.ID == other.ID && !c.AttentionRequired }) {
		t.Fatalf("OrgConnections(false) = %+v, %v; want both", all, err)
	}

	// Grace 0 ends the replaced URL at once.
	prev := conn.WebhookURL
	if _, err := f.c.UpdateURL(ctx, old.ID, 0); err != nil {
		t.Fatalf("UpdateURL(0): %v", err)
	}
	if status, _, _ := postAs(t, prev, "x", "late"); status != http.StatusGone {
		t.Errorf("URL replaced with grace 0: %d, want 410", status)
	}
	_, err = f.c.UpdateURL(ctx, old.ID, 100*24*time.Hour)
	wantAPIError(t, "UpdateURL over 90 days", err, http.StatusBadRequest, client.CodeInvalid)
	_, err = f.c.UpdateURL(ctx, "nope", time.Hour)
	wantAPIError(t, "UpdateURL of an unknown connection", err, http.StatusNotFound, client.CodeNotFound)
}

func TestURLRotation(t *testing.T) {
	f := newFixture(t, startServer(t))
	ctx := context.Background()

	st, err := f.c.URLRotation(ctx)
	if err != nil || st.URLRotation != nil || st.Pending != 0 || len(st.Teams) != 0 {
		t.Fatalf("URLRotation with none running = %+v, %v", st, err)
	}
	time.Sleep(5 * time.Millisecond) // the store keeps milliseconds
	issuedBefore := time.Now()
	time.Sleep(5 * time.Millisecond)
	fresh, err := f.c.CreateConnection(ctx, f.channel.ID, "", "Fresh")
	if err != nil {
		t.Fatalf("CreateConnection: %v", err)
	}

	deadline := time.Now().Add(7 * 24 * time.Hour).Truncate(time.Second)
	st, err = f.c.RequireURLUpdate(ctx, &issuedBefore, deadline)
	if err != nil {
		t.Fatalf("RequireURLUpdate: %v", err)
	}
	if st.URLRotation == nil || !st.URLRotation.Deadline.Equal(deadline) || st.URLRotation.IssuedBefore.Sub(issuedBefore).Abs() > time.Millisecond {
		t.Fatalf("URLRotation = %+v; want issued before %v, deadline %v", st.URLRotation, issuedBefore, deadline)
	}
	if st.Pending != 1 || len(st.Teams) != 1 || st.Teams[0].TeamID != f.team.ID || st.Teams[0].TeamName != f.team.Name ||
		len(st.Teams[0].Connections) != 1 {
		t.Fatalf("RequireURLUpdate = %+v; want the fixture's one connection", st)
	}
	if p := st.Teams[0].Connections[0]; p.ID != f.conn.ID || p.Name != "CI" || p.ChannelID != f.channel.ID || p.URLIssuedAt.IsZero() || p.LastDeliveryAt != nil {
		t.Errorf("pending connection = %+v", p)
	}
	org, err := f.c.Org(ctx)
	if err != nil || org.URLRotation == nil || !org.URLRotation.Deadline.Equal(deadline) {
		t.Errorf("Org = %+v, %v; want the rotation", org, err)
	}
	attn, err := f.c.AttentionConnections(ctx)
	if err != nil || len(attn) != 1 || attn[0].ID != f.conn.ID || !strings.HasPrefix(attn[0].AttentionReasons[0], "URL update required by") {
		t.Errorf("AttentionConnections = %+v, %v", attn, err)
	}

	if _, err := f.c.UpdateURL(ctx, f.conn.ID, 0); err != nil {
		t.Fatalf("UpdateURL: %v", err)
	}
	if st, err := f.c.URLRotation(ctx); err != nil || st.Pending != 0 || st.URLRotation == nil {
		t.Errorf("URLRotation after the update = %+v, %v; want none pending", st, err)
	}
	if err := f.c.CancelURLUpdate(ctx); err != nil {
		t.Fatalf("CancelURLUpdate: %v", err)
	}
	if st, err := f.c.URLRotation(ctx); err != nil || st.URLRotation != nil {
		t.Errorf("URLRotation after cancel = %+v, %v", st, err)
	}

	// Without issued_before, every URL issued so far is affected.
	st, err = f.c.RequireURLUpdate(ctx, nil, deadline)
	if err != nil || st.Pending != 2 || !slices.ContainsFunc(st.Teams[0].Connections, func(p client.PendingConnection) bool { return p.ID == fresh.ID }) {
		t.Errorf("RequireURLUpdate(nil) = %+v, %v; want both connections", st, err)
	}
	_, err = f.c.RequireURLUpdate(ctx, nil, time.Now().Add(-time.Hour))
	wantAPIError(t, "a past deadline", err, http.StatusBadRequest, client.CodeInvalid)
}

func TestURLMaxAge(t *testing.T) {
	f := newFixture(t, startServer(t))
	ctx := context.Background()
	age := client.Duration(2160 * time.Hour)
	org, err := f.c.UpdateOrg(ctx, client.OrgUpdate{URLMaxAge: &age})
	if err != nil || org.URLMaxAge != age || !org.ConnectorsEnabled {
		t.Fatalf("UpdateOrg(url_max_age 2160h) = %+v, %v", org, err)
	}
	if got, err := f.c.Connection(ctx, f.conn.ID); err != nil || got.AttentionRequired {
		t.Errorf("a fresh URL under a 90-day limit: %+v, %v", got, err)
	}

	// The server keeps whole seconds.
	tiny := client.Duration(time.Second)
	if _, err := f.c.UpdateOrg(ctx, client.OrgUpdate{URLMaxAge: &tiny}); err != nil {
		t.Fatalf("UpdateOrg(1s): %v", err)
	}
	time.Sleep(time.Second + 50*time.Millisecond)
	got, err := f.c.Connection(ctx, f.conn.ID)
	if err != nil || !got.AttentionRequired || !strings.HasPrefix(got.AttentionReasons[0], "URL older than") {
		t.Errorf("a URL over the limit: %+v, %v", got, err)
	}
	post(t, f.conn.WebhookURL, "still works")

	var zero client.Duration
	org, err = f.c.UpdateOrg(ctx, client.OrgUpdate{URLMaxAge: &zero})
	if err != nil || org.URLMaxAge != 0 {
		t.Fatalf("UpdateOrg(0s) = %+v, %v", org, err)
	}
	if got, err := f.c.Connection(ctx, f.conn.ID); err != nil || got.AttentionRequired {
		t.Errorf("with the limit off: %+v, %v", got, err)
	}
}

func TestRenameAndImage(t *testing.T) {
	f := newFixture(t, startServer(t))
	ctx := context.Background()

	conn, err := f.c.RenameConnection(ctx, f.conn.ID, "Jenkins prod")
	if err != nil || conn.Name != "Jenkins prod" || conn.WebhookURL != f.conn.WebhookURL {
		t.Fatalf("RenameConnection = %+v, %v", conn, err)
	}
	_, err = f.c.RenameConnection(ctx, f.conn.ID, " ")
	wantAPIError(t, "an empty name", err, http.StatusBadRequest, client.CodeInvalid)

	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	if err := png.Encode(&pic, img); err != nil {
		t.Fatal(err)
	}
	if err := f.c.SetConnectionImage(ctx, f.conn.ID, pic.Bytes()); err != nil {
		t.Fatalf("SetConnectionImage: %v", err)
	}
	got, err := f.c.Connection(ctx, f.conn.ID)
	if err != nil || got.ImageURL == "" {
		t.Fatalf("Connection after SetConnectionImage = %+v, %v; want an image_url", got, err)
	}
	data, typ, err := f.c.ConnectionImage(ctx, f.conn.ID)
	if err != nil || typ != "image/png" || !bytes.Equal(data, pic.Bytes()) {
		t.Fatalf("ConnectionImage = %d bytes, %q, %v", len(data), typ, err)
	}

	err = f.c.SetConnectionImage(ctx, f.conn.ID, []byte(`<svg onload="alert(1)"/>`))
	wantAPIError(t, "an SVG", err, http.StatusBadRequest, client.CodeInvalid)
	err = f.c.SetConnectionImage(ctx, f.conn.ID, bytes.Repeat([]byte{0}, client.MaxImageSize+1))
	wantAPIError(t, "an image over MaxImageSize", err, http.StatusBadRequest, client.CodeInvalid)

	if err := f.c.DeleteConnectionImage(ctx, f.conn.ID); err != nil {
		t.Fatalf("DeleteConnectionImage: %v", err)
	}
	_, _, err = f.c.ConnectionImage(ctx, f.conn.ID)
	wantAPIError(t, "ConnectionImage after delete", err, http.StatusNotFound, client.CodeNotFound)
	if got, err := f.c.Connection(ctx, f.conn.ID); err != nil || got.ImageURL != "" {
		t.Errorf("Connection after DeleteConnectionImage = %+v, %v", got, err)
	}
}

func TestDurationJSON(t *testing.T) {
	b, err := json.Marshal(client.OrgUpdate{URLMaxAge: new(client.Duration(2160 * time.Hour))})
	if err != nil || string(b) != `{"url_max_age":"2160h0m0s"}` {
		t.Errorf("Marshal = %s, %v", b, err)
	}
	if b, _ := json.Marshal(client.OrgUpdate{}); string(b) != `{}` {
		t.Errorf("Marshal of an empty update = %s", b)
	}
	var o client.Org
	if err := json.Unmarshal([]byte(`{"url_max_age":"90m","url_rotation":null}`), &o); err != nil || time.Duration(o.URLMaxAge) != 90*time.Minute || o.URLRotation != nil {
		t.Errorf("Unmarshal = %+v, %v", o, err)
	}
	for _, bad := range []string{`{"url_max_age":5}`, `{"url_max_age":"soon"}`} {
		if err := json.Unmarshal([]byte(bad), &o); err == nil {
			t.Errorf("Unmarshal(%s) succeeded", bad)
		}
	}
}

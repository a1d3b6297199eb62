package app_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"testing"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/internal/testenv"
)

func (n *node) raw(method, path, contentType string, body []byte) (int, []byte, http.Header) {
	n.t.Helper()
	req, _ := http.NewRequest(method, n.url+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminToken)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	testenv.Must(n.t, err, method, path)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func TestConnectionRenameAndImage(t *testing.T) {
	n := start(t, app.Config{})
	_, c := n.webhook()
	var got struct {
		Name       string
		WebhookURL string `json:"webhook_url"`
		ImageURL   string `json:"image_url"`
	}
	n.api("PATCH", "/api/v1/connections/"+c.ID, map[string]string{"name": "Jenkins prod"}, 200, &got)
	if got.Name != "Jenkins prod" || got.WebhookURL != c.WebhookURL || got.ImageURL != "" {
		t.Fatalf("renamed = %+v", got)
	}
	if r := post(t, c.WebhookURL, "application/json", `{"text":"still works"}`); r.body != "1" {
		t.Fatalf("post after rename: %d %q", r.status, r.body)
	}

	var pic bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{R: 255, A: 255})
	png.Encode(&pic, img)
	if st, body, _ := n.raw("PUT", "/api/v1/connections/"+c.ID+"/image", "image/png", pic.Bytes()); st != 204 {
		t.Fatalf("upload: %d %s", st, body)
	}
	for _, bad := range [][]byte{[]byte(`<svg onload="alert(1)"></svg>`), []byte("<html><script>x</script>"), bytes.Repeat([]byte{0}, 300<<10)} {
		if st, _, _ := n.raw("PUT", "/api/v1/connections/"+c.ID+"/image", "image/svg+xml", bad); st != 400 {
			t.Fatalf("bad image accepted: %d", st)
		}
	}
	n.api("GET", "/api/v1/connections/"+c.ID, nil, 200, &got)
	if got.ImageURL != "/api/v1/connections/"+c.ID+"/image" {
		t.Fatalf("image_url = %q", got.ImageURL)
	}
	st, body, h := n.raw("GET", got.ImageURL, "", nil)
	if st != 200 || !bytes.Equal(body, pic.Bytes()) || h.Get("Content-Type") != "image/png" || h.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d %s %v", st, h.Get("Content-Type"), len(body))
	}
	if st, _, _ := n.raw("DELETE", got.ImageURL, "", nil); st != 204 {
		t.Fatalf("delete image: %d", st)
	}
	if st, _, _ := n.raw("GET", got.ImageURL, "", nil); st != 404 {
		t.Fatalf("image after delete: %d", st)
	}
	var audit struct{ Entries []struct{ Action string } }
	n.api("GET", "/api/v1/audit?action=connection.update", nil, 200, &audit)
	if len(audit.Entries) != 3 {
		t.Fatalf("connection.update entries = %d, want 3", len(audit.Entries))
	}
}

func TestTeamShowsCallersPermissions(t *testing.T) {
	n := start(t, app.Config{})
	var team struct{ ID string }
	n.api("POST", "/api/v1/teams", map[string]string{"name": "T"}, 201, &team)
	var v struct {
		Role string
		Can  map[string]bool
	}
	n.api("GET", "/api/v1/teams/"+team.ID, nil, 200, &v)
	if v.Role != "owner" || !v.Can["manage_connectors"] || !v.Can["manage_members"] || !v.Can["manage_team_settings"] {
		t.Fatalf("owner's view = %+v", v)
	}
}

package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/heraldhq/herald/client"
)

func TestConnectorLifecycleAndSettings(t *testing.T) {
	f := newFixture(t, startServer(t))
	ctx := context.Background()
	c := f.c

	cn, err := c.RetireConnector(ctx, "github")
	if err != nil || !cn.Retired || cn.ID != "github" || len(cn.Events) == 0 || cn.IconURL == "" {
		t.Fatalf("RetireConnector: %+v, %v", cn, err)
	}
	secret := "hook secret"
	spec := client.ConnectionSpec{Connector: "github", Name: "api", Secret: &secret,
		Config: &client.ConnectionConfig{Events: []string{"push"}, Branches: "main,release/*"}}
	_, err = c.CreateConnectionWith(ctx, f.channel.ID, spec)
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict || apiErr.Code != client.CodeConnectorRetired {
		t.Fatalf("CreateConnectionWith of a retired connector: %v", err)
	}
	if cn, err = c.RestoreConnector(ctx, "github"); err != nil || cn.Retired {
		t.Fatalf("RestoreConnector: %+v, %v", cn, err)
	}
	if _, err = c.RestoreConnector(ctx, "trello"); !errors.As(err, &apiErr) || apiErr.Code != client.CodeConflict {
		t.Fatalf("RestoreConnector(trello): %v, want a conflict", err)
	}

	conn, err := c.CreateConnectionWith(ctx, f.channel.ID, spec)
	if err != nil {
		t.Fatalf("CreateConnectionWith: %v", err)
	}
	if !conn.SecretSet || conn.Config.Branches != "main,release/*" || len(conn.Config.Events) != 1 || conn.WebhookURL == "" {
		t.Errorf("CreateConnectionWith: %+v", conn)
	}
	conn, err = c.UpdateConnectionSettings(ctx, conn.ID, client.ConnectionSettings{Secret: new(string),
		Config: &client.ConnectionConfig{Events: []string{"push", "pull_request"}}})
	if err != nil || conn.SecretSet || conn.Config.Branches != "" || len(conn.Config.Events) != 2 {
		t.Fatalf("UpdateConnectionSettings: %+v, %v", conn, err)
	}
	if ds, err := c.Deliveries(ctx, conn.ID, 10); err != nil || len(ds) != 0 {
		t.Errorf("Deliveries of a new connection: %v, %v", ds, err)
	}

	tmpl := client.Template{Title: "{{.check}} is {{.state}}", Facts: []client.TemplateFact{{Name: "Host", Value: "{{.host}}"}}}
	p, err := c.PreviewTemplate(ctx, tmpl, json.RawMessage(`{"check":"disk","state":"ok","host":"db-1"}`))
	if err != nil || p.Summary != "disk is ok" || !strings.Contains(string(p.Card), "db-1") {
		t.Fatalf("PreviewTemplate: %+v, %v", p, err)
	}
	if _, err = c.PreviewTemplate(ctx, client.Template{Title: "{{.x"}, json.RawMessage(`{}`)); !errors.As(err, &apiErr) || apiErr.Code != client.CodeInvalid {
		t.Errorf("PreviewTemplate of a broken template: %v", err)
	}
}

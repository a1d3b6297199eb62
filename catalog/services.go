package catalog

import (
	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/connector/alertmanager"
	"github.com/heraldhq/herald/connector/gitea"
	"github.com/heraldhq/herald/connector/grafana"
)

// services are the third-party connectors Herald translates.
var services = []*Entry{
	{
		Connector: herald.Connector{ID: "gitea", Name: "Gitea / Forgejo", Kind: herald.KindPush, Events: gitea.Events,
			Description: "Pushes, pull requests, issues, comments, reviews and releases from Gitea, Forgejo or Gogs. Set a secret in both to have deliveries signed."},
		URLName: "Gitea", Translate: gitea.Translate, Auth: AuthGiteaSignature, Color: "#609926",
	},
	{
		Connector: herald.Connector{ID: "alertmanager", Name: "Prometheus Alertmanager", Kind: herald.KindPush, Events: alertmanager.Events,
			Description: "Alert groups firing and resolved, with their alerts, graphs and runbooks. Point a webhook_configs receiver at the URL; a secret is checked as a bearer token or basic-auth password."},
		URLName: "Alertmanager", Translate: alertmanager.Translate, Auth: AuthBasicOrBearer, Color: "#E6522C",
	},
	{
		Connector: herald.Connector{ID: "grafana", Name: "Grafana", Kind: herald.KindPush, Events: grafana.Events,
			Description: "Grafana alerts (unified and legacy alerting) with their state, values and dashboard links. Use a webhook contact point; a secret is checked as a bearer token or basic-auth password."},
		URLName: "Grafana", Translate: grafana.Translate, Auth: AuthBasicOrBearer, Color: "#F46800",
	},
}

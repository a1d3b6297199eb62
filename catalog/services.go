package catalog

import (
	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/connector/alertmanager"
	"github.com/heraldhq/herald/connector/azuredevops"
	"github.com/heraldhq/herald/connector/gitea"
	"github.com/heraldhq/herald/connector/github"
	"github.com/heraldhq/herald/connector/gitlab"
	"github.com/heraldhq/herald/connector/grafana"
	"github.com/heraldhq/herald/connector/jira"
)

// services are the third-party connectors Herald translates.
var services = []*Entry{
	{
		Connector: herald.Connector{ID: "azure-devops", Name: "Azure DevOps", Kind: herald.KindPush, Events: azuredevops.Events,
			Description: "Pushes, pull requests, work items, builds, releases and pipeline runs from Azure DevOps service hooks. A secret is checked as the basic-auth password set on the hook."},
		URLName: "AzureDevOps", Translate: azuredevops.Translate, Auth: AuthBasicOrBearer, Color: "#0078D4",
	},
	{
		Connector: herald.Connector{ID: "jira", Name: "Jira", Kind: herald.KindPush, Events: jira.Events,
			Description: "Issues created, updated, transitioned and deleted, and comments, from Jira Cloud or Server webhooks. With a secret, Jira Cloud's X-Hub-Signature is checked."},
		URLName: "Jira", Translate: jira.Translate, Auth: AuthHubSignature, Color: "#0052CC",
	},
	{
		Connector: herald.Connector{ID: "github", Name: "GitHub", Kind: herald.KindPush, Events: github.Events,
			Description: "Pushes, pull requests, reviews, issues, comments, releases, checks, workflow runs and deployments from a GitHub repository or organization webhook. With a secret, X-Hub-Signature-256 is checked."},
		URLName: "GitHub", Translate: github.Translate, Auth: AuthHubSignature256, Color: "#24292F",
	},
	{
		Connector: herald.Connector{ID: "gitlab", Name: "GitLab", Kind: herald.KindPush, Events: gitlab.Events,
			Description: "Pushes, merge requests, issues, comments, pipelines, jobs, deployments and releases from GitLab project, group or system hooks. With a secret, X-Gitlab-Token is checked."},
		URLName: "GitLab", Translate: gitlab.Translate, Auth: AuthToken, Color: "#FC6D26",
	},
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

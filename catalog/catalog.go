// Package catalog lists the connectors a channel can add: the built-in
// Incoming Webhook, the generic JSON connector, the third-party services
// Herald translates, and the connectors Teams retired. Each entry says how
// its webhook URL is named, which events it can post, how the service proves
// a delivery is its own, and whether it still accepts new connections.
package catalog

import (
	"slices"
	"strings"

	"github.com/heraldhq/herald"
	"github.com/heraldhq/herald/connector"
)

// Auth is how a service proves a delivery is its own, once the connection
// has a secret.
type Auth int

const (
	AuthNone            Auth = iota
	AuthHubSignature256      // X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body> (GitHub)
	AuthHubSignature         // X-Hub-Signature: sha256=<hex HMAC-SHA256> (Jira Cloud)
	AuthGiteaSignature       // X-Gitea-Signature / X-Forgejo-Signature / X-Gogs-Signature: <hex HMAC-SHA256>
	AuthToken                // X-Gitlab-Token: <secret> (GitLab)
	AuthBasicOrBearer        // Authorization: Basic (password = secret) or Bearer <secret>
)

// Entry is one connector of the catalog.
type Entry struct {
	herald.Connector
	// URLName names the connector in its webhook URL, where Teams has
	// "IncomingWebhook".
	URLName string
	// Translate turns the service's payload into cards; nil for the
	// Incoming Webhook (Teams payloads) and for connectors Herald cannot
	// translate (retired ones).
	Translate connector.Translator
	Auth      Auth
	// Color is the icon's background.
	Color string
}

// Accepts reports whether the entry can take new connections at all
// (whatever its lifecycle): it must have a way to read what it is sent.
func (e *Entry) Accepts() bool {
	return e.ID == herald.ConnectorIncomingWebhook || e.ID == herald.ConnectorGeneric || e.Kind == herald.KindPolling || e.Translate != nil
}

var entries = []*Entry{
	{
		Connector: herald.Connector{
			ID: herald.ConnectorIncomingWebhook, Name: "Incoming Webhook", Kind: herald.KindPush,
			Description: "Send data from a service to this channel with a secret URL. Accepts Teams MessageCards, Adaptive Cards, Slack-style payloads and plain text.",
		},
		URLName: "IncomingWebhook", Color: "#6264A7",
	},
	{
		Connector: herald.Connector{
			ID: herald.ConnectorGeneric, Name: "Generic JSON", Kind: herald.KindPush,
			Description: "Turn any service's JSON webhook into a card with a template you write and preview here: title, text, facts and a link. No code, no redeploy.",
			Events:      []string{"any"},
		},
		URLName: "GenericJSON", Color: "#038387", Auth: AuthBasicOrBearer,
	},
	{
		// A polling connector has no webhook URL: an empty URLName matches
		// no webhook path, so its (unshown) tokens can never post.
		Connector: herald.Connector{
			ID: herald.ConnectorRSS, Name: "RSS", Kind: herald.KindPolling,
			Description: "Post new items of an RSS, Atom or JSON Feed to this channel. Herald checks the feed on a schedule (every 15 minutes unless you choose otherwise) and posts each new item once.",
		},
		Color: "#F26522",
	},
}

// retired are the connectors Teams no longer lets anyone configure. Herald
// lists them so that people looking for them learn why they cannot add them.
var retired = []string{
	"Aha!", "Airbrake", "Aircall", "App Links", "AppSignal", "Beanstalk", "Bitbucket", "Buddy", "Buildkite",
	"CATS", "Chatra", "CircleCI", "CodeShip", "Constant Contact", "GetResponse", "Ghost Inspector", "Groove",
	"Heroku", "Honeybadger", "Intercom", "Logentries", "Mailchimp", "Microsoft Forms", "Opsgenie", "PagerDuty",
	"Papertrail", "Pivotal Tracker", "Raygun", "Runscope", "SatisMeter", "Semaphore", "Sentry", "Simple In/Out",
	"Stack Exchange", "SUBVERSION", "TestFairy", "Travis CI", "Trello", "Uptodown", "Userlike", "Wrike",
	"XP-Dev", "Zendesk", "Wunderlist",
}

func init() {
	entries = append(entries, services...)
	for _, name := range retired {
		entries = append(entries, &Entry{
			Connector: herald.Connector{
				ID: Slug(name), Name: name, Kind: herald.KindPush, Retired: true,
				Description: name + " connector, retired: Microsoft Teams no longer lets it be configured, so it accepts no new connections. Existing connections keep working. Use the Incoming Webhook or the Generic JSON connector instead.",
			},
			URLName: strings.ReplaceAll(Slug(name), "-", ""), Color: "#8A8886",
		})
	}
	slices.SortFunc(entries, func(a, b *Entry) int { return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) })
}

// Slug turns a connector's name into its id: lower case, letters and digits,
// words joined by '-'.
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		default:
			dash = true
		}
	}
	return b.String()
}

// All returns every entry, by name. Callers must not modify them.
func All() []*Entry { return entries }

// Lookup returns the entry with id.
func Lookup(id string) (*Entry, bool) {
	i := slices.IndexFunc(entries, func(e *Entry) bool { return e.ID == id })
	if i < 0 {
		return nil, false
	}
	return entries[i], true
}

// URLName returns the path segment naming a connector in webhook URLs.
func URLName(id string) string {
	if e, ok := Lookup(id); ok {
		return e.URLName
	}
	return id
}

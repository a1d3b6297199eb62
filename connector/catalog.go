// Package connector is the catalog of connectors a channel can add.
package connector

import (
	"slices"

	"github.com/heraldhq/herald"
)

var catalog = []herald.Connector{
	{
		ID:          herald.ConnectorIncomingWebhook,
		Name:        "Incoming Webhook",
		Description: "Send data from a service to this channel with a secret URL. Accepts Teams MessageCards, Adaptive Cards, Slack-style payloads and plain text.",
		Kind:        herald.KindPush,
	},
}

// Catalog returns every connector, sorted by name.
func Catalog() []herald.Connector {
	list := slices.Clone(catalog)
	slices.SortFunc(list, func(a, b herald.Connector) int {
		if a.Name < b.Name {
			return -1
		} else if a.Name > b.Name {
			return 1
		}
		return 0
	})
	return list
}

// Lookup returns the connector with id.
func Lookup(id string) (herald.Connector, bool) {
	i := slices.IndexFunc(catalog, func(c herald.Connector) bool { return c.ID == id })
	if i < 0 {
		return herald.Connector{}, false
	}
	return catalog[i], true
}

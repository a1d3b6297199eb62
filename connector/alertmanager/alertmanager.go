// Package alertmanager translates Prometheus Alertmanager webhook
// notifications (the webhook_config receiver, payload version 4) into cards:
// one card per notification, that is per alert group, red while it fires and
// green once resolved.
package alertmanager

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// Events are the event names Translate gives, for the catalog and
// per-connection event filters.
var Events = []string{"alert.firing", "alert.resolved"}

const (
	maxFacts      = 6   // common labels shown
	maxGraphLinks = 3   // buttons to the alerts' sources
	maxItemText   = 300 // an alert's summary or description
)

// text is a JSON string that also takes a number or a boolean as its
// literal text, and anything else as "": labels and annotations are strings
// by definition, but a hand-written payload may not say so.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	b = []byte(strings.TrimSpace(string(b)))
	if len(b) == 0 {
		return nil
	}
	switch b[0] {
	case '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*t = text(s)
		}
	case '{', '[', 'n':
		*t = ""
	default:
		*t = text(b) // a number or a boolean, as sent
	}
	return nil
}

type kv map[string]text

func (m kv) get(k string) string { return strings.TrimSpace(string(m[k])) }

type alert struct {
	Status       text `json:"status"`
	Labels       kv   `json:"labels"`
	Annotations  kv   `json:"annotations"`
	StartsAt     text `json:"startsAt"`
	EndsAt       text `json:"endsAt"`
	GeneratorURL text `json:"generatorURL"`
	Fingerprint  text `json:"fingerprint"`
}

type notification struct {
	Version           text    `json:"version"`
	Status            text    `json:"status"`
	Receiver          text    `json:"receiver"`
	GroupLabels       kv      `json:"groupLabels"`
	CommonLabels      kv      `json:"commonLabels"`
	CommonAnnotations kv      `json:"commonAnnotations"`
	ExternalURL       text    `json:"externalURL"`
	Alerts            []alert `json:"alerts"`
	TruncatedAlerts   int     `json:"truncatedAlerts"`
}

// Translate turns one Alertmanager notification into a card.
func Translate(d connector.Delivery) (connector.Output, error) {
	var n notification
	if err := json.Unmarshal(d.Body, &n); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return connector.Output{}, fmt.Errorf("alertmanager: the body is not JSON: %v", err)
		}
		// Unmarshal skips a field of an unexpected type (or a body that is
		// not an object) and decodes the rest: translate what there is.
	}
	status := strings.ToLower(strings.TrimSpace(string(n.Status)))
	firing, resolved := 0, 0
	for _, a := range n.Alerts {
		if strings.EqualFold(string(a.Status), "resolved") {
			resolved++
		} else {
			firing++
		}
	}
	if status != "firing" && status != "resolved" {
		switch {
		case firing > 0:
			status = "firing"
		case resolved > 0:
			status = "resolved"
		default:
			return connector.Output{Ignored: "not an Alertmanager notification: no status and no alerts"}, nil
		}
	}
	out := connector.Output{Event: "alert." + status}
	if len(n.Alerts) == 0 {
		out.Ignored = "notification without alerts"
		return out, nil
	}
	out.Cards = []connector.Card{card(&n, status, firing, resolved)}
	return out, nil
}

func card(n *notification, status string, firing, resolved int) connector.Card {
	name := groupName(n)
	n.TruncatedAlerts = max(n.TruncatedAlerts, 0)
	state := StateText(status, firing, resolved, len(n.Alerts)+n.TruncatedAlerts)
	c := cardkit.Card{
		Title:   name + ": " + state,
		Summary: strings.ToUpper(status) + ": " + name,
		Color:   cardkit.Attention,
	}
	if status == "resolved" {
		c.Color = cardkit.Good
	}
	if s := n.CommonAnnotations.get("summary"); s != "" {
		c.Subtitle = cardkit.MD(cardkit.Truncate(s, maxItemText))
		c.Summary += " — " + s
	}
	if len(n.Alerts) == 1 {
		a := &n.Alerts[0]
		c.TitleURL = graphURL(string(a.GeneratorURL))
		if d := describe(a); d != "" && d != n.CommonAnnotations.get("summary") {
			c.Text = cardkit.MD(cardkit.Truncate(d, 2*maxItemText))
		}
		c.AddFact("Started", when(string(a.StartsAt)))
		if status == "resolved" {
			c.AddFact("Ended", when(string(a.EndsAt)))
		}
	}
	// The labels every alert shares (all of a lone alert's), alertname
	// aside: it is the title.
	common := n.CommonLabels
	if len(n.Alerts) == 1 {
		common = n.Alerts[0].Labels
	}
	shown := 0
	for _, k := range sortedKeys(common) {
		if k == "alertname" || common.get(k) == "" {
			continue
		}
		if shown == maxFacts {
			break
		}
		c.AddFact(k, cardkit.MD(common.get(k)))
		shown++
	}
	if len(n.Alerts) > 1 {
		for i := range n.Alerts {
			c.Items = append(c.Items, item(&n.Alerts[i], n, status))
		}
		if n.TruncatedAlerts > 0 {
			c.More = fmt.Sprintf("and %d more alerts not sent by Alertmanager", n.TruncatedAlerts)
		}
	}
	c.AddLink("Open Alertmanager", safeURL(string(n.ExternalURL)))
	var seen []string
	for i := range n.Alerts {
		u := graphURL(string(n.Alerts[i].GeneratorURL))
		if u == "" || slices.Contains(seen, u) {
			continue
		}
		if len(seen) == maxGraphLinks {
			break
		}
		seen = append(seen, u)
		title := "View " + sourceName(u)
		if len(seen) > 1 {
			title += fmt.Sprintf(" %d", len(seen))
		}
		c.AddLink(title, u)
	}
	runbook := n.CommonAnnotations.get("runbook_url")
	if runbook == "" {
		runbook = n.CommonAnnotations.get("runbook")
	}
	c.AddLink("Runbook", safeURL(runbook))
	return c.Build()
}

// groupName names the group: its alertname, else the one alertname all
// alerts share, else the group labels.
func groupName(n *notification) string {
	for _, m := range []kv{n.GroupLabels, n.CommonLabels} {
		if s := m.get("alertname"); s != "" {
			return s
		}
	}
	var names []string
	for _, a := range n.Alerts {
		if s := a.Labels.get("alertname"); s != "" && !slices.Contains(names, s) {
			names = append(names, s)
		}
	}
	switch {
	case len(names) == 1:
		return names[0]
	case len(names) > 1 && len(names) <= 3:
		return strings.Join(names, ", ")
	}
	var parts []string
	for _, k := range sortedKeys(n.GroupLabels) {
		parts = append(parts, k+"="+n.GroupLabels.get(k))
	}
	if len(parts) > 0 {
		return strings.Join(parts, ", ")
	}
	if s := strings.TrimSpace(string(n.Receiver)); s != "" {
		return "Alerts for " + s
	}
	return "Alerts"
}

// StateText is an alert group's count and state: "firing", "3 alerts
// firing", "2 firing, 1 resolved". Grafana's unified alerting, which is
// built on Alertmanager, words its groups the same way.
func StateText(status string, firing, resolved, total int) string {
	switch {
	case total <= 1:
		return status
	case firing > 0 && resolved > 0:
		return fmt.Sprintf("%d firing, %d resolved", firing, resolved)
	case resolved > 0:
		return fmt.Sprintf("%d alerts resolved", total)
	}
	return fmt.Sprintf("%d alerts firing", total)
}

// describe is what an alert says about itself.
func describe(a *alert) string {
	for _, k := range []string{"description", "summary", "message"} {
		if s := a.Annotations.get(k); s != "" {
			return s
		}
	}
	return a.Labels.get("alertname")
}

// item is one alert of a group: its text, what sets it apart (the labels
// not common to the group), and a link to its graph.
func item(a *alert, n *notification, status string) string {
	var b strings.Builder
	if st := strings.ToLower(string(a.Status)); st != "" && st != status {
		b.WriteString("**" + cardkit.MD(st) + "** ")
	}
	b.WriteString(cardkit.MD(cardkit.Truncate(describe(a), maxItemText)))
	var own []string
	for _, k := range sortedKeys(a.Labels) {
		if k == "alertname" || k == "__name__" {
			continue
		}
		if _, ok := n.CommonLabels[k]; ok {
			continue
		}
		own = append(own, k+"="+a.Labels.get(k))
	}
	if len(own) > 0 {
		b.WriteString(" (" + cardkit.MD(strings.Join(own, ", ")) + ")")
	}
	if u := graphURL(string(a.GeneratorURL)); u != "" {
		b.WriteString(" · " + cardkit.Link(sourceName(u), u))
	}
	return b.String()
}

var tabParam = regexp.MustCompile(`^g\d+\.tab=`)

// graphURL is where an alert's source link leads. Prometheus expression
// links (…/graph?g0.expr=…&g0.tab=1) open the table tab; the card links the
// graph tab (g0.tab=0), which shows how the value got there. The rest of
// the URL is kept byte for byte.
func graphURL(s string) string {
	s = safeURL(s)
	if s == "" {
		return ""
	}
	u, _ := url.Parse(s)
	if !strings.HasSuffix(u.Path, "/graph") || u.RawQuery == "" {
		return s
	}
	base, query, _ := strings.Cut(s, "?")
	query, frag, hasFrag := strings.Cut(query, "#")
	params := strings.Split(query, "&")
	for i, p := range params {
		if tabParam.MatchString(p) {
			k, _, _ := strings.Cut(p, "=")
			params[i] = k + "=0"
		}
	}
	s = base + "?" + strings.Join(params, "&")
	if hasFrag {
		s += "#" + frag
	}
	return s
}

// sourceName names what an alert's source link shows: a Prometheus graph,
// or a rule page of another ruler.
func sourceName(u string) string {
	if p, err := url.Parse(u); err == nil && strings.HasSuffix(p.Path, "/graph") {
		return "graph"
	}
	return "source"
}

// when formats an RFC 3339 time as UTC minutes; "" for none or Go's zero
// time, which Alertmanager sends for an alert that has not ended.
func when(s string) string {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil || t.Year() <= 1 {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func sortedKeys(m kv) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// safeURL keeps absolute http(s) URLs and drops anything else, so a
// payload cannot put a javascript: link on a card.
func safeURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

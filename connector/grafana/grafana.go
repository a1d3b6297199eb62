// Package grafana translates Grafana alert notifications into cards. It
// reads both webhook formats Grafana has sent: legacy dashboard alerting
// (one rule: ruleName, ruleUrl, state, message, evalMatches, imageUrl) and
// Grafana Alerting (an Alertmanager-like group: alerts[] with labels,
// annotations, values and dashboard, panel and silence links). It tells them
// apart by the body, since both come with the same headers.
package grafana

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/alertmanager"
	"github.com/heraldhq/herald/connector/cardkit"
)

// Events are the event names Translate gives, for the catalog and
// per-connection event filters. Grafana Alerting only sends alerting and
// ok; legacy alerting also no_data, pending and paused.
var Events = []string{"alert.alerting", "alert.ok", "alert.no_data", "alert.pending", "alert.paused"}

const (
	maxFacts   = 10   // metric values and labels shown
	maxText    = 1000 // a message
	maxItem    = 300  // an alert's summary in a list
	maxButtons = 5
)

// text is a JSON string that also takes a number or a boolean as its
// literal text, and anything else as "".
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
		*t = text(b)
	}
	return nil
}

func (t text) String() string { return strings.TrimSpace(string(t)) }

type kv map[string]text

func (m kv) get(k string) string { return m[k].String() }

// legacy is a notification of legacy dashboard alerting.
type legacy struct {
	Title       text `json:"title"`
	RuleName    text `json:"ruleName"`
	RuleURL     text `json:"ruleUrl"`
	State       text `json:"state"`
	Message     text `json:"message"`
	ImageURL    text `json:"imageUrl"`
	Tags        kv   `json:"tags"`
	EvalMatches []struct {
		Metric text `json:"metric"`
		Value  text `json:"value"`
		Tags   kv   `json:"tags"`
	} `json:"evalMatches"`
}

// unified is a notification of Grafana Alerting.
type unified struct {
	Receiver          text    `json:"receiver"`
	Status            text    `json:"status"`
	State             text    `json:"state"`
	Title             text    `json:"title"`
	Message           text    `json:"message"`
	GroupLabels       kv      `json:"groupLabels"`
	CommonLabels      kv      `json:"commonLabels"`
	CommonAnnotations kv      `json:"commonAnnotations"`
	ExternalURL       text    `json:"externalURL"`
	TruncatedAlerts   int     `json:"truncatedAlerts"`
	Alerts            []alert `json:"alerts"`
}

type alert struct {
	Status       text `json:"status"`
	Labels       kv   `json:"labels"`
	Annotations  kv   `json:"annotations"`
	StartsAt     text `json:"startsAt"`
	EndsAt       text `json:"endsAt"`
	GeneratorURL text `json:"generatorURL"`
	SilenceURL   text `json:"silenceURL"`
	DashboardURL text `json:"dashboardURL"`
	PanelURL     text `json:"panelURL"`
	ImageURL     text `json:"imageURL"`
	Values       kv   `json:"values"`
	ValueString  text `json:"valueString"`
}

// Translate turns one Grafana alert notification into a card.
func Translate(d connector.Delivery) (connector.Output, error) {
	var shape map[string]json.RawMessage
	if err := json.Unmarshal(d.Body, &shape); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return connector.Output{}, fmt.Errorf("grafana: the body is not JSON: %v", err)
		}
		return connector.Output{Ignored: "not a Grafana alert notification: the body is not an object"}, nil
	}
	if raw, ok := shape["alerts"]; ok && strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		var u unified
		decode(d.Body, &u)
		return translateUnified(&u)
	}
	var l legacy
	decode(d.Body, &l)
	return translateLegacy(&l)
}

// decode reads what it can: a field of an unexpected type is skipped and
// the rest decoded (the body is known to be a JSON object).
func decode(body []byte, v any) {
	_ = json.Unmarshal(body, v)
}

var stateNames = map[string]string{
	"alerting": "Alerting", "ok": "OK", "no_data": "No data", "pending": "Pending", "paused": "Paused",
}

func stateName(s string) string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return strings.ToUpper(s[:1]) + strings.ReplaceAll(s[1:], "_", " ")
}

func stateColor(s string) string {
	switch s {
	case "alerting":
		return cardkit.Attention
	case "ok":
		return cardkit.Good
	case "no_data", "pending":
		return cardkit.Warning
	}
	return cardkit.Accent
}

var stateWord = regexp.MustCompile(`^[a-z][a-z_]{0,30}$`)

// normState is a state fit for an event name, or "".
func normState(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !stateWord.MatchString(s) {
		return ""
	}
	return s
}

func translateLegacy(l *legacy) (connector.Output, error) {
	state := normState(l.State.String())
	if state == "" {
		return connector.Output{Ignored: "not a Grafana alert notification: no state"}, nil
	}
	name := l.RuleName.String()
	if name == "" {
		name = l.Title.String()
	}
	if name == "" {
		name = "Grafana alert"
	}
	c := cardkit.Card{
		Title:    name,
		TitleURL: safeURL(l.RuleURL.String()),
		Color:    stateColor(state),
		Subtitle: "**" + stateName(state) + "**",
		Summary:  stateName(state) + ": " + name,
		Text:     cardkit.MD(cardkit.Truncate(l.Message.String(), maxText)),
	}
	if tags := labelList(l.Tags, nil); tags != "" {
		c.Subtitle += " · " + cardkit.MD(tags)
	}
	for i, m := range l.EvalMatches {
		if i == maxFacts {
			c.AddFact("…", fmt.Sprintf("and %d more", len(l.EvalMatches)-maxFacts))
			break
		}
		metric := m.Metric.String()
		if metric == "" {
			metric = "Value"
		}
		if tags := labelList(m.Tags, nil); tags != "" {
			metric += " {" + tags + "}"
		}
		c.AddFact(cardkit.MD(metric), cardkit.MD(number(m.Value.String())))
	}
	c.AddLink("Open in Grafana", safeURL(l.RuleURL.String()))
	c.AddLink("View graph", safeURL(l.ImageURL.String()))
	return connector.Output{Event: "alert." + state, Cards: []connector.Card{c.Build()}}, nil
}

func translateUnified(u *unified) (connector.Output, error) {
	firing, resolved := 0, 0
	for _, a := range u.Alerts {
		if strings.EqualFold(a.Status.String(), "resolved") {
			resolved++
		} else {
			firing++
		}
	}
	status := strings.ToLower(u.Status.String())
	if status != "firing" && status != "resolved" {
		status = "firing"
		if firing == 0 && resolved > 0 {
			status = "resolved"
		}
	}
	state := normState(u.State.String())
	if state == "" {
		state = "alerting"
		if status == "resolved" {
			state = "ok"
		}
	}
	out := connector.Output{Event: "alert." + state}
	if len(u.Alerts) == 0 {
		out.Ignored = "notification without alerts"
		return out, nil
	}
	name := groupName(u)
	truncated := max(u.TruncatedAlerts, 0)
	c := cardkit.Card{
		Title:   name + ": " + alertmanager.StateText(status, firing, resolved, len(u.Alerts)+truncated),
		Color:   stateColor(state),
		Summary: stateName(state) + ": " + name,
	}
	if status == "resolved" {
		c.Color = cardkit.Good
	}
	summary := u.CommonAnnotations.get("summary")
	if summary != "" {
		c.Subtitle = cardkit.MD(cardkit.Truncate(summary, maxItem))
	}
	if msg := u.Message.String(); msg != "" && !isDefaultMessage(msg) {
		// A message from the contact point's own template says what its
		// author wants said; Grafana's default one repeats the labels and
		// links the card shows anyway.
		c.Text = cardkit.MD(cardkit.Truncate(msg, maxText))
	}
	if len(u.Alerts) == 1 {
		a := &u.Alerts[0]
		c.TitleURL = firstURL(a.PanelURL, a.DashboardURL, a.GeneratorURL)
		if d := describe(a); c.Text == "" && d != "" && d != summary {
			c.Text = cardkit.MD(cardkit.Truncate(d, maxText))
		}
		c.AddFact("Value", cardkit.MD(values(a)))
		c.AddFact("Started", when(a.StartsAt.String()))
		if status == "resolved" {
			c.AddFact("Ended", when(a.EndsAt.String()))
		}
		labelFacts(&c, a.Labels)
		c.AddLink("Dashboard", safeURL(a.DashboardURL.String()))
		c.AddLink("Panel", safeURL(a.PanelURL.String()))
		c.AddLink("Alert rule", safeURL(a.GeneratorURL.String()))
		c.AddLink("View graph", safeURL(a.ImageURL.String()))
		if status != "resolved" {
			c.AddLink("Silence", safeURL(a.SilenceURL.String()))
		}
	} else {
		labelFacts(&c, u.CommonLabels)
		for i := range u.Alerts {
			c.Items = append(c.Items, item(&u.Alerts[i], u.CommonLabels, status))
		}
		if truncated > 0 {
			c.More = fmt.Sprintf("and %d more alerts not sent by Grafana", truncated)
		}
		var seen []string
		for i := range u.Alerts {
			d := safeURL(u.Alerts[i].DashboardURL.String())
			if d != "" && !slices.Contains(seen, d) && len(seen) < 2 {
				seen = append(seen, d)
				c.AddLink("Dashboard"+suffix(len(seen)), d)
			}
		}
		for i := range u.Alerts {
			if img := safeURL(u.Alerts[i].ImageURL.String()); img != "" {
				c.AddLink("View graph", img)
				break
			}
		}
	}
	c.AddLink("Open Grafana", safeURL(u.ExternalURL.String()))
	runbook := u.CommonAnnotations.get("runbook_url")
	if runbook == "" && len(u.Alerts) == 1 {
		runbook = u.Alerts[0].Annotations.get("runbook_url")
	}
	c.AddLink("Runbook", safeURL(runbook))
	if len(c.Links) > maxButtons {
		c.Links = c.Links[:maxButtons]
	}
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

// isDefaultMessage recognises the text of Grafana's default template,
// which starts with the status in bold.
func isDefaultMessage(msg string) bool {
	return strings.HasPrefix(msg, "**Firing**") || strings.HasPrefix(msg, "**Resolved**")
}

// groupName names the group: its alertname, else the one alertname all
// alerts share, else Grafana's title for the notification.
func groupName(u *unified) string {
	for _, m := range []kv{u.GroupLabels, u.CommonLabels} {
		if s := m.get("alertname"); s != "" {
			return s
		}
	}
	var names []string
	for _, a := range u.Alerts {
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
	if s := u.Title.String(); s != "" {
		return s
	}
	return "Grafana alerts"
}

func describe(a *alert) string {
	for _, k := range []string{"summary", "description", "message"} {
		if s := a.Annotations.get(k); s != "" {
			return s
		}
	}
	return a.Labels.get("alertname")
}

// item is one alert of a group: its summary, the labels that set it apart,
// its value and its links.
func item(a *alert, common kv, status string) string {
	var b strings.Builder
	if st := strings.ToLower(a.Status.String()); st != "" && st != status {
		b.WriteString("**" + cardkit.MD(st) + "** ")
	}
	b.WriteString(cardkit.MD(cardkit.Truncate(describe(a), maxItem)))
	if own := labelList(a.Labels, common); own != "" {
		b.WriteString(" (" + cardkit.MD(own) + ")")
	}
	if v := values(a); v != "" {
		b.WriteString(" · " + cardkit.MD(v))
	}
	for _, l := range []struct {
		name string
		url  text
	}{{"dashboard", a.DashboardURL}, {"panel", a.PanelURL}, {"rule", a.GeneratorURL}} {
		if u := safeURL(l.url.String()); u != "" {
			b.WriteString(" · " + cardkit.Link(l.name, u))
		}
	}
	return b.String()
}

// values is an alert's values, "B=44.2, C=1", else Grafana's valueString.
func values(a *alert) string {
	if len(a.Values) > 0 {
		var parts []string
		for _, k := range sortedKeys(a.Values) {
			parts = append(parts, k+"="+number(a.Values.get(k)))
		}
		return strings.Join(parts, ", ")
	}
	return cardkit.Truncate(a.ValueString.String(), 200)
}

// labelFacts adds the labels as facts, alertname aside (it is the title).
func labelFacts(c *cardkit.Card, labels kv) {
	shown := 0
	for _, k := range sortedKeys(labels) {
		if k == "alertname" || k == "__alert_rule_uid__" || labels.get(k) == "" {
			continue
		}
		if shown == maxFacts {
			break
		}
		c.AddFact(cardkit.MD(k), cardkit.MD(labels.get(k)))
		shown++
	}
}

// labelList is "k=v, …" for the labels not in except (nor alertname).
func labelList(labels, except kv) string {
	var parts []string
	for _, k := range sortedKeys(labels) {
		if k == "alertname" || k == "__alert_rule_uid__" {
			continue
		}
		if _, ok := except[k]; ok {
			continue
		}
		parts = append(parts, k+"="+labels.get(k))
	}
	return strings.Join(parts, ", ")
}

// number shortens a metric value to 6 significant digits; anything that is
// not a number is kept as sent.
func number(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return s
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strconv.FormatFloat(f, 'g', 6, 64)
}

func firstURL(us ...text) string {
	for _, u := range us {
		if s := safeURL(u.String()); s != "" {
			return s
		}
	}
	return ""
}

func suffix(n int) string {
	if n <= 1 {
		return ""
	}
	return fmt.Sprintf(" %d", n)
}

// when formats an RFC 3339 time as UTC minutes; "" for none or Go's zero
// time, which Grafana sends for an alert that has not ended.
func when(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
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

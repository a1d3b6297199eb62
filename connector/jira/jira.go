// Package jira translates Jira Cloud and Jira Server/Data Center webhooks
// into cards: issues created, updated (field changes, assignments,
// transitions, comments) and deleted, and the comment_* events. The event is
// the body's webhookEvent, refined for issue updates by
// issue_event_type_name ("jira:issue_updated.issue_assigned"). Workflow
// post-function payloads, which carry a transition and no webhookEvent, are
// issue updates.
//
// Sprint, version, worklog, attachment, issue link, project and user events
// are answered and ignored, as are payloads that are not Jira webhooks.
package jira

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// Events are the webhook events this translator makes cards for.
// jira:issue_updated is refined with issue_event_type_name, e.g.
// "jira:issue_updated.issue_commented"; a filter on "jira:issue_updated"
// allows them all.
var Events = []string{
	"jira:issue_created",
	"jira:issue_updated",
	"jira:issue_deleted",
	"comment_created",
	"comment_updated",
	"comment_deleted",
}

// Translate turns one Jira webhook delivery into cards.
func Translate(d connector.Delivery) (connector.Output, error) {
	root, err := decode(d.Body)
	if err != nil {
		return connector.Output{}, fmt.Errorf("jira: body is not JSON: %w", err)
	}
	event := strings.TrimSpace(root.get("webhookEvent").str())
	w := hook{root: root, issue: root.get("issue"), kind: strings.TrimSpace(root.get("issue_event_type_name").str())}
	if event == "" {
		if w.issue.object() == nil || root.get("transition").object() == nil {
			return connector.Output{Ignored: "not a Jira webhook: no webhookEvent"}, nil
		}
		event = "jira:issue_updated" // a workflow post-function's payload
	}
	w.base = w.baseURL()

	var out connector.Output
	switch event {
	case "jira:issue_created":
		out = w.created()
	case "jira:issue_updated":
		out = w.updated()
	case "jira:issue_deleted":
		out = w.deleted()
	case "comment_created", "comment_updated", "comment_deleted":
		out = w.commentEvent(event)
	default:
		out = connector.Output{Ignored: "event not covered: " + event}
	}
	out.Event = event
	if event == "jira:issue_updated" && w.kind != "" {
		out.Event += "." + w.kind
	}
	return out, nil
}

// hook is one decoded delivery.
type hook struct {
	root, issue node
	kind        string // issue_event_type_name
	base        string // Jira's base URL, "" when unknown
}

// baseURL derives Jira's base URL from the REST self links in the payload:
// "https://x.atlassian.net/rest/api/2/issue/10000" -> "https://x.atlassian.net".
func (w hook) baseURL() string {
	for _, p := range [][]string{{"issue", "self"}, {"comment", "self"}, {"user", "self"}, {"issue", "fields", "project", "self"}} {
		self := w.root.get(p...).str()
		if i := strings.Index(self, "/rest/"); i > 0 && webURL(self) {
			return self[:i]
		}
	}
	return ""
}

// actor is the user who caused the event.
func (w hook) actor() string {
	return first(person(w.root.get("user")), "Someone")
}

// issueInfo is what cards show of an issue.
type issueInfo struct {
	key, summary, url string
	typ, status       string
	priority          string
	assignee          string
	done              bool // the status is in the "done" category
}

func (w hook) readIssue() issueInfo {
	f := w.issue.get("fields")
	in := issueInfo{
		key:      w.issue.get("key").str(),
		summary:  f.get("summary").str(),
		typ:      f.get("issuetype", "name").str(),
		status:   f.get("status", "name").str(),
		priority: f.get("priority", "name").str(),
		assignee: person(f.get("assignee")),
		done:     f.get("status", "statusCategory", "key").str() == "done",
	}
	if in.key != "" && w.base != "" {
		in.url = w.base + "/browse/" + in.key
	}
	return in
}

// card starts an issue card: "KEY: summary" linked, and who did what.
func (in issueInfo) card(actor, verb string) cardkit.Card {
	title := join(": ", in.key, in.summary)
	what := "this issue"
	if in.typ != "" {
		what = "this " + strings.ToLower(in.typ)
	}
	return cardkit.Card{
		Color:    cardkit.Accent,
		Title:    first(title, "Jira issue"),
		TitleURL: in.url,
		Subtitle: "**" + cardkit.MD(actor) + "** " + verb + " " + cardkit.MD(what),
		Summary:  actor + " " + verb + " " + first(title, "an issue"),
	}
}

func (w hook) created() connector.Output {
	in := w.readIssue()
	if in.key == "" && in.summary == "" {
		return connector.Output{Ignored: "issue event without an issue"}
	}
	c := in.card(w.actor(), "created")
	c.AddFact("Type", cardkit.MD(in.typ))
	c.AddFact("Status", cardkit.MD(in.status))
	c.AddFact("Priority", cardkit.MD(in.priority))
	c.AddFact("Assignee", cardkit.MD(first(in.assignee, "Unassigned")))
	if d := w.issue.get("fields", "description"); d.str() != "" || d.object() != nil {
		c.Text = cardkit.Truncate(richText(truncated(d, 600), w.base), 800)
	}
	return post(c)
}

func (w hook) deleted() connector.Output {
	in := w.readIssue()
	if in.key == "" && in.summary == "" {
		return connector.Output{Ignored: "issue event without an issue"}
	}
	c := in.card(w.actor(), "deleted")
	c.Color = cardkit.Warning
	c.AddFact("Status", cardkit.MD(in.status))
	c.AddFact("Assignee", cardkit.MD(first(in.assignee, "Unassigned")))
	return post(c)
}

// updated covers jira:issue_updated: field changes from the changelog (or
// a post-function's transition) and comments added, edited or deleted.
func (w hook) updated() connector.Output {
	in := w.readIssue()
	if in.key == "" && in.summary == "" {
		return connector.Output{Ignored: "issue event without an issue"}
	}
	comment := w.root.get("comment")
	hasComment := comment.object() != nil && (comment.get("body").str() != "" || comment.get("body").object() != nil)

	changes := w.changes()
	verb := "updated"
	switch {
	case w.kind == "issue_comment_deleted":
		verb = "deleted a comment on"
	case w.kind == "issue_comment_edited":
		verb = "edited a comment on"
	case w.kind == "issue_commented", w.kind == "" && hasComment && len(changes) == 0:
		verb = "commented on"
	}
	actor := w.actor()
	if hasComment && verb != "updated" && w.root.get("user").v == nil {
		actor = first(person(comment.get("updateAuthor")), person(comment.get("author")), actor)
	}
	c := in.card(actor, verb)

	changed := map[string]bool{}
	for _, ch := range changes {
		if len(c.Facts) >= 8 || changed[ch.label] {
			continue
		}
		changed[ch.label] = true
		value := first(ch.from, "none") + " → " + first(ch.to, "none")
		if ch.changed {
			value = "changed"
		}
		c.AddFact(ch.label, cardkit.MD(value))
		if (ch.field == "status" && (in.done || doneStatus(ch.to))) || (ch.field == "resolution" && ch.to != "") {
			c.Color = cardkit.Good
		}
	}
	if len(changed) == 0 {
		c.AddFact("Status", cardkit.MD(in.status))
	}
	if !changed["Assignee"] {
		c.AddFact("Assignee", cardkit.MD(first(in.assignee, "Unassigned")))
	}

	switch {
	case verb == "deleted a comment on":
		// The comment is gone; do not repost it.
	case hasComment:
		c.Text = w.commentText(comment)
		if id := comment.get("id").str(); id != "" && in.url != "" {
			c.AddLink("View comment", in.url+"?focusedCommentId="+id)
		}
	default:
		// A post-function's transition comment is a plain string.
		if s := strings.TrimSpace(comment.str()); s != "" {
			c.Text = cardkit.Truncate(wikiToMarkdown(s, w.base), 1000)
		}
	}
	if len(changed) == 0 && !hasComment && verb == "updated" && c.Text == "" {
		return connector.Output{Ignored: "issue updated without visible changes"}
	}
	return post(c)
}

// commentText is a comment's body as markdown, unless the comment is
// restricted to a group or role: a channel may reach people outside it.
func (w hook) commentText(comment node) string {
	if v := comment.get("visibility"); v.object() != nil {
		return "_" + cardkit.MD("Comment restricted to "+first(v.get("value").str(), "a group")) + "_"
	}
	return cardkit.Truncate(richText(truncated(comment.get("body"), 1500), w.base), 2000)
}

// commentEvent covers comment_created, comment_updated and comment_deleted,
// which Jira Cloud sends with the comment and a summary of the issue (older
// Jira versions send no issue).
func (w hook) commentEvent(event string) connector.Output {
	comment := w.root.get("comment")
	if comment.object() == nil {
		return connector.Output{Ignored: "comment event without a comment"}
	}
	in := w.readIssue()
	verb, actor := "commented on", person(comment.get("author"))
	switch event {
	case "comment_updated":
		verb, actor = "edited a comment on", first(person(comment.get("updateAuthor")), actor)
	case "comment_deleted":
		verb = "deleted a comment on"
	}
	actor = first(actor, person(w.root.get("user")), "Someone")
	if in.key == "" && in.summary == "" {
		// No issue details: name the issue by the id in the comment's link,
		// ".../rest/api/2/issue/10000/comment/12000".
		self := comment.get("self").str()
		id := ""
		if _, rest, ok := strings.Cut(self, "/issue/"); ok {
			id, _, _ = strings.Cut(rest, "/")
		}
		in.summary = join(" ", "Issue", id)
	}
	c := in.card(actor, verb)
	if event != "comment_deleted" {
		c.Text = w.commentText(comment)
		if id := comment.get("id").str(); id != "" && in.url != "" {
			c.AddLink("View comment", in.url+"?focusedCommentId="+id)
		}
	}
	c.AddFact("Status", cardkit.MD(in.status))
	if in.key != "" {
		c.AddFact("Assignee", cardkit.MD(first(in.assignee, "Unassigned")))
	}
	return post(c)
}

// change is one changed field.
type change struct {
	field, label, from, to string
	changed                bool // shown as "changed": from and to look alike
}

// changes reads the changelog, or a post-function's transition.
func (w hook) changes() []change {
	var out []change
	for _, it := range w.root.get("changelog", "items").list() {
		field := it.get("field").str()
		if field == "" || field == "WorklogId" {
			continue
		}
		rawFrom := first(it.get("fromString").str(), it.get("from").str())
		rawTo := first(it.get("toString").str(), it.get("to").str())
		if rawFrom == rawTo {
			continue
		}
		ch := change{field: field, label: fieldLabel(field), from: fieldValue(field, rawFrom), to: fieldValue(field, rawTo)}
		if ch.from == ch.to {
			ch.changed = true // differs beyond what the card shows
		}
		out = append(out, ch)
	}
	if len(out) == 0 {
		t := w.root.get("transition")
		if from, to := t.get("from_status").str(), t.get("to_status").str(); to != "" && from != to {
			out = append(out, change{field: "status", label: "Status", from: from, to: to})
		}
	}
	return out
}

var fieldLabels = map[string]string{
	"issuetype":              "Type",
	"duedate":                "Due Date",
	"timeestimate":           "Remaining Estimate",
	"timeoriginalestimate":   "Original Estimate",
	"timespent":              "Time Spent",
	"IssueParentAssociation": "Parent",
}

func fieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	r := []rune(field)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// fieldValue shortens a changelog value: long text is cut, estimates in
// seconds are shown as hours and minutes.
func fieldValue(field, v string) string {
	switch field {
	case "timeestimate", "timeoriginalestimate", "timespent":
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return seconds(s)
		}
	}
	return cardkit.Truncate(strings.Join(strings.Fields(v), " "), 100)
}

func seconds(s int) string {
	h, m := s/3600, s%3600/60
	switch {
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	default:
		return fmt.Sprintf("%dm", m)
	}
}

// doneStatus names statuses that finish an issue.
func doneStatus(s string) bool {
	switch strings.ToLower(s) {
	case "done", "closed", "resolved", "fixed", "complete", "completed":
		return true
	}
	return false
}

// truncated cuts a wiki-markup string before conversion, so a long
// description does not become a long card; ADF trees are left whole.
func truncated(n node, max int) node {
	if s, ok := n.v.(string); ok {
		return node{cardkit.Truncate(strings.TrimSpace(s), max)}
	}
	return n
}

func post(c cardkit.Card) connector.Output {
	return connector.Output{Cards: []connector.Card{c.Build()}}
}

// node is a decoded JSON value read leniently: a missing key, a null or a
// value of an unexpected type reads as the zero value.
type node struct{ v any }

func decode(body []byte) (node, error) {
	if !json.Valid(body) {
		return node{}, errors.New("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return node{}, err
	}
	return node{v}, nil
}

func (n node) get(path ...string) node {
	v := n.v
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return node{}
		}
		v = m[k]
	}
	return node{v}
}

func (n node) str() string {
	switch x := n.v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

func (n node) list() []node {
	a, _ := n.v.([]any)
	out := make([]node, len(a))
	for i, v := range a {
		out[i] = node{v}
	}
	return out
}

func (n node) object() map[string]any {
	m, _ := n.v.(map[string]any)
	return m
}

// person names a Jira user: displayName, else the Server user name.
func person(n node) string {
	return strings.TrimSpace(first(n.get("displayName").str(), n.get("name").str()))
}

func first(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

func join(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

func webURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

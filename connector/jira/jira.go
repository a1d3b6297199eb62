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
	"fmt"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
	"github.com/heraldhq/herald/connector/lenient"
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
	event := strings.TrimSpace(root.Get("webhookEvent").Str())
	w := hook{root: root, issue: root.Get("issue"), kind: strings.TrimSpace(root.Get("issue_event_type_name").Str())}
	if event == "" {
		if w.issue.Object() == nil || root.Get("transition").Object() == nil {
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
		self := w.root.Get(p...).Str()
		if i := strings.Index(self, "/rest/"); i > 0 && webURL(self) {
			return self[:i]
		}
	}
	return ""
}

// actor is the user who caused the event.
func (w hook) actor() string {
	return first(person(w.root.Get("user")), "Someone")
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
	f := w.issue.Get("fields")
	in := issueInfo{
		key:      w.issue.Get("key").Str(),
		summary:  f.Get("summary").Str(),
		typ:      f.Get("issuetype", "name").Str(),
		status:   f.Get("status", "name").Str(),
		priority: f.Get("priority", "name").Str(),
		assignee: person(f.Get("assignee")),
		done:     f.Get("status", "statusCategory", "key").Str() == "done",
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
	if d := w.issue.Get("fields", "description"); d.Str() != "" || d.Object() != nil {
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
	comment := w.root.Get("comment")
	hasComment := comment.Object() != nil && (comment.Get("body").Str() != "" || comment.Get("body").Object() != nil)

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
	if hasComment && verb != "updated" && w.root.Get("user").V == nil {
		actor = first(person(comment.Get("updateAuthor")), person(comment.Get("author")), actor)
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
		if id := comment.Get("id").Str(); id != "" && in.url != "" {
			c.AddLink("View comment", in.url+"?focusedCommentId="+id)
		}
	default:
		// A post-function's transition comment is a plain string.
		if s := strings.TrimSpace(comment.Str()); s != "" {
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
	if v := comment.Get("visibility"); v.Object() != nil {
		return "_" + cardkit.MD("Comment restricted to "+first(v.Get("value").Str(), "a group")) + "_"
	}
	return cardkit.Truncate(richText(truncated(comment.Get("body"), 1500), w.base), 2000)
}

// commentEvent covers comment_created, comment_updated and comment_deleted,
// which Jira Cloud sends with the comment and a summary of the issue (older
// Jira versions send no issue).
func (w hook) commentEvent(event string) connector.Output {
	comment := w.root.Get("comment")
	if comment.Object() == nil {
		return connector.Output{Ignored: "comment event without a comment"}
	}
	in := w.readIssue()
	verb, actor := "commented on", person(comment.Get("author"))
	switch event {
	case "comment_updated":
		verb, actor = "edited a comment on", first(person(comment.Get("updateAuthor")), actor)
	case "comment_deleted":
		verb = "deleted a comment on"
	}
	actor = first(actor, person(w.root.Get("user")), "Someone")
	if in.key == "" && in.summary == "" {
		// No issue details: name the issue by the id in the comment's link,
		// ".../rest/api/2/issue/10000/comment/12000".
		self := comment.Get("self").Str()
		id := ""
		if _, rest, ok := strings.Cut(self, "/issue/"); ok {
			id, _, _ = strings.Cut(rest, "/")
		}
		in.summary = join(" ", "Issue", id)
	}
	c := in.card(actor, verb)
	if event != "comment_deleted" {
		c.Text = w.commentText(comment)
		if id := comment.Get("id").Str(); id != "" && in.url != "" {
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
	for _, it := range w.root.Get("changelog", "items").List() {
		field := it.Get("field").Str()
		if field == "" || field == "WorklogId" {
			continue
		}
		rawFrom := first(it.Get("fromString").Str(), it.Get("from").Str())
		rawTo := first(it.Get("toString").Str(), it.Get("to").Str())
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
		t := w.root.Get("transition")
		if from, to := t.Get("from_status").Str(), t.Get("to_status").Str(); to != "" && from != to {
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
	if s, ok := n.V.(string); ok {
		return node{V: cardkit.Truncate(strings.TrimSpace(s), max)}
	}
	return n
}

func post(c cardkit.Card) connector.Output {
	return connector.Output{Cards: []connector.Card{c.Build()}}
}

// node is a decoded JSON value read leniently (see package lenient).
type node = lenient.Node

var decode = lenient.Decode

// person names a Jira user: displayName, else the Server user name.
func person(n node) string {
	return strings.TrimSpace(first(n.Get("displayName").Str(), n.Get("name").Str()))
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

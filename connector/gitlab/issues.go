package gitlab

import (
	"slices"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// mrVerbs says what each merge request action did.
var mrVerbs = map[string]string{
	"open":       "opened",
	"close":      "closed",
	"reopen":     "reopened",
	"update":     "updated",
	"merge":      "merged",
	"approved":   "approved",
	"unapproved": "unapproved",
	"approval":   "approved",
	"unapproval": "withdrew their approval of",
}

// noise are changes not worth naming in an "updated" card.
var noise = []string{"updated_at", "updated_by_id", "last_edited_at", "last_edited_by_id", "state_id",
	"total_time_spent", "time_change", "human_total_time_spent", "human_time_change", "merge_status",
	"detailed_merge_status", "head_pipeline_id", "lock_version", "closed_at", "id", "iid", "created_at",
	"author_id", "source_project_id", "target_project_id", "merge_params", "prepared_at"}

// changed names what an update changed ("title, labels").
func changed(root value) string {
	m, ok := root.get("changes").v.(map[string]any)
	if !ok {
		return ""
	}
	var keys []string
	for k := range m {
		k = strings.TrimSpace(k)
		if !slices.Contains(noise, k) {
			keys = append(keys, human(k))
		}
	}
	slices.Sort(keys)
	return strings.Join(keys, ", ")
}

// stateAction guesses the action of a payload that has none (old GitLab)
// from the object's state.
func stateAction(state string) string {
	switch state {
	case "opened":
		return "open"
	case "closed":
		return "close"
	case "merged":
		return "merge"
	case "reopened":
		return "reopen"
	}
	return "update"
}

func mergeRequestEvent(root value) connector.Output {
	oa := root.get("object_attributes")
	iid := oa.get("iid").str()
	if iid == "" {
		return ignored("merge_request", "merge request without an iid")
	}
	p := projectOf(root)
	name := actor(root)
	title := oa.get("title").str()
	action := oa.get("action").str()
	if action == "" {
		action = stateAction(oa.get("state").str())
	}
	verb, ok := mrVerbs[action]
	if !ok {
		verb = human(action)
	}
	if action == "update" && oa.get("oldrev").str() != "" {
		verb = "pushed new commits to"
	}
	u := oa.get("url").str()
	if u == "" {
		u = p.path("-", "merge_requests", iid)
	}
	ref := "!" + iid
	source, target := oa.get("source_branch").str(), oa.get("target_branch").str()

	c := &cardkit.Card{Color: cardkit.Accent}
	switch action {
	case "merge", "approved", "approval":
		c.Color = cardkit.Good
	case "close":
		c.Color = cardkit.Attention
	case "unapproved", "unapproval":
		c.Color = cardkit.Warning
	}
	c.Title = strings.TrimSpace(ref + " " + title)
	c.TitleURL = u
	c.Subtitle = who(name) + " " + verb + " merge request " + cardkit.Link(ref, u) + p.in()
	c.Summary = plainWho(name) + " " + verb + " merge request " + c.Title + p.inPlain()
	if source != "" && target != "" {
		c.AddFact("Branches", cardkit.MD(source)+" → "+cardkit.MD(target))
	}
	switch action {
	case "open", "reopen":
		c.Text = description(oa.get("description").raw(), 500)
		addText(c, "Assignees", assignees(root))
		addText(c, "Reviewers", names(root.get("reviewers").list()))
		addText(c, "Labels", labels(root))
	case "update":
		if verb == "updated" {
			addText(c, "Changed", changed(root))
		}
		addText(c, "Assignees", assignees(root))
	case "merge":
		c.AddFact("Merge commit", commitLink(p, oa.get("merge_commit_sha").str()))
	}
	return posted(dotted("merge_request", action), target, c)
}

// assignees names an object's assignees: the list newer GitLab sends, or
// the single assignee of older ones.
func assignees(root value) string {
	if n := names(root.get("assignees").list()); n != "" {
		return n
	}
	return root.first("assignee.name", "assignee.username")
}

// issueVerbs says what each issue action did.
var issueVerbs = map[string]string{
	"open":   "opened",
	"close":  "closed",
	"reopen": "reopened",
	"update": "updated",
}

func issueEvent(root value, confidential bool) connector.Output {
	oa := root.get("object_attributes")
	iid := oa.get("iid").str()
	if iid == "" {
		return ignored("issue", "issue without an iid")
	}
	confidential = confidential || oa.get("confidential").boolean() || root.get("event_type").str() == "confidential_issue"
	event := "issue"
	if confidential {
		event = "confidential_issue"
	}
	p := projectOf(root)
	name := actor(root)
	title := oa.get("title").str()
	action := oa.get("action").str()
	if action == "" {
		action = stateAction(oa.get("state").str())
	}
	verb, ok := issueVerbs[action]
	if !ok {
		verb = human(action)
	}
	noun := "issue"
	if t := oa.get("type").str(); t != "" && t != "Issue" {
		noun = strings.ToLower(human(t))
	}
	if confidential {
		noun = "confidential " + noun
	}
	u := oa.get("url").str()
	if u == "" {
		u = p.path("-", "issues", iid)
	}
	ref := "#" + iid

	c := &cardkit.Card{Color: cardkit.Accent}
	if action == "close" {
		c.Color = cardkit.Good
	}
	c.Title = strings.TrimSpace(ref + " " + title)
	c.TitleURL = u
	c.Subtitle = who(name) + " " + verb + " " + noun + " " + cardkit.Link(ref, u) + p.in()
	c.Summary = plainWho(name) + " " + verb + " " + noun + " " + c.Title + p.inPlain()
	switch action {
	case "open", "reopen":
		c.Text = description(oa.get("description").raw(), 500)
		addText(c, "Assignees", assignees(root))
		addText(c, "Labels", labels(root))
	case "update":
		addText(c, "Changed", changed(root))
		addText(c, "Assignees", assignees(root))
	}
	return posted(dotted(event, action), "", c)
}

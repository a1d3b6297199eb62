package gitlab

import (
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// noteEvent covers comments ("Note Hook", "Confidential Note Hook") on
// commits, merge requests, issues and snippets.
func noteEvent(root value, confidential bool) connector.Output {
	oa := root.get("object_attributes")
	typ := oa.get("noteable_type").str()
	body := oa.get("note").raw()
	if typ == "" && body == "" {
		return ignored("note", "comment without noteable_type or note")
	}
	if oa.get("system").boolean() {
		return ignored("note", "system note")
	}
	confidential = confidential || root.get("event_type").str() == "confidential_note" ||
		root.get("issue", "confidential").boolean()
	event := "note"
	if confidential {
		event = "confidential_note"
	}
	p := projectOf(root)
	name := actor(root)
	noteURL := oa.get("url").str()
	page := withoutFragment(noteURL)

	// what the comment is on: a reference (!1, #2, $3, a short id), a
	// title and a URL
	var kind, ref, title, u, branch string
	switch typ {
	case "MergeRequest":
		kind = "merge_request"
		mr := root.get("merge_request")
		iid := mr.get("iid").str()
		ref, title = "!"+iid, mr.get("title").str()
		u = mr.get("url").str()
		if u == "" {
			u = page
		}
		if u == "" && iid != "" {
			u = p.path("-", "merge_requests", iid)
		}
		branch = mr.get("target_branch").str()
	case "Issue":
		kind = "issue"
		is := root.get("issue")
		iid := is.get("iid").str()
		ref, title = "#"+iid, is.get("title").str()
		u = is.get("url").str()
		if u == "" {
			u = page
		}
		if u == "" && iid != "" {
			u = p.path("-", "issues", iid)
		}
	case "Commit":
		kind = "commit"
		cm := root.get("commit")
		id := cm.get("id").str()
		if id == "" {
			id = oa.get("commit_id").str()
		}
		ref = shortSHA(id)
		title = cm.get("title").str()
		if title == "" {
			title = cardkit.FirstLine(cm.get("message").raw())
		}
		u = cm.get("url").str()
		if u == "" {
			u = page
		}
		if u == "" && id != "" {
			u = p.path("-", "commit", id)
		}
	case "Snippet":
		kind = "snippet"
		sn := root.get("snippet")
		ref, title = "$"+sn.get("id").str(), sn.get("title").str()
		if u = page; u == "" {
			u = sn.get("url").str()
		}
	default:
		kind = "other"
		ref = strings.ToLower(human(typ))
		u = page
	}
	if ref == "!" || ref == "#" || ref == "$" {
		ref = ""
	}
	noun := map[string]string{"merge_request": "merge request", "issue": "issue", "commit": "commit", "snippet": "snippet"}[kind]
	target := strings.TrimSpace(ref + " " + title)
	if target == "" {
		target = "an item"
	}
	verb := "commented on"
	if oa.get("action").str() == "update" {
		verb = "edited a comment on"
	}

	c := &cardkit.Card{Color: cardkit.Accent}
	c.Title = "Comment on " + strings.TrimSpace(noun+" "+target)
	c.TitleURL = noteURL
	if c.TitleURL == "" {
		c.TitleURL = u
	}
	c.Subtitle = who(name) + " " + verb + " " + strings.TrimSpace(noun+" "+cardkit.Link(target, u)) + p.in()
	c.Text = description(body, 1000)
	c.Summary = plainWho(name) + " " + verb + " " + strings.TrimSpace(noun+" "+target)
	if first := cardkit.FirstLine(description(body, 200)); first != "" {
		c.Summary += ": " + first
	}
	return posted(event+"."+kind, branch, c)
}

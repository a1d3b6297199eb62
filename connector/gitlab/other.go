package gitlab

import (
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// slug makes a payload word safe as part of an event name: lower-case
// letters, digits and underscores, at most 40 of them.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if b.Len() == 40 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "unknown"
	}
	return b.String()
}

// dotted names an event with its action or status ("pipeline.success"),
// or only its kind when the payload gives none.
func dotted(kind, action string) string {
	if action == "" {
		return kind
	}
	return kind + "." + slug(action)
}

// pastTense says create, update and delete actions as done.
var pastTense = map[string]string{
	"create": "created",
	"update": "updated",
	"delete": "deleted",
	"close":  "closed",
	"reopen": "reopened",
}

func past(action string) string {
	if w, ok := pastTense[action]; ok {
		return w
	}
	if action == "" {
		return "changed"
	}
	return human(action)
}

func wikiEvent(root value) connector.Output {
	oa := root.get("object_attributes")
	title := oa.first("title", "slug")
	if title == "" {
		return ignored("wiki_page", "wiki page without a title")
	}
	p := projectOf(root)
	name := actor(root)
	action := oa.get("action").str()
	c := &cardkit.Card{Color: cardkit.Accent}
	if action == "delete" {
		c.Color = cardkit.Warning
	}
	c.Title = "Wiki page " + title + " " + past(action)
	c.TitleURL = oa.get("url").str()
	c.Subtitle = who(name) + " " + past(action) + " wiki page " + cardkit.Link(title, c.TitleURL) + p.in()
	c.Summary = plainWho(name) + " " + past(action) + " wiki page " + title + p.inPlain()
	if m := oa.get("message").str(); m != "" && m != title {
		c.Text = description(m, 300)
	}
	if action == "update" {
		c.AddLink("View changes", oa.get("diff_url").str())
	}
	return posted(dotted("wiki_page", action), "", c)
}

func releaseEvent(root value) connector.Output {
	tag := root.get("tag").str()
	name := root.get("name").str()
	if tag == "" && name == "" {
		return ignored("release", "release without a tag or name")
	}
	if name == "" {
		name = tag
	}
	p := projectOf(root)
	action := root.get("action").str()
	c := &cardkit.Card{Color: cardkit.Good}
	switch action {
	case "create":
		c.Title = "Release " + name + " published"
	case "delete":
		c.Title = "Release " + name + " deleted"
		c.Color = cardkit.Warning
	default:
		c.Title = "Release " + name + " " + past(action)
		c.Color = cardkit.Accent
	}
	c.TitleURL = root.get("url").str()
	c.Subtitle = "Release " + cardkit.Link(name, c.TitleURL) + " " + past(action) + p.in()
	if u := actor(root); u != "" {
		c.Subtitle = who(u) + " " + past(action) + " release " + cardkit.Link(name, c.TitleURL) + p.in()
	}
	c.Summary = c.Title + p.inPlain()
	if action != "delete" {
		c.Text = description(root.get("description").raw(), 500)
	}
	if tag != name {
		addText(c, "Tag", tag)
	}
	c.AddFact("Commit", commitLink(p, root.get("commit", "id").str()))
	for i, l := range root.get("assets", "links").list() {
		if i == 3 {
			break
		}
		c.AddLink(cardkit.Truncate(l.first("name", "url"), 40), l.get("url").str())
	}
	return posted(dotted("release", action), "", c)
}

func featureFlagEvent(root value) connector.Output {
	oa := root.get("object_attributes")
	flag := oa.get("name").str()
	if flag == "" {
		return ignored("feature_flag", "feature flag without a name")
	}
	p := projectOf(root)
	name := actor(root)
	state, event := "off", "feature_flag.off"
	if oa.get("active").boolean() {
		state, event = "on", "feature_flag.on"
	}
	c := &cardkit.Card{Color: cardkit.Accent}
	c.Title = "Feature flag " + flag + " turned " + state
	c.TitleURL = p.path("-", "feature_flags")
	c.Subtitle = who(name) + " turned feature flag " + code(flag) + " " + state + p.in()
	c.Summary = plainWho(name) + " turned feature flag " + flag + " " + state + p.inPlain()
	c.Text = description(oa.get("description").raw(), 300)
	return posted(event, "", c)
}

// emojiEvent covers reactions ("Emoji Hook") on issues, merge requests,
// snippets, commits and comments.
func emojiEvent(root value) connector.Output {
	oa := root.get("object_attributes")
	emoji := oa.get("name").str()
	if emoji == "" {
		return ignored("emoji", "emoji event without an emoji name")
	}
	p := projectOf(root)
	name := actor(root)
	action := root.get("event_type").str()
	if action == "" {
		action = oa.get("action").str()
	}
	var target string
	switch oa.get("awardable_type").str() {
	case "MergeRequest":
		target = "merge request !" + root.get("merge_request", "iid").str() + " " + root.get("merge_request", "title").str()
	case "Issue":
		target = "issue #" + root.get("issue", "iid").str() + " " + root.get("issue", "title").str()
	case "Snippet":
		target = "snippet $" + root.get("snippet", "id").str() + " " + root.get("snippet", "title").str()
	case "Commit":
		target = "commit " + shortSHA(root.get("commit", "id").str())
	case "Note":
		target = "a comment"
	default:
		target = strings.ToLower(human(oa.get("awardable_type").str()))
	}
	target = strings.TrimSpace(target)
	if target == "" {
		target = "an item"
	}
	u := oa.get("awarded_on_url").str()
	verb, event := "reacted with", "emoji.award"
	if action == "revoke" {
		verb, event = "removed their reaction", "emoji.revoke"
	}
	c := &cardkit.Card{Color: cardkit.Accent}
	c.Title = ":" + emoji + ": on " + target
	c.TitleURL = u
	c.Subtitle = who(name) + " " + verb + " :" + cardkit.MD(emoji) + ": on " + cardkit.Link(target, u) + p.in()
	c.Summary = plainWho(name) + " " + verb + " :" + emoji + ": on " + target + p.inPlain()
	if action == "revoke" {
		c.Subtitle = who(name) + " " + verb + " :" + cardkit.MD(emoji) + ": from " + cardkit.Link(target, u) + p.in()
		c.Summary = plainWho(name) + " " + verb + " :" + emoji + ": from " + target + p.inPlain()
	}
	if oa.get("awardable_type").str() == "Note" {
		c.Text = description(root.get("note", "note").raw(), 300)
	}
	return posted(event, "", c)
}

func milestoneEvent(root value) connector.Output {
	oa := root.get("object_attributes")
	title := oa.get("title").str()
	if title == "" {
		return ignored("milestone", "milestone without a title")
	}
	p := projectOf(root)
	action := root.get("action").str()
	if action == "" {
		action = oa.get("action").str()
	}
	c := &cardkit.Card{Color: cardkit.Accent}
	if action == "close" {
		c.Color = cardkit.Good
	}
	c.Title = "Milestone " + title + " " + past(action)
	c.TitleURL = oa.get("url").str()
	if c.TitleURL == "" && oa.get("iid").str() != "" {
		c.TitleURL = p.path("-", "milestones", oa.get("iid").str())
	}
	c.Subtitle = "Milestone " + cardkit.Link(title, c.TitleURL) + " " + past(action) + p.in()
	if name := actor(root); name != "" {
		c.Subtitle = who(name) + " " + past(action) + " milestone " + cardkit.Link(title, c.TitleURL) + p.in()
	}
	c.Summary = c.Title + p.inPlain()
	addText(c, "Due", oa.get("due_date").str())
	return posted(dotted("milestone", action), "", c)
}

// accessTokenEvent covers "Resource Access Token Hook": a project or group
// access token expires soon.
func accessTokenEvent(root value) connector.Output {
	oa := root.get("object_attributes")
	token := oa.get("name").str()
	if token == "" {
		return ignored("access_token", "access token event without a token name")
	}
	ev := root.get("event_name").str()
	when := strings.TrimSuffix(ev, "_access_token")
	if when == "" {
		when = "expiring"
	}
	p := projectOf(root)
	owner, kind := p.link(), "Project"
	ownerPlain := p.name
	if p.name == "" {
		g := root.first("group.group_path", "group.group_name")
		owner, ownerPlain, kind = cardkit.MD(g), g, "Group"
	}
	c := &cardkit.Card{Color: cardkit.Warning}
	c.Title = "Access token " + token + " " + human(when)
	if exp := oa.get("expires_at").str(); exp != "" && when == "expiring" {
		c.Title = "Access token " + token + " expires on " + exp
	}
	c.TitleURL = p.path("-", "settings", "access_tokens")
	c.Subtitle = kind + " access token"
	if ownerPlain != "" {
		c.Subtitle += " of " + owner
	}
	c.Summary = c.Title
	if ownerPlain != "" {
		c.Summary += " (" + ownerPlain + ")"
	}
	return posted(dotted("access_token", when), "", c)
}

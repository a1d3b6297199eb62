package azuredevops

import (
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// zeroID reports whether a Git object id is the all-zero id that marks a
// created or deleted ref.
func zeroID(id string) bool {
	return id != "" && strings.Trim(id, "0") == ""
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// push covers git.push: the first branch (else first ref) updated, with
// its commits.
func (h hook) push() connector.Output {
	r := h.res
	refs := r.Get("refUpdates").List()
	commits := r.Get("commits").List()
	if len(refs) == 0 && len(commits) == 0 {
		return connector.Output{Ignored: "push without ref updates"}
	}
	var ref node
	for _, u := range refs {
		if strings.HasPrefix(u.Get("name").Str(), "refs/heads/") {
			ref = u
			break
		}
	}
	if ref.V == nil && len(refs) > 0 {
		ref = refs[0]
	}
	refName := ref.Get("name").Str()
	oldID, newID := ref.Get("oldObjectId").Str(), ref.Get("newObjectId").Str()
	branch := headBranch(refName)
	kind, version := "branch", "GB"
	if strings.HasPrefix(refName, "refs/tags/") {
		kind, version = "tag", "GT"
	} else if branch == "" {
		kind, version = "ref", ""
	}
	name := first(shortRef(refName), "an unnamed ref")

	repo := r.Get("repository")
	repoName := repo.Get("name").Str()
	web := repoURL(repo)
	actor := first(person(r.Get("pushedBy")), "Someone")

	var compare, refURL string
	if web != "" && oldID != "" && newID != "" {
		compare = web + "/branchCompare?baseVersion=GC" + url.QueryEscape(oldID) + "&targetVersion=GC" + url.QueryEscape(newID) + "&_a=files"
	}
	if web != "" && version != "" && name != "" {
		refURL = web + "?version=" + version + url.QueryEscape(name)
	}

	created, deleted := zeroID(oldID), zeroID(newID)
	n := len(commits)
	var title string
	switch {
	case deleted:
		title = actor + " deleted " + kind + " " + name
	case created && n > 0:
		title = actor + " created " + kind + " " + name + " with " + plural(n, "commit", "commits")
	case created:
		title = actor + " created " + kind + " " + name
	case n > 0:
		title = actor + " pushed " + plural(n, "commit", "commits") + " to " + name
	default:
		title = actor + " pushed to " + name
	}

	c := cardkit.Card{
		Color:    cardkit.Accent,
		Title:    title,
		TitleURL: first(compare, refURL, web),
		Summary:  join(" in ", title, repoName),
	}
	if deleted {
		c.Color = cardkit.Warning
		c.Subtitle = link(repoName, web)
	} else {
		c.Subtitle = join(" · ", link(repoName, web), kind+" "+cardkit.Link(name, refURL))
	}

	authors := map[string]int{}
	for _, cm := range commits {
		authors[first(person(cm.Get("author")), person(cm.Get("committer")))]++
	}
	delete(authors, "")
	multi := len(authors) > 1
	for _, cm := range commits {
		id := cm.Get("commitId").Str()
		short := id
		if len(short) > 7 {
			short = short[:7]
		}
		line := cardkit.MD(first(cardkit.FirstLine(cm.Get("comment").Str()), "(no message)"))
		if short != "" {
			href := ""
			if web != "" {
				href = web + "/commit/" + url.PathEscape(id)
			}
			line = cardkit.Link(short, href) + " " + line
		}
		if who := first(person(cm.Get("author")), person(cm.Get("committer"))); multi && who != "" {
			line += " — " + cardkit.MD(who)
		}
		c.Items = append(c.Items, line)
	}
	if n > 10 {
		more := "and " + plural(n-10, "more commit", "more commits")
		if compare != "" {
			more = "[" + more + "](" + compare + ")"
		}
		c.More = more
	}
	if multi {
		names := make([]string, 0, len(authors))
		for a := range authors {
			names = append(names, a)
		}
		sort.Slice(names, func(i, j int) bool {
			if authors[names[i]] != authors[names[j]] {
				return authors[names[i]] > authors[names[j]]
			}
			return names[i] < names[j]
		})
		parts := make([]string, len(names))
		for i, a := range names {
			parts[i] = a + " (" + strconv.Itoa(authors[a]) + ")"
		}
		c.AddFact("Authors", cardkit.MD(strings.Join(parts, ", ")))
	}
	if len(refs) > 1 {
		c.AddFact("Refs updated", strconv.Itoa(len(refs)))
	}
	return connector.Output{Cards: []connector.Card{c.Build()}, Branch: branch}
}

// pr is the shared reading of a pull request resource.
type pr struct {
	id, title, url   string
	repoName, repo   string
	source, target   string
	status, merge    string
	draft            bool
	createdBy        string
	closedBy         string
	description      string
	reviewers        []string
	targetBranchName string
}

func readPR(n node) pr {
	p := pr{
		id:          n.Get("pullRequestId").Str(),
		title:       n.Get("title").Str(),
		repoName:    n.Get("repository", "name").Str(),
		repo:        repoURL(n.Get("repository")),
		source:      shortRef(n.Get("sourceRefName").Str()),
		target:      shortRef(n.Get("targetRefName").Str()),
		status:      n.Get("status").Str(),
		merge:       n.Get("mergeStatus").Str(),
		draft:       n.Get("isDraft").Str() == "true",
		createdBy:   person(n.Get("createdBy")),
		closedBy:    person(n.Get("closedBy")),
		description: strings.TrimSpace(n.Get("description").Str()),
	}
	p.targetBranchName = headBranch(n.Get("targetRefName").Str())
	p.url = n.Get("_links", "web", "href").Str()
	if !webURL(p.url) {
		p.url = ""
		if p.repo != "" && p.id != "" {
			p.url = p.repo + "/pullrequest/" + p.id
		}
	}
	for _, rv := range n.Get("reviewers").List() {
		name := person(rv)
		if name == "" {
			continue
		}
		switch rv.Get("vote").Str() {
		case "10":
			name += " (approved)"
		case "5":
			name += " (approved with suggestions)"
		case "-5":
			name += " (waiting for author)"
		case "-10":
			name += " (rejected)"
		}
		p.reviewers = append(p.reviewers, name)
	}
	return p
}

// card lays out a pull request with subtitle and colour.
func (p pr) card(subtitle, color string) cardkit.Card {
	title := "PR"
	if p.id != "" {
		title += " #" + p.id
	}
	if p.title != "" {
		title += ": " + p.title
	}
	c := cardkit.Card{Color: color, Title: title, TitleURL: p.url, Subtitle: subtitle}
	if p.source != "" || p.target != "" {
		c.AddFact("Branches", cardkit.MD(first(p.source, "?")+" → "+first(p.target, "?")))
	}
	status := p.status
	if p.draft && status == "active" {
		status = "draft"
	}
	if status != "" && status != "active" && status != "completed" {
		c.AddFact("Status", cardkit.MD(humanize(status)))
	}
	switch p.merge {
	case "conflicts", "failure", "rejectedByPolicy":
		c.AddFact("Merge", cardkit.MD(humanize(p.merge)))
	}
	if len(p.reviewers) > 0 {
		rv := p.reviewers
		more := ""
		if len(rv) > 5 {
			more = " and " + strconv.Itoa(len(rv)-5) + " more"
			rv = rv[:5]
		}
		c.AddFact("Reviewers", cardkit.MD(strings.Join(rv, ", ")+more))
	}
	return c
}

func (p pr) in() string {
	if p.repoName == "" {
		return ""
	}
	return " in " + link(p.repoName, p.repo)
}

// link is a markdown link, or "" when there is no text to show.
func link(text, url string) string {
	if text == "" {
		return ""
	}
	return cardkit.Link(text, url)
}

// pullRequest covers git.pullrequest.created, .updated and .merged.
func (h hook) pullRequest() connector.Output {
	p := readPR(h.res)
	if p.id == "" && p.title == "" {
		return connector.Output{Ignored: "pull request event without a pull request"}
	}
	var c cardkit.Card
	var verb string
	switch h.event {
	case "git.pullrequest.created":
		verb = "opened"
		if p.draft {
			verb = "opened a draft of"
		}
		actor := first(p.createdBy, "Someone")
		c = p.card(bold(actor)+" "+verb+" a pull request"+p.in(), cardkit.Accent)
		c.Summary = actor + " " + verb + " PR #" + p.id + ": " + p.title
		if p.description != "" && p.description != p.title {
			c.Text = cardkit.MD(cardkit.Truncate(p.description, 500))
		}
	case "git.pullrequest.merged":
		// Azure sends this for every merge attempt; only a completed pull
		// request was merged. Conflicts and trial merges are noise here.
		if p.status != "completed" {
			return connector.Output{Ignored: "merge attempt without completion (merge status: " + first(p.merge, "unknown") + ")", Branch: p.targetBranchName}
		}
		actor := first(p.closedBy, p.createdBy, "Someone")
		c = p.card(bold(actor)+" merged a pull request"+p.in(), cardkit.Good)
		c.Summary = actor + " merged PR #" + p.id + ": " + p.title
	default: // updated
		color := cardkit.Accent
		switch p.status {
		case "completed":
			color = cardkit.Good
		case "abandoned":
			color = cardkit.Warning
		}
		line := h.messageLine()
		sub := cardkit.MD(line)
		if line == "" {
			line = first(p.createdBy, "Someone") + "'s pull request was updated"
			sub = bold(first(p.createdBy, "Someone")) + "'s pull request was updated" + p.in()
		}
		c = p.card(sub, color)
		c.Summary = line
	}
	return connector.Output{Cards: []connector.Card{c.Build()}, Branch: p.targetBranchName}
}

// pullRequestComment covers ms.vss-code.git-pullrequest-comment-event.
func (h hook) pullRequestComment() connector.Output {
	p := readPR(h.res.Get("pullRequest"))
	cm := h.res.Get("comment")
	if cm.Get("commentType").Str() == "system" {
		return connector.Output{Ignored: "system comment", Branch: p.targetBranchName}
	}
	actor := first(person(cm.Get("author")), "Someone")
	c := p.card(bold(actor)+" commented on a pull request"+p.in(), cardkit.Accent)
	c.Summary = actor + " commented on PR #" + p.id + ": " + p.title
	c.Text = cardkit.MD(cardkit.Truncate(strings.TrimSpace(cm.Get("content").Str()), 1000))
	return connector.Output{Cards: []connector.Card{c.Build()}, Branch: p.targetBranchName}
}

// checkin covers tfvc.checkin.
func (h hook) checkin() connector.Output {
	r := h.res
	id := r.Get("changesetId").Str()
	comment := strings.TrimSpace(r.Get("comment").Str())
	actor := first(person(r.Get("checkedInBy")), person(r.Get("author")), "Someone")
	title := "Changeset " + id
	if id == "" {
		title = "Changeset"
	}
	if subject := cardkit.FirstLine(comment); subject != "" {
		title += ": " + cardkit.Truncate(subject, 120)
	}
	c := cardkit.Card{
		Color:    cardkit.Accent,
		Title:    title,
		TitleURL: first(h.messageLink("cs="), h.messageLink("changeset"), h.messageLink("")),
		Subtitle: bold(actor) + " checked in",
		Summary:  actor + " checked in " + title,
	}
	if _, rest, ok := strings.Cut(comment, "\n"); ok {
		c.Text = cardkit.MD(cardkit.Truncate(strings.TrimSpace(rest), 500))
	}
	return post(c)
}

package gitlab

import (
	"fmt"
	"slices"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// maxCommits is how many commits a push card lists; cardkit shows no more.
const maxCommits = 10

// pushEvent covers "Push Hook" and "Tag Push Hook" (and the same payloads
// from system hooks).
func pushEvent(root value, tag bool) connector.Output {
	ref := root.get("ref").str()
	if ref == "" {
		event := "push"
		if tag {
			event = "tag_push"
		}
		return ignored(event, "push without a ref")
	}
	if tag {
		return tagPush(root, strings.TrimPrefix(ref, "refs/tags/"))
	}
	if !strings.HasPrefix(ref, "refs/heads/") && strings.HasPrefix(ref, "refs/") {
		return ignored("push", "push to "+ref+", not a branch")
	}
	branch := strings.TrimPrefix(ref, "refs/heads/")
	p := projectOf(root)
	name := actor(root)
	before, after := root.get("before").str(), root.get("after").str()
	commits := root.get("commits").list()
	// GitLab lists at most the newest 20 commits and counts them all in
	// total_commits_count; the larger of the two is the count.
	count := max(root.get("total_commits_count").count(), len(commits))
	var compare string
	if before != "" && after != "" {
		compare = p.path("compare", before+"..."+after)
	}
	tree := p.path("-", "tree", pathEscape(branch))

	c := &cardkit.Card{Color: cardkit.Accent}
	switch {
	case zeroSHA(after):
		c.Title = "Branch " + branch + " deleted"
		c.TitleURL = p.url
		c.Subtitle = who(name) + " deleted branch " + code(branch) + p.in()
		c.Summary = plainWho(name) + " deleted branch " + branch + p.inPlain()
		c.Color = cardkit.Warning
		return posted("push", branch, c)
	case zeroSHA(before) && count == 0:
		c.Title = "Branch " + branch + " created"
		c.TitleURL = tree
		c.Subtitle = who(name) + " created branch " + code(branch) + p.in()
		c.Summary = plainWho(name) + " created branch " + branch + p.inPlain()
		c.AddFact("Commit", commitLink(p, after))
		c.AddLink("Compare", compare)
		return posted("push", branch, c)
	case zeroSHA(before):
		c.Title = plural(count, "commit") + " pushed to new branch " + branch
		c.Subtitle = who(name) + " created branch " + code(branch) + " with " + plural(count, "commit") + p.in()
	default:
		c.Title = plural(count, "commit") + " pushed to " + branch
		c.Subtitle = who(name) + " pushed " + plural(count, "commit") + " to " + code(branch) + p.in()
	}
	c.TitleURL = compare
	if c.TitleURL == "" {
		c.TitleURL = tree
	}
	c.Summary = plainWho(name) + " pushed " + plural(count, "commit") + " to " + branch + p.inPlain()
	for i, cm := range commits {
		if i == maxCommits {
			break
		}
		c.Items = append(c.Items, commitItem(p, cm))
	}
	if more := count - len(c.Items); more > 0 {
		c.More = cardkit.Link("and "+plural(more, "more commit"), c.TitleURL)
	}
	c.AddFact("Authors", authors(commits, name))
	c.AddLink("Compare", compare)
	return posted("push", branch, c)
}

func tagPush(root value, tag string) connector.Output {
	p := projectOf(root)
	name := actor(root)
	c := &cardkit.Card{Color: cardkit.Accent}
	if zeroSHA(root.get("after").str()) {
		c.Title = "Tag " + tag + " deleted"
		c.TitleURL = p.path("-", "tags")
		c.Subtitle = who(name) + " deleted tag " + code(tag) + p.in()
		c.Summary = plainWho(name) + " deleted tag " + tag + p.inPlain()
		c.Color = cardkit.Warning
		return posted("tag_push", "", c)
	}
	c.Title = "Tag " + tag + " pushed"
	c.TitleURL = p.path("-", "tags", pathEscape(tag))
	c.Subtitle = who(name) + " pushed tag " + code(tag) + p.in()
	c.Summary = plainWho(name) + " pushed tag " + tag + p.inPlain()
	c.Text = description(root.get("message").raw(), 500)
	c.AddFact("Commit", commitLink(p, root.first("checkout_sha", "after")))
	return posted("tag_push", "", c)
}

// commitLink is a commit's short id linked to its page.
func commitLink(p project, sha string) string {
	if sha == "" || zeroSHA(sha) {
		return ""
	}
	return cardkit.Link(shortSHA(sha), p.path("-", "commit", sha))
}

// commitItem is one line of a push card: short id, subject and author.
func commitItem(p project, cm value) string {
	id := cm.get("id").str()
	u := cm.get("url").str()
	if u == "" && id != "" {
		u = p.path("-", "commit", id)
	}
	subject := cm.get("title").str()
	if subject == "" {
		subject = cardkit.FirstLine(cm.get("message").raw())
	}
	short := shortSHA(id)
	if short == "" {
		short = "commit"
	}
	line := cardkit.Link(short, u)
	if subject != "" {
		line += " " + cardkit.MD(cardkit.Truncate(subject, 100))
	}
	if a := cm.get("author", "name").str(); a != "" {
		line += " — " + cardkit.MD(a)
	}
	return line
}

// authors names the commits' authors with their counts, most commits first,
// when someone other than the pusher wrote any of them.
func authors(commits []value, pusher string) string {
	type author struct {
		name string
		n    int
	}
	var list []author
	others := false
	for _, cm := range commits {
		a := cm.get("author", "name").str()
		if a == "" {
			continue
		}
		if a != pusher {
			others = true
		}
		i := slices.IndexFunc(list, func(x author) bool { return x.name == a })
		if i < 0 {
			list = append(list, author{a, 0})
			i = len(list) - 1
		}
		list[i].n++
	}
	if !others {
		return ""
	}
	slices.SortStableFunc(list, func(a, b author) int { return b.n - a.n })
	var parts []string
	rest := 0
	for i, a := range list {
		if i >= 4 {
			rest += a.n
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", cardkit.MD(a.name), a.n))
	}
	if rest > 0 {
		parts = append(parts, fmt.Sprintf("others (%d)", rest))
	}
	return strings.Join(parts, ", ")
}

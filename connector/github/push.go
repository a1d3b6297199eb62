package github

import (
	"slices"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/connector/cardkit"
)

// maxCommits is how many commits a push card lists, as cardkit shows.
const maxCommits = 10

// refName splits a full ref into its short name and kind: "branch", "tag"
// or "ref" for anything else (notes, pull request refs).
func refName(ref string) (name, kind string) {
	if n, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		return n, "branch"
	}
	if n, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		return n, "tag"
	}
	return ref, "ref"
}

// push is commits pushed to a branch, or a branch or tag created, moved
// or deleted by a push.
func push(p *payload) reply {
	if p.Ref == "" {
		return ignore("push without a ref")
	}
	name, kind := refName(p.Ref)
	var branch string
	if kind == "branch" {
		branch = name // tags are not branches
	}
	c := &cardkit.Card{
		Title:    titleCase(kind) + " " + name,
		TitleURL: firstURL(p.Compare, p.treeURL(name)),
		Color:    cardkit.Accent,
	}
	n := len(p.Commits)
	commits := plural(n, "commit", "commits")
	ref := kind + " " + name // how the summary names the ref
	s := p.says()
	switch {
	case p.Deleted:
		s.say(" deleted ").obj("the "+kind, ref).repo("from", p)
	case kind == "tag":
		s.say(" pushed ").obj("a new tag", "tag "+name).repo("to", p)
		c.TitleURL = firstURL(p.treeURL(name), p.Compare)
		c.Color = cardkit.Good
	case p.Created:
		s.say(" created ").obj("the "+kind, ref)
		if n > 0 {
			s.say(" with " + commits)
		}
		s.repo("in", p)
		c.Color = cardkit.Good
	case p.Forced && n > 0:
		s.say(" force-pushed "+commits+" to ").obj("the "+kind, ref).repo("in", p)
		c.Color = cardkit.Warning
	case p.Forced:
		s.say(" force-pushed ").obj("the "+kind, ref).say(" to ").commit(p, p.After).repo("in", p)
		c.Color = cardkit.Warning
	case n > 0:
		s.say(" pushed "+commits+" to ").obj("the "+kind, ref).repo("in", p)
	default:
		s.say(" moved ").obj("the "+kind, ref).say(" to ").commit(p, p.After).repo("in", p)
	}
	s.fill(c)
	if p.Created && kind == "branch" && p.BaseRef != "" {
		base, _ := refName(p.BaseRef)
		c.AddFact("From", base)
	}
	if !p.Deleted {
		c.Items, c.More = p.commitItems(p.Commits)
		c.AddFact("Authors", authors(p.Commits, p.actor()))
	}
	return reply{card: c, branch: branch}
}

// commitItems lists the first commits, each as its linked short SHA, the
// subject and the author, and says how many more there are.
func (p *payload) commitItems(commits []commit) (items []string, more string) {
	for _, c := range commits[:min(len(commits), maxCommits)] {
		item := cardkit.Link(short(c.ID), firstURL(c.URL, p.commitURL(c.ID)))
		if s := oneLine(c.Message); s != "" {
			item += " " + cardkit.MD(s)
		}
		if a := authorName(c); a != "" {
			item += " (" + cardkit.MD(a) + ")"
		}
		items = append(items, item)
	}
	if rest := len(commits) - maxCommits; rest > 0 {
		more = cardkit.Link("and "+plural(rest, "more commit", "more commits"), safeURL(p.Compare))
	}
	return items, more
}

func authorName(c commit) string {
	if c.Author.Name != "" {
		return c.Author.Name
	}
	return c.Author.Username
}

// authors counts commits by author, most first: "Tomasz (3), Ben (2) and
// others (1)". It is empty when the pusher wrote every commit.
func authors(commits []commit, pusher string) string {
	type count struct {
		name string
		n    int
	}
	var counts []count
	others := false
	for _, c := range commits {
		a := authorName(c)
		if a != pusher && c.Author.Username != pusher {
			others = true
		}
		i := slices.IndexFunc(counts, func(x count) bool { return x.name == a })
		if i < 0 {
			counts = append(counts, count{a, 0})
			i = len(counts) - 1
		}
		counts[i].n++
	}
	if !others {
		return ""
	}
	slices.SortStableFunc(counts, func(a, b count) int { return b.n - a.n })
	const shown = 3
	var list []string
	rest := 0
	for i, c := range counts {
		if i >= shown || c.name == "" {
			rest += c.n
			continue
		}
		list = append(list, c.name+" ("+strconv.Itoa(c.n)+")")
	}
	if rest > 0 {
		list = append(list, "others ("+strconv.Itoa(rest)+")")
	}
	return joinAnd(list)
}

func titleCase(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// createEvent is a branch or tag created (the create event).
func createEvent(p *payload) reply {
	return refEvent(p, "created", cardkit.Good)
}

// deleteEvent is a branch or tag deleted (the delete event).
func deleteEvent(p *payload) reply {
	return refEvent(p, "deleted", cardkit.Accent)
}

func refEvent(p *payload, verb, color string) reply {
	if p.Ref == "" {
		return ignore("no ref in the payload")
	}
	kind := p.RefType
	if kind != "branch" && kind != "tag" {
		kind = "ref"
	}
	name, _ := refName(p.Ref)
	c := &cardkit.Card{Title: titleCase(kind) + " " + name, Color: color}
	prep := "in"
	if verb == "deleted" {
		prep = "from"
	}
	p.says().say(" "+verb+" ").obj("a "+kind, kind+" "+name).repo(prep, p).fill(c)
	if verb == "created" {
		c.TitleURL = p.treeURL(name)
	}
	var branch string
	if kind == "branch" {
		branch = name
	}
	return reply{card: c, branch: branch}
}

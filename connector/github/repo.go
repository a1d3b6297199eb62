package github

import (
	"slices"
	"strconv"

	"github.com/heraldhq/herald/connector/cardkit"
)

// releaseEvent is a release published, unpublished or deleted.
func releaseEvent(p *payload) reply {
	rel := p.Release
	if rel == nil || (rel.TagName == "" && rel.Name == "") {
		return ignore("no release in the payload")
	}
	name := oneLine(rel.Name)
	if name == "" {
		name = rel.TagName
	}
	kind := "release"
	if rel.Prerelease {
		kind = "pre-release"
	}
	c := &cardkit.Card{Title: titleCase(kind) + " " + name, TitleURL: safeURL(rel.HTMLURL), Color: cardkit.Good}
	s := p.says()
	switch p.Action {
	case "published":
		s.say(" published ").obj("a "+kind, kind+" "+name)
		c.Text = excerpt(rel.Body)
	case "unpublished":
		s.say(" unpublished ").obj("a "+kind, kind+" "+name)
		c.Color = cardkit.Warning
	case "deleted":
		s.say(" deleted ").obj("a "+kind, kind+" "+name)
		c.Color = cardkit.Attention
		c.TitleURL = ""
	case "created", "released", "prereleased":
		// GitHub sends these beside "published" for the same release
		// (or for drafts, which only collaborators see).
		return ignore("release." + p.Action + " is posted as release.published")
	default:
		return ignore("action not covered: release." + p.Action)
	}
	s.repo("in", p).fill(c)
	c.AddFact("Tag", rel.TagName)
	if rel.TargetCommitish != "" && !isHex(rel.TargetCommitish) {
		c.AddFact("Target", rel.TargetCommitish)
	}
	return reply{card: c}
}

// repoCard is a card about the repository itself.
func repoCard(p *payload, color string) *cardkit.Card {
	return &cardkit.Card{Title: p.repoName(), TitleURL: p.repoURL(), Color: color}
}

func hasRepo(p *payload) bool { return p.repoName() != "" }

// forkEvent is the repository forked; the card links the fork.
func forkEvent(p *payload) reply {
	f := p.Forkee
	if f == nil || f.FullName == "" {
		return ignore("no fork in the payload")
	}
	c := &cardkit.Card{Title: f.FullName, TitleURL: safeURL(f.HTMLURL), Color: cardkit.Accent}
	s := p.says().say(" forked ")
	if hasRepo(p) {
		s.link(p.repoName(), p.repoURL())
	} else {
		s.say("a repository")
	}
	s.say(" to ").obj("this fork", f.FullName).fill(c)
	if p.Repository != nil && p.Repository.Stargazers > 0 {
		c.AddFact("Stars", strconv.Itoa(p.Repository.Stargazers))
	}
	return reply{card: c}
}

// watchEvent is a star: GitHub's watch event predates "star" and means it.
func watchEvent(p *payload) reply {
	if p.Action != "" && p.Action != "started" {
		return ignore("action not covered: watch." + p.Action)
	}
	return starred(p, true)
}

// starEvent is a star added or removed.
func starEvent(p *payload) reply {
	switch p.Action {
	case "created":
		return starred(p, true)
	case "deleted":
		return starred(p, false)
	}
	return ignore("action not covered: star." + p.Action)
}

func starred(p *payload, on bool) reply {
	if !hasRepo(p) {
		return ignore("no repository in the payload")
	}
	c := repoCard(p, cardkit.Accent)
	verb := " starred "
	if !on {
		verb = " unstarred "
	}
	p.says().say(verb).obj("the repository", p.repoName()).fill(c)
	if p.Repository.Stargazers > 0 {
		c.AddFact("Stars", strconv.Itoa(p.Repository.Stargazers))
	}
	return reply{card: c}
}

// publicEvent is a private repository made public.
func publicEvent(p *payload) reply {
	if !hasRepo(p) {
		return ignore("no repository in the payload")
	}
	c := repoCard(p, cardkit.Good)
	p.says().say(" made ").obj("the repository", p.repoName()).say(" public").fill(c)
	return reply{card: c}
}

// repositoryEvent is a repository created, deleted, archived, renamed,
// transferred or made public or private.
func repositoryEvent(p *payload) reply {
	if !hasRepo(p) {
		return ignore("no repository in the payload")
	}
	c := repoCard(p, cardkit.Accent)
	s := p.says()
	repo := func() *sentence { return s.obj("the repository", "repository "+p.repoName()) }
	switch p.Action {
	case "created":
		s.say(" created ")
		repo()
		c.Color = cardkit.Good
	case "deleted":
		s.say(" deleted ")
		repo()
		c.Color = cardkit.Attention
		c.TitleURL = ""
	case "archived":
		s.say(" archived ")
		repo()
		c.Color = cardkit.Warning
	case "unarchived":
		s.say(" unarchived ")
		repo()
	case "edited":
		s.say(" edited the settings of ")
		repo()
	case "renamed":
		s.say(" renamed ")
		repo()
		if old, ok := p.Changes.from("repository", "name"); ok {
			c.AddFact("Old name", old)
		}
	case "transferred":
		s.say(" transferred ")
		repo()
		s.say(" to its new owner")
	case "publicized":
		s.say(" made ")
		repo().say(" public")
	case "privatized":
		s.say(" made ")
		repo().say(" private")
	default:
		return ignore("action not covered: repository." + p.Action)
	}
	s.fill(c)
	return reply{card: c}
}

// teamCard is a card about a team.
func teamCard(t *team) *cardkit.Card {
	return &cardkit.Card{Title: "Team " + t.Name, TitleURL: safeURL(t.HTMLURL), Color: cardkit.Accent}
}

func (p *payload) org() string { return login(p.Organization) }

// memberEvent is a collaborator added to, removed from or given other
// permissions on the repository.
func memberEvent(p *payload) reply {
	m := p.Member
	if login(m) == "" {
		return ignore("no member in the payload")
	}
	c := &cardkit.Card{Title: "Collaborator " + m.Login, TitleURL: safeURL(m.HTMLURL), Color: cardkit.Accent}
	s := p.says()
	switch p.Action {
	case "added":
		s.say(" added ").link(m.Login, safeURL(m.HTMLURL)).say(" as a collaborator").repo("to", p)
		c.Color = cardkit.Good
	case "removed":
		s.say(" removed ").link(m.Login, safeURL(m.HTMLURL)).say(" as a collaborator").repo("from", p)
	case "edited":
		s.say(" changed the permissions of ").link(m.Login, safeURL(m.HTMLURL)).repo("on", p)
		old, _ := p.Changes.from("permission")
		if old == "" {
			old, _ = p.Changes.from("old_permission")
		}
		c.AddFact("Old permission", old)
		now, _ := p.Changes.to("permission")
		c.AddFact("New permission", now)
	default:
		return ignore("action not covered: member." + p.Action)
	}
	s.fill(c)
	return reply{card: c}
}

// membershipEvent is a user added to or removed from a team.
func membershipEvent(p *payload) reply {
	if login(p.Member) == "" || p.Team == nil || p.Team.Name == "" {
		return ignore("no team membership in the payload")
	}
	m := p.Member
	c := teamCard(p.Team)
	s := p.says()
	switch p.Action {
	case "added":
		s.say(" added ").link(m.Login, safeURL(m.HTMLURL)).say(" to ")
		c.Color = cardkit.Good
	case "removed":
		s.say(" removed ").link(m.Login, safeURL(m.HTMLURL)).say(" from ")
	default:
		return ignore("action not covered: membership." + p.Action)
	}
	s.obj("the team", "team "+p.Team.Name)
	if p.org() != "" {
		s.say(" in ").name(p.org())
	}
	s.fill(c)
	return reply{card: c}
}

// teamEvent is a team created, deleted, edited, or given or denied access
// to a repository.
func teamEvent(p *payload) reply {
	t := p.Team
	if t == nil || t.Name == "" {
		return ignore("no team in the payload")
	}
	c := teamCard(t)
	s := p.says()
	theTeam := func() *sentence { return s.obj("the team", "team "+t.Name) }
	switch p.Action {
	case "created":
		s.say(" created ")
		theTeam()
		c.Color = cardkit.Good
		c.Text = excerpt(t.Description)
	case "deleted":
		s.say(" deleted ")
		theTeam()
		c.Color = cardkit.Attention
		c.TitleURL = ""
	case "added_to_repository":
		s.say(" gave ")
		theTeam().say(" access").repo("to", p)
	case "removed_from_repository":
		s.say(" removed ").obj("the team's", "team "+t.Name+"'s").say(" access").repo("to", p)
	case "edited":
		teamEdited(p, s, c)
	default:
		return ignore("action not covered: team." + p.Action)
	}
	if p.org() != "" && p.Action != "added_to_repository" && p.Action != "removed_from_repository" {
		s.say(" in ").name(p.org())
	}
	s.fill(c)
	return reply{card: c}
}

// teamEdited says what an edit of a team changed: its name, description,
// visibility or repository permissions, or else which fields.
func teamEdited(p *payload, s *sentence, c *cardkit.Card) {
	t := p.Team
	theTeam := func() *sentence { return s.obj("the team", "team "+t.Name) }
	old, renamed := p.Changes.from("name")
	_, described := p.Changes.from("description")
	oldPrivacy, private := p.Changes.from("privacy")
	_, permissions := p.Changes["repository"]
	switch {
	case renamed:
		s.say(" renamed ").obj("the team", "team "+old).say(" to ").name(t.Name)
	case private:
		s.say(" changed the visibility of ")
		theTeam().say(" to ").name(t.Privacy)
	case described:
		s.say(" changed the description of ")
		theTeam()
	case permissions:
		s.say(" changed the permissions of ")
		theTeam().repo("on", p)
	default:
		s.say(" edited ")
		theTeam()
	}
	if renamed {
		c.AddFact("Old name", old)
	}
	if private {
		c.AddFact("Visibility", oldPrivacy+" → "+t.Privacy)
	}
	if described {
		c.Text = excerpt(t.Description)
	}
	if !renamed && !private && !described && !permissions {
		var keys []string
		for k := range p.Changes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		c.AddFact("Changed", joinAnd(keys))
	}
}

// teamAddEvent is a repository added to a team.
func teamAddEvent(p *payload) reply {
	if p.Team == nil || p.Team.Name == "" || !hasRepo(p) {
		return ignore("no team or repository in the payload")
	}
	c := teamCard(p.Team)
	p.says().say(" added ").link(p.repoName(), p.repoURL()).say(" to ").obj("the team", "team "+p.Team.Name).fill(c)
	return reply{card: c}
}

// gollumEvent is wiki pages created or edited.
func gollumEvent(p *payload) reply {
	var items []string
	for _, pg := range p.Pages {
		if pg.Title == "" {
			continue
		}
		items = append(items, cardkit.MD(pg.Action)+" "+cardkit.Link(pg.Title, safeURL(pg.HTMLURL)))
	}
	if len(items) == 0 {
		return ignore("no wiki pages in the payload")
	}
	wiki := ""
	if p.repoURL() != "" {
		wiki = p.repoURL() + "/wiki"
	}
	c := &cardkit.Card{Title: "Wiki of " + p.repoName(), TitleURL: wiki, Color: cardkit.Accent, Items: items}
	if !hasRepo(p) {
		c.Title = "Wiki"
	}
	p.says().say(" updated "+plural(len(items), "wiki page", "wiki pages")).repo("in", p).fill(c)
	if len(items) > maxCommits {
		c.More = "and " + plural(len(items)-maxCommits, "more page", "more pages")
		c.Items = items[:maxCommits]
	}
	return reply{card: c}
}

// Package gitea translates Gitea webhooks into cards. Forgejo and Gogs send
// the same payloads under their own headers (X-Forgejo-Event, X-Gogs-Event),
// so one translator serves all three.
//
// The event comes from X-Gitea-Event (or X-Forgejo-Event, X-Gogs-Event);
// X-Gitea-Event-Type (X-Forgejo-Event-Type) refines it where the coarse name
// is shared, as for pull request reviews. Covered: push, create, delete,
// issues, issue_comment, pull_request, pull request reviews, release, fork
// and repository. Anything else is answered and ignored.
package gitea

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// Events are the event names Translate gives (Output.Event is one of them
// or "<name>.<action>"), for the catalog and per-connection event filters.
var Events = []string{
	"push", "create", "delete", "issues", "issue_comment",
	"pull_request", "pull_request_review", "release", "fork", "repository",
}

// Limits on what a card shows of long texts.
const (
	maxBody    = 500  // issue and pull request descriptions, release notes
	maxComment = 1000 // comments and reviews
	maxCommits = 10   // commits listed for a push
)

type user struct {
	Login    string `json:"login"`
	Username string `json:"username"` // Gogs, and older Gitea
	FullName string `json:"full_name"`
}

// name is how the card names a user: the login, which is what mentions
// and URLs use.
func (u *user) name() string {
	if u == nil {
		return ""
	}
	for _, s := range []string{u.Login, u.Username, u.FullName} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

type repository struct {
	FullName string `json:"full_name"`
	Name     string `json:"name"`
	HTMLURL  string `json:"html_url"`
	Fork     bool   `json:"fork"`
}

func (r *repository) name() string {
	if r == nil {
		return ""
	}
	if r.FullName != "" {
		return r.FullName
	}
	return r.Name
}

func (r *repository) url() string {
	if r == nil {
		return ""
	}
	return strings.TrimRight(safeURL(r.HTMLURL), "/")
}

type commit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	URL     string `json:"url"`
	Author  struct {
		Name     string `json:"name"`
		Username string `json:"username"`
	} `json:"author"`
}

type label struct {
	Name string `json:"name"`
}

type milestone struct {
	Title string `json:"title"`
}

type issue struct {
	Number      int64      `json:"number"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	HTMLURL     string     `json:"html_url"`
	Labels      []label    `json:"labels"`
	Assignee    *user      `json:"assignee"`
	Assignees   []user     `json:"assignees"`
	Milestone   *milestone `json:"milestone"`
	PullRequest *struct {
		HTMLURL string `json:"html_url"`
	} `json:"pull_request"`
}

type branchRef struct {
	Ref  string      `json:"ref"`
	Repo *repository `json:"repo"`
}

type pullRequest struct {
	Number     int64      `json:"number"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	HTMLURL    string     `json:"html_url"`
	Merged     bool       `json:"merged"`
	Labels     []label    `json:"labels"`
	Assignee   *user      `json:"assignee"`
	Assignees  []user     `json:"assignees"`
	Milestone  *milestone `json:"milestone"`
	Base       branchRef  `json:"base"`
	Head       branchRef  `json:"head"`
	BaseBranch string     `json:"base_branch"` // Gogs
	HeadBranch string     `json:"head_branch"` // Gogs
}

type payload struct {
	Action string `json:"action"`
	Number int64  `json:"number"`

	// push, create, delete
	Ref          string   `json:"ref"`
	RefType      string   `json:"ref_type"`
	Before       string   `json:"before"`
	After        string   `json:"after"`
	CompareURL   string   `json:"compare_url"`
	Commits      []commit `json:"commits"`
	TotalCommits int      `json:"total_commits"`
	Pusher       *user    `json:"pusher"`

	Repository *repository `json:"repository"`
	Forkee     *repository `json:"forkee"`
	Sender     *user       `json:"sender"`

	Issue   *issue `json:"issue"`
	IsPull  bool   `json:"is_pull"`
	Comment *struct {
		HTMLURL string `json:"html_url"`
		Body    string `json:"body"`
		User    *user  `json:"user"`
	} `json:"comment"`

	PullRequest       *pullRequest `json:"pull_request"`
	RequestedReviewer *user        `json:"requested_reviewer"`
	Review            *struct {
		Type    string `json:"type"`
		Content string `json:"content"`
	} `json:"review"`

	Release *struct {
		TagName         string `json:"tag_name"`
		Name            string `json:"name"`
		Body            string `json:"body"`
		HTMLURL         string `json:"html_url"`
		TargetCommitish string `json:"target_commitish"`
		Draft           bool   `json:"draft"`
		Prerelease      bool   `json:"prerelease"`
		Author          *user  `json:"author"`
	} `json:"release"`
}

// actor is who did it: the sender, else the pusher.
func (p *payload) actor() string {
	if n := p.Sender.name(); n != "" {
		return n
	}
	if n := p.Pusher.name(); n != "" {
		return n
	}
	return "Someone"
}

// where is the markdown "in owner/repo" tail of a subtitle.
func (p *payload) where() string {
	if p.Repository.name() == "" {
		return ""
	}
	return " in " + cardkit.Link(p.Repository.name(), p.Repository.url())
}

// Translate turns one Gitea, Forgejo or Gogs delivery into cards.
func Translate(d connector.Delivery) (connector.Output, error) {
	var p payload
	if err := json.Unmarshal(d.Body, &p); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return connector.Output{}, fmt.Errorf("gitea: the body is not JSON: %v", err)
		}
		// Unmarshal skips a field of an unexpected type (or a body that is
		// not an object) and decodes the rest: translate what there is.
	}
	event, typ := eventOf(d)
	if event == "" {
		return connector.Output{Ignored: "no X-Gitea-Event, X-Forgejo-Event or X-Gogs-Event header"}, nil
	}
	if !word.MatchString(event) {
		return connector.Output{Ignored: "unknown event header"}, nil
	}
	// The action names the event in the delivery log and filters: keep it
	// only when it is a name.
	p.Action = strings.ToLower(strings.TrimSpace(p.Action))
	if !word.MatchString(p.Action) {
		p.Action = ""
	}
	switch {
	case event == "push":
		return push(&p)
	case event == "create" || event == "delete":
		return ref(&p, event)
	case event == "issues":
		return issues(&p)
	case event == "issue_comment":
		return comment(&p)
	case isReview(event, typ):
		return review(&p, event, typ)
	case event == "pull_request":
		return pull(&p)
	case event == "release":
		return release(&p)
	case event == "fork":
		return fork(&p)
	case event == "repository":
		return repo(&p)
	}
	return connector.Output{Event: event, Ignored: "event not covered: " + event}, nil
}

// word is what an event or action name looks like.
var word = regexp.MustCompile(`^[a-z][a-z_]{0,39}$`)

// eventOf reads the event headers: the coarse event and its refinement.
func eventOf(d connector.Delivery) (event, typ string) {
	for _, h := range []string{"X-Gitea-Event", "X-Forgejo-Event", "X-Gogs-Event"} {
		if v := strings.TrimSpace(d.Header.Get(h)); v != "" {
			event = strings.ToLower(v)
			break
		}
	}
	for _, h := range []string{"X-Gitea-Event-Type", "X-Forgejo-Event-Type"} {
		if v := strings.TrimSpace(d.Header.Get(h)); v != "" {
			typ = strings.ToLower(v)
			break
		}
	}
	return event, typ
}

// Review events: X-Gitea-Event names them pull_request_approved,
// pull_request_rejected and pull_request_comment; X-Gitea-Event-Type says
// pull_request_review_approved, _rejected and _comment. (A plain comment on
// a pull request is X-Gitea-Event issue_comment with Event-Type
// pull_request_comment, handled as a comment before this is asked.)
func isReview(event, typ string) bool {
	switch event {
	case "pull_request_approved", "pull_request_rejected", "pull_request_comment", "pull_request_review":
		return true
	}
	switch typ {
	case "pull_request_review_approved", "pull_request_review_rejected", "pull_request_review_comment":
		return true
	}
	return false
}

func push(p *payload) (connector.Output, error) {
	out := connector.Output{Event: "push"}
	if strings.HasPrefix(p.Ref, "refs/tags/") {
		out.Ignored = "tag push (the create event reports new tags)"
		return out, nil
	}
	branch := strings.TrimPrefix(p.Ref, "refs/heads/")
	if branch == "" {
		out.Ignored = "push without a ref"
		return out, nil
	}
	out.Branch = branch
	if isZeroSHA(p.After) {
		out.Ignored = "branch deleted (the delete event reports it)"
		return out, nil
	}
	total := max(p.TotalCommits, len(p.Commits))
	if total == 0 && isZeroSHA(p.Before) {
		out.Ignored = "new branch without new commits (the create event reports it)"
		return out, nil
	}
	actor := p.actor()
	compare := safeURL(p.CompareURL)
	c := cardkit.Card{Color: cardkit.Accent, TitleURL: compare}
	where := branch
	if r := p.Repository.name(); r != "" {
		where = r + ":" + branch
	}
	switch total {
	case 0:
		c.Title = "Pushed to " + branch
		c.Summary = fmt.Sprintf("%s pushed to %s", actor, where)
	case 1:
		c.Title = "1 new commit on " + branch
		c.Summary = fmt.Sprintf("%s pushed 1 commit to %s", actor, where)
	default:
		c.Title = fmt.Sprintf("%d new commits on %s", total, branch)
		c.Summary = fmt.Sprintf("%s pushed %d commits to %s", actor, total, where)
	}
	c.Subtitle = bold(actor) + " pushed to " + cardkit.MD(branch) + p.where()
	for i, cm := range p.Commits {
		if i == maxCommits {
			break
		}
		c.Items = append(c.Items, commitLine(cm))
	}
	if rest := total - len(c.Items); rest > 0 && len(c.Items) > 0 {
		more := fmt.Sprintf("and %d more commit%s", rest, plural(rest))
		c.More = cardkit.Link(more, compare)
	}
	c.AddLink("Compare changes", compare)
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

// commitLine is one commit of a push: short id (linked), subject, author.
func commitLine(cm commit) string {
	id := cm.ID
	if len(id) > 7 {
		id = id[:7]
	}
	line := cardkit.MD(cardkit.Truncate(cardkit.FirstLine(cm.Message), 120))
	if id != "" {
		line = cardkit.Link(id, safeURL(cm.URL)) + " " + line
	}
	author := cm.Author.Name
	if author == "" {
		author = cm.Author.Username
	}
	if author != "" {
		line += " — " + cardkit.MD(author)
	}
	return line
}

func ref(p *payload, event string) (connector.Output, error) {
	out := connector.Output{Event: event}
	kind := p.RefType
	name := p.Ref
	switch {
	case strings.HasPrefix(name, "refs/heads/"):
		name, kind = strings.TrimPrefix(name, "refs/heads/"), "branch"
	case strings.HasPrefix(name, "refs/tags/"):
		name, kind = strings.TrimPrefix(name, "refs/tags/"), "tag"
	}
	if name == "" {
		out.Ignored = event + " without a ref"
		return out, nil
	}
	if kind == "" {
		kind = "ref"
	}
	if kind == "branch" {
		out.Branch = name
	}
	actor := p.actor()
	verb := "created"
	c := cardkit.Card{Color: cardkit.Accent}
	if event == "delete" {
		verb = "deleted"
		c.Color = cardkit.Warning
	} else if base := p.Repository.url(); base != "" {
		// /src/<ref> resolves branches and tags alike.
		c.TitleURL = base + "/src/" + escapePath(name)
	}
	c.Title = capital(kind) + " " + name + " " + verb
	c.Subtitle = bold(actor) + " " + verb + " " + kind + " " + cardkit.MD(name) + p.where()
	c.Summary = fmt.Sprintf("%s %s %s %s%s", actor, verb, kind, name, plainWhere(p.Repository))
	c.AddLink("Open repository", p.Repository.url())
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

// actionPhrase says what an issues or pull_request action did, for the
// subtitle (markdown) and the summary (plain). noun is "issue #3" or
// "pull request #3".
func actionPhrase(action, noun string, assignees []user, ms *milestone, reviewer *user) (md, plain string) {
	switch action {
	case "assigned":
		who := names(assignees)
		if who == "" {
			return "assigned " + cardkit.MD(noun), "assigned " + noun
		}
		return "assigned " + cardkit.MD(noun) + " to " + boldList(assignees), "assigned " + noun + " to " + who
	case "unassigned":
		return "unassigned " + cardkit.MD(noun), "unassigned " + noun
	case "label_updated":
		return "updated the labels of " + cardkit.MD(noun), "updated the labels of " + noun
	case "label_cleared":
		return "cleared the labels of " + cardkit.MD(noun), "cleared the labels of " + noun
	case "milestoned":
		if ms != nil && ms.Title != "" {
			return "added " + cardkit.MD(noun) + " to milestone " + bold(ms.Title), "added " + noun + " to milestone " + ms.Title
		}
		return "set the milestone of " + cardkit.MD(noun), "set the milestone of " + noun
	case "demilestoned":
		return "removed the milestone of " + cardkit.MD(noun), "removed the milestone of " + noun
	case "synchronized":
		return "pushed new commits to " + cardkit.MD(noun), "pushed new commits to " + noun
	case "review_requested":
		if r := reviewer.name(); r != "" {
			return "requested a review from " + bold(r) + " on " + cardkit.MD(noun), "requested a review from " + r + " on " + noun
		}
		return "requested a review on " + cardkit.MD(noun), "requested a review on " + noun
	case "review_request_removed":
		return "removed a review request on " + cardkit.MD(noun), "removed a review request on " + noun
	case "":
		return "updated " + cardkit.MD(noun), "updated " + noun
	}
	verb := strings.ReplaceAll(action, "_", " ")
	return cardkit.MD(verb) + " " + cardkit.MD(noun), verb + " " + noun
}

func issues(p *payload) (connector.Output, error) {
	is := p.Issue
	if is == nil || (is.Number == 0 && is.Title == "") {
		return connector.Output{Event: "issues", Ignored: "issues event without an issue"}, nil
	}
	out := connector.Output{Event: "issues" + dot(p.Action)}
	num := is.Number
	if num == 0 {
		num = p.Number
	}
	noun := fmt.Sprintf("issue #%d", num)
	actor := p.actor()
	md, plain := actionPhrase(p.Action, noun, assigneesOf(is.Assignees, is.Assignee), is.Milestone, nil)
	c := cardkit.Card{
		Color:    issueColor(p.Action, false),
		Title:    fmt.Sprintf("#%d %s", num, is.Title),
		TitleURL: issueURL(p, is, num),
		Subtitle: bold(actor) + " " + md + p.where(),
		Summary:  actor + " " + plain + plainWhere(p.Repository) + ": " + is.Title,
	}
	if p.Action == "opened" || p.Action == "edited" {
		c.Text = cardkit.Truncate(strings.TrimSpace(is.Body), maxBody)
	}
	addIssueFacts(&c, p.Action, is.Labels, assigneesOf(is.Assignees, is.Assignee), is.Milestone)
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

// addIssueFacts adds the facts an action concerns, or all the set ones
// when an issue or pull request is opened.
func addIssueFacts(c *cardkit.Card, action string, labels []label, assignees []user, ms *milestone) {
	opened := action == "opened"
	if opened || action == "label_updated" {
		var ls []string
		for _, l := range labels {
			if l.Name != "" {
				ls = append(ls, cardkit.MD(l.Name))
			}
		}
		c.AddFact("Labels", strings.Join(ls, ", "))
	}
	if opened {
		c.AddFact("Assignees", cardkit.MD(names(assignees)))
		if ms != nil {
			c.AddFact("Milestone", cardkit.MD(ms.Title))
		}
	}
}

func comment(p *payload) (connector.Output, error) {
	is := p.Issue
	cm := p.Comment
	if is == nil || cm == nil || (is.Number == 0 && is.Title == "") {
		return connector.Output{Event: "issue_comment", Ignored: "comment event without an issue or comment"}, nil
	}
	out := connector.Output{Event: "issue_comment" + dot(p.Action)}
	kind := "issue"
	if p.IsPull || is.PullRequest != nil {
		kind = "pull request"
	}
	noun := fmt.Sprintf("%s #%d", kind, is.Number)
	actor := p.actor()
	if p.Sender.name() == "" && cm.User.name() != "" {
		actor = cm.User.name()
	}
	var verb string
	switch p.Action {
	case "edited":
		verb = "edited a comment on"
	case "deleted":
		verb = "deleted a comment on"
	default:
		verb = "commented on"
	}
	c := cardkit.Card{
		Color:    cardkit.Accent,
		Title:    fmt.Sprintf("#%d %s", is.Number, is.Title),
		TitleURL: issueURL(p, is, is.Number),
		Subtitle: bold(actor) + " " + verb + " " + cardkit.MD(noun) + p.where(),
		Summary:  actor + " " + verb + " " + noun + plainWhere(p.Repository) + ": " + is.Title,
	}
	if p.Action != "deleted" {
		c.Text = cardkit.Truncate(strings.TrimSpace(cm.Body), maxComment)
		c.AddLink("View comment", safeURL(cm.HTMLURL))
	}
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

func pull(p *payload) (connector.Output, error) {
	pr := p.PullRequest
	if pr == nil || (pr.number(p) == 0 && pr.Title == "") {
		return connector.Output{Event: "pull_request", Ignored: "pull_request event without a pull request"}, nil
	}
	action := p.Action
	if action == "closed" && pr.Merged {
		action = "merged"
	}
	out := connector.Output{Event: "pull_request" + dot(action), Branch: pr.base()}
	num := pr.number(p)
	noun := fmt.Sprintf("pull request #%d", num)
	actor := p.actor()
	md, plain := actionPhrase(action, noun, assigneesOf(pr.Assignees, pr.Assignee), pr.Milestone, p.RequestedReviewer)
	c := cardkit.Card{
		Color:    issueColor(action, true),
		Title:    fmt.Sprintf("#%d %s", num, pr.Title),
		TitleURL: pr.url(p, num),
		Subtitle: bold(actor) + " " + md + p.where(),
		Summary:  actor + " " + plain + plainWhere(p.Repository) + ": " + pr.Title,
	}
	if action == "opened" || action == "edited" {
		c.Text = cardkit.Truncate(strings.TrimSpace(pr.Body), maxBody)
	}
	c.AddFact("Branches", pr.branches())
	addIssueFacts(&c, action, pr.Labels, assigneesOf(pr.Assignees, pr.Assignee), pr.Milestone)
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

func review(p *payload, event, typ string) (connector.Output, error) {
	pr := p.PullRequest
	if pr == nil || (pr.number(p) == 0 && pr.Title == "") {
		return connector.Output{Event: "pull_request_review", Ignored: "review event without a pull request"}, nil
	}
	kind := ""
	for _, s := range []string{typ, event} {
		switch {
		case strings.HasSuffix(s, "approved"):
			kind = "approved"
		case strings.HasSuffix(s, "rejected"):
			kind = "rejected"
		case strings.HasSuffix(s, "comment"):
			kind = "comment"
		}
		if kind != "" {
			break
		}
	}
	if kind == "" && p.Review != nil {
		switch {
		case strings.HasSuffix(p.Review.Type, "approved"):
			kind = "approved"
		case strings.HasSuffix(p.Review.Type, "rejected"):
			kind = "rejected"
		default:
			kind = "comment"
		}
	}
	if kind == "" {
		kind = "comment"
	}
	num := pr.number(p)
	noun := fmt.Sprintf("pull request #%d", num)
	var verb string
	c := cardkit.Card{Color: cardkit.Accent}
	switch kind {
	case "approved":
		verb, c.Color = "approved "+noun, cardkit.Good
	case "rejected":
		verb, c.Color = "requested changes on "+noun, cardkit.Attention
	default:
		verb = "reviewed " + noun
	}
	actor := p.actor()
	c.Title = fmt.Sprintf("#%d %s", num, pr.Title)
	c.TitleURL = pr.url(p, num)
	c.Subtitle = bold(actor) + " " + cardkit.MD(verb) + p.where()
	c.Summary = actor + " " + verb + plainWhere(p.Repository) + ": " + pr.Title
	if p.Review != nil {
		c.Text = cardkit.Truncate(strings.TrimSpace(p.Review.Content), maxComment)
	}
	c.AddFact("Branches", pr.branches())
	out := connector.Output{Event: "pull_request_review." + kind, Branch: pr.base()}
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

func release(p *payload) (connector.Output, error) {
	r := p.Release
	if r == nil || (r.TagName == "" && strings.TrimSpace(r.Name) == "") {
		return connector.Output{Event: "release", Ignored: "release event without a release"}, nil
	}
	out := connector.Output{Event: "release" + dot(p.Action)}
	if r.Draft {
		out.Ignored = "draft release"
		return out, nil
	}
	name := strings.TrimSpace(r.Name)
	if name == "" {
		name = r.TagName
	}
	link := safeURL(r.HTMLURL)
	if link == "" && p.Repository.url() != "" && r.TagName != "" && p.Action != "deleted" {
		link = p.Repository.url() + "/releases/tag/" + escapePath(r.TagName)
	}
	verb := p.Action
	if verb == "" {
		verb = "published"
	}
	kind := "release"
	if r.Prerelease {
		kind = "pre-release"
	}
	actor := p.actor()
	if p.Sender.name() == "" && r.Author.name() != "" {
		actor = r.Author.name()
	}
	c := cardkit.Card{
		Color:    cardkit.Accent,
		Title:    name,
		TitleURL: link,
		Subtitle: bold(actor) + " " + cardkit.MD(verb) + " " + kind + " " + cardkit.MD(name) + p.where(),
		Summary:  actor + " " + verb + " " + kind + " " + name + plainWhere(p.Repository),
	}
	if p.Action == "deleted" {
		c.Color = cardkit.Warning
		c.TitleURL = ""
	} else {
		c.Text = cardkit.Truncate(strings.TrimSpace(r.Body), maxBody)
	}
	c.AddFact("Tag", cardkit.MD(r.TagName))
	c.AddFact("Target", cardkit.MD(r.TargetCommitish))
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

// fork: Gitea's "forkee" is the repository that was forked and
// "repository" the new fork (GitHub has it the other way round; the fork
// flag tells them apart when a sender follows GitHub).
func fork(p *payload) (connector.Output, error) {
	orig, fk := p.Forkee, p.Repository
	if orig != nil && fk != nil && orig.Fork && !fk.Fork {
		orig, fk = fk, orig
	}
	if fk.name() == "" {
		return connector.Output{Event: "fork", Ignored: "fork event without the fork"}, nil
	}
	actor := p.actor()
	c := cardkit.Card{
		Color:    cardkit.Accent,
		Title:    "Forked to " + fk.name(),
		TitleURL: fk.url(),
		Subtitle: bold(actor) + " forked " + cardkit.Link(orig.name(), orig.url()) + " to " + cardkit.Link(fk.name(), fk.url()),
		Summary:  actor + " forked " + orig.name() + " to " + fk.name(),
	}
	if orig.name() == "" {
		c.Subtitle = bold(actor) + " created the fork " + cardkit.Link(fk.name(), fk.url())
		c.Summary = actor + " created the fork " + fk.name()
	}
	return connector.Output{Event: "fork", Cards: []connector.Card{c.Build()}}, nil
}

func repo(p *payload) (connector.Output, error) {
	out := connector.Output{Event: "repository" + dot(p.Action)}
	r := p.Repository
	if r.name() == "" {
		out.Ignored = "repository event without a repository"
		return out, nil
	}
	verb := p.Action
	if verb == "" {
		verb = "changed"
	}
	actor := p.actor()
	c := cardkit.Card{
		Color:    cardkit.Accent,
		Title:    "Repository " + r.name() + " " + verb,
		TitleURL: r.url(),
		Subtitle: bold(actor) + " " + cardkit.MD(verb) + " repository " + cardkit.Link(r.name(), r.url()),
		Summary:  actor + " " + verb + " repository " + r.name(),
	}
	if verb == "deleted" {
		c.Color, c.TitleURL = cardkit.Warning, ""
		c.Subtitle = bold(actor) + " deleted repository " + cardkit.MD(r.name())
	}
	out.Cards = []connector.Card{c.Build()}
	return out, nil
}

func (pr *pullRequest) number(p *payload) int64 {
	if pr.Number != 0 {
		return pr.Number
	}
	return p.Number
}

func (pr *pullRequest) url(p *payload, num int64) string {
	if u := safeURL(pr.HTMLURL); u != "" {
		return u
	}
	if base := p.Repository.url(); base != "" && num > 0 {
		return fmt.Sprintf("%s/pulls/%d", base, num)
	}
	return ""
}

// base is the target branch.
func (pr *pullRequest) base() string {
	if pr.Base.Ref != "" {
		return strings.TrimPrefix(pr.Base.Ref, "refs/heads/")
	}
	return pr.BaseBranch
}

func (pr *pullRequest) head() string {
	h := pr.HeadBranch
	if pr.Head.Ref != "" {
		h = strings.TrimPrefix(pr.Head.Ref, "refs/heads/")
	}
	// A branch of another repository (a fork) is named with its repository.
	if hr, br := pr.Head.Repo.name(), pr.Base.Repo.name(); h != "" && hr != "" && br != "" && hr != br {
		h = hr + ":" + h
	}
	return h
}

// branches is the "head → base" fact.
func (pr *pullRequest) branches() string {
	head, base := pr.head(), pr.base()
	if head == "" || base == "" {
		return ""
	}
	return cardkit.MD(head) + " → " + cardkit.MD(base)
}

// issueURL links an issue; payloads of older Gitea and of Gogs have no
// html_url, and /issues/<n> also leads to a pull request.
func issueURL(p *payload, is *issue, num int64) string {
	if u := safeURL(is.HTMLURL); u != "" {
		return u
	}
	if base := p.Repository.url(); base != "" && num > 0 {
		return fmt.Sprintf("%s/issues/%d", base, num)
	}
	return ""
}

func issueColor(action string, isPull bool) string {
	switch action {
	case "merged":
		return cardkit.Good
	case "closed":
		if isPull {
			return cardkit.Warning
		}
		return cardkit.Good
	case "deleted":
		return cardkit.Warning
	}
	return cardkit.Accent
}

func assigneesOf(list []user, one *user) []user {
	if len(list) == 0 && one != nil {
		return []user{*one}
	}
	return list
}

func names(us []user) string {
	var s []string
	for i := range us {
		if n := us[i].name(); n != "" {
			s = append(s, n)
		}
	}
	return strings.Join(s, ", ")
}

func boldList(us []user) string {
	var s []string
	for i := range us {
		if n := us[i].name(); n != "" {
			s = append(s, bold(n))
		}
	}
	return strings.Join(s, ", ")
}

func bold(s string) string { return "**" + cardkit.MD(s) + "**" }

func plainWhere(r *repository) string {
	if r.name() == "" {
		return ""
	}
	return " in " + r.name()
}

func dot(action string) string {
	if action == "" {
		return ""
	}
	return "." + action
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func isZeroSHA(s string) bool {
	return s != "" && strings.Trim(s, "0") == ""
}

// escapePath escapes each segment of a ref name for a URL path, keeping
// the slashes of names like release/1.0.
func escapePath(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// safeURL keeps absolute http(s) URLs and drops anything else (javascript:,
// relative paths), so a payload cannot put a harmful link on a card.
func safeURL(s string) string {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return s
}

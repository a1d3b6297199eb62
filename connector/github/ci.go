package github

import (
	"strconv"
	"strings"

	"github.com/heraldhq/herald/connector/cardkit"
)

// CI events post results only: runs that are queued or in progress, and
// skipped ones, would bury the results they lead to.

// checkRunEvent is a check run, completed: a CI job reported through the
// Checks API (GitHub Actions jobs among them).
func checkRunEvent(p *payload) reply {
	run := p.CheckRun
	if run == nil || run.Name == "" {
		return ignore("no check run in the payload")
	}
	var branch string
	if run.CheckSuite != nil {
		branch = run.CheckSuite.HeadBranch
	}
	switch {
	case run.Status != "completed":
		return reply{branch: branch, ignored: "check run " + statusWords(run.Status)}
	case run.Conclusion == "skipped":
		return reply{branch: branch, ignored: "check run skipped"}
	}
	verb, color := result(run.Conclusion)
	c := &cardkit.Card{
		Title:    "Check " + run.Name + " " + verb,
		TitleURL: firstURL(run.HTMLURL, run.DetailsURL),
		Color:    color,
	}
	s := &sentence{}
	if run.App != nil && run.App.Name != "" {
		s.obj(bold(run.App.Name), run.App.Name).say(" checked ")
	} else {
		s.say("Checked ")
	}
	s.commit(p, run.HeadSHA)
	if branch != "" {
		s.say(" of ").name(branch)
	}
	s.repo("in", p).fill(c)
	c.Summary = c.Title + ": " + c.Summary
	c.AddFact("Result", run.Output.Title)
	c.AddFact("Summary", oneLine(run.Output.Summary))
	c.AddFact("Triggered by", login(p.Sender))
	return reply{card: c, branch: branch}
}

func statusWords(status string) string {
	if status == "" {
		return "not completed"
	}
	return statusText(status)
}

// statusText makes a status readable: "in_progress" is "in progress".
func statusText(s string) string { return strings.ReplaceAll(s, "_", " ") }

// workflowRunEvent is a GitHub Actions workflow run, completed.
func workflowRunEvent(p *payload) reply {
	run := p.WorkflowRun
	if run == nil || run.Name == "" {
		return ignore("no workflow run in the payload")
	}
	switch {
	case run.Status != "completed":
		return reply{branch: run.HeadBranch, ignored: "workflow run " + statusWords(run.Status)}
	case run.Conclusion == "skipped":
		return reply{branch: run.HeadBranch, ignored: "workflow run skipped"}
	}
	verb, color := result(run.Conclusion)
	name := run.Name
	if run.RunNumber > 0 {
		name += " #" + strconv.Itoa(run.RunNumber)
	}
	c := &cardkit.Card{Title: name + " " + verb, TitleURL: safeURL(run.HTMLURL), Color: color}
	actor := login(run.TriggeringActor)
	if actor == "" {
		actor = login(run.Actor)
	}
	if actor == "" {
		actor = login(p.Sender)
	}
	s := &sentence{}
	s.say("Ran on ").commit(p, run.HeadSHA)
	if run.HeadBranch != "" {
		s.say(" of ").name(run.HeadBranch)
	}
	s.repo("in", p)
	if actor != "" {
		s.say(", triggered by ").obj(bold(actor), actor)
	}
	s.fill(c)
	c.Summary = c.Title + ": " + c.Summary
	title := run.DisplayTitle
	if title == "" && run.HeadCommit != nil {
		title = run.HeadCommit.Message
	}
	c.AddFact("Commit", oneLine(title))
	c.AddFact("Event", statusText(run.Event))
	if run.RunAttempt > 1 {
		c.AddFact("Attempt", strconv.Itoa(run.RunAttempt))
	}
	return reply{card: c, branch: run.HeadBranch}
}

// statusEvent is a commit status set by an external CI service.
func statusEvent(p *payload) reply {
	if p.SHA == "" || p.State == "" {
		return ignore("no commit status in the payload")
	}
	if p.State == "pending" {
		return ignore("commit status pending")
	}
	verb, color := result(p.State)
	commitURL := p.commitURL(p.SHA)
	if p.Commit != nil {
		commitURL = firstURL(p.Commit.HTMLURL, commitURL)
	}
	name := p.Context
	if name == "" {
		name = "Status"
	}
	c := &cardkit.Card{Title: name + " " + verb, TitleURL: firstURL(p.TargetURL, commitURL), Color: color}
	p.says().say(" set the status of ").link(short(p.SHA), commitURL).say(" to ").
		link(p.State, safeURL(p.TargetURL)).repo("in", p).fill(c)
	c.AddFact("Description", p.Description)
	if p.Commit != nil {
		c.AddFact("Commit", oneLine(p.Commit.Commit.Message))
	}
	var names []string
	for _, b := range p.Branches {
		names = append(names, b.Name)
	}
	if len(names) <= 3 {
		c.AddFact("Branches", joinAnd(names))
	}
	var branch string
	if len(names) == 1 {
		branch = names[0] // a commit on several branches concerns none in particular
	}
	return reply{card: c, branch: branch}
}

// deploymentsURL is the repository's deployments page.
func (p *payload) deploymentsURL() string {
	if p.repoURL() == "" {
		return ""
	}
	return p.repoURL() + "/deployments"
}

// deploymentEvent is a deployment created: one is starting.
func deploymentEvent(p *payload) reply {
	d := p.Deployment
	if d == nil || (d.Environment == "" && d.SHA == "") {
		return ignore("no deployment in the payload")
	}
	if p.Action != "" && p.Action != "created" {
		return ignore("action not covered: deployment." + p.Action)
	}
	env := d.Environment
	if env == "" {
		env = "an environment"
	}
	c := &cardkit.Card{Title: "Deployment to " + env, TitleURL: p.deploymentsURL(), Color: cardkit.Accent}
	s := p.says().say(" started a deployment of ")
	p.deployed(s, d).say(" to ").name(env).repo("in", p).fill(c)
	if d.Task != "" && d.Task != "deploy" {
		c.AddFact("Task", d.Task)
	}
	c.AddFact("Description", d.Description)
	return reply{card: c}
}

// deployed adds what a deployment deploys: its ref and commit.
func (p *payload) deployed(s *sentence, d *deployment) *sentence {
	switch {
	case d.Ref != "" && d.Ref != d.SHA && d.SHA != "":
		return s.name(d.Ref).say(" (").commit(p, d.SHA).say(")")
	case d.SHA != "":
		return s.commit(p, d.SHA)
	case d.Ref != "":
		return s.name(d.Ref)
	}
	return s.say("a commit")
}

// deploymentStatusEvent is a deployment's result; its progress (queued,
// pending, in progress) and retirement (inactive) are not posted.
func deploymentStatusEvent(p *payload) reply {
	st := p.DeploymentStatus
	if st == nil || st.State == "" {
		return ignore("no deployment status in the payload")
	}
	switch st.State {
	case "success", "failure", "error":
	default:
		return ignore("deployment " + statusText(st.State))
	}
	d := p.Deployment
	if d == nil {
		d = &deployment{}
	}
	env := st.Environment
	if env == "" {
		env = d.Environment
	}
	if env == "" {
		env = "an environment"
	}
	verb, color := result(st.State)
	c := &cardkit.Card{
		Title:    "Deployment to " + env + " " + verb,
		TitleURL: firstURL(st.EnvironmentURL, st.TargetURL, st.LogURL, p.deploymentsURL()),
		Color:    color,
	}
	s := (&sentence{}).say("Deployment of ")
	p.deployed(s, d).say(" to ").name(env).say(" "+verb).repo("in", p).fill(c)
	c.AddFact("Description", st.Description)
	by := login(d.Creator)
	if by == "" {
		by = login(p.Sender)
	}
	c.AddFact("Deployed by", by)
	c.AddLink("Open "+env, safeURL(st.EnvironmentURL))
	c.AddLink("View logs", firstURL(st.LogURL, st.TargetURL))
	return reply{card: c}
}

// pageBuildEvent is a GitHub Pages build.
func pageBuildEvent(p *payload) reply {
	b := p.Build
	if b == nil || b.Status == "" {
		return ignore("no Pages build in the payload")
	}
	var verb, color string
	switch b.Status {
	case "built":
		verb, color = "succeeded", cardkit.Good
	case "errored":
		verb, color = "failed", cardkit.Attention
	default:
		return ignore("GitHub Pages build " + statusText(b.Status))
	}
	c := &cardkit.Card{Title: "GitHub Pages build " + verb, TitleURL: p.repoURL(), Color: color}
	s := p.says()
	if who := login(b.Pusher); who != "" {
		s = (&sentence{}).obj(bold(who), who)
	}
	s.say(" pushed ").commit(p, b.Commit).repo("to", p).fill(c)
	c.Summary = c.Title + ": " + c.Summary
	if b.Status == "errored" {
		c.Text = excerpt(b.Error.Message)
	}
	if b.Duration > 0 {
		c.AddFact("Duration", strconv.FormatFloat(float64(b.Duration)/1000, 'f', 1, 64)+" s")
	}
	return reply{card: c}
}

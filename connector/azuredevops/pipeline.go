package azuredevops

import (
	"regexp"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

var commitID = regexp.MustCompile(`^[0-9a-f]{40}$`)

// reasons names build reasons.
var reasons = map[string]string{
	"manual":                "Manual",
	"individualCI":          "Continuous integration",
	"batchedCI":             "Continuous integration (batched)",
	"schedule":              "Scheduled",
	"pullRequest":           "Pull request",
	"buildCompletion":       "Build completion",
	"resourceTrigger":       "Resource trigger",
	"validateShelveset":     "Shelveset validation",
	"checkInShelveset":      "Gated check-in",
	"userCreated":           "User created",
	"continuousIntegration": "Continuous integration",
}

// build covers build.complete, in both the current resource shape (result,
// requestedFor, sourceBranch) and the XAML-era one (status holds the
// result, requests[].requestedFor, sourceGetVersion).
func (h hook) build() connector.Output {
	r := h.res
	result := first(r.get("result").str(), r.get("status").str())
	if result == "inProgress" || result == "notStarted" {
		return connector.Output{Ignored: "build " + humanize(result)}
	}
	color, word := outcome(result)
	number := first(r.get("buildNumber").str(), r.get("id").str())
	def := r.get("definition", "name").str()

	requested := person(r.get("requestedFor"))
	if requested == "" {
		for _, rq := range r.get("requests").list() {
			if requested = person(rq.get("requestedFor")); requested != "" {
				break
			}
		}
	}
	requested = first(requested, person(r.get("requestedBy")), person(r.get("lastChangedBy")))

	ref := r.get("sourceBranch").str()
	if ref == "" {
		// "LG:refs/heads/master:600c52d..." in XAML builds.
		if parts := strings.Split(r.get("sourceGetVersion").str(), ":"); len(parts) >= 2 && strings.HasPrefix(parts[1], "refs/") {
			ref = parts[1]
		}
	}
	branch := headBranch(ref)

	href := r.get("_links", "web", "href").str()
	if !webURL(href) {
		href = h.messageLink("")
	}

	title := join(" ", "Build", number, word)
	c := cardkit.Card{
		Color:    color,
		Title:    title,
		TitleURL: href,
		Summary:  join(": ", def, title),
	}
	var sub []string
	if def != "" {
		sub = append(sub, "Pipeline "+bold(def))
	}
	if requested != "" {
		sub = append(sub, "requested for "+bold(requested))
	}
	c.Subtitle = strings.Join(sub, " · ")
	c.AddFact("Result", cardkit.MD(word))
	c.AddFact("Branch", cardkit.MD(shortRef(ref)))
	if v := r.get("sourceVersion").str(); commitID.MatchString(v) {
		c.AddFact("Commit", v[:7])
	}
	c.AddFact("Duration", duration(r.get("startTime").str(), r.get("finishTime").str()))
	if rs := r.get("reason").str(); rs != "" {
		c.AddFact("Reason", cardkit.MD(first(reasons[rs], humanize(rs))))
	}
	return connector.Output{Cards: []connector.Card{c.Build()}, Branch: branch}
}

// releaseLink is a release's web page, else a link from Azure's message.
func (h hook) releaseLink(releases ...node) string {
	for _, rel := range releases {
		if u := rel.get("_links", "web", "href").str(); webURL(u) {
			return u
		}
	}
	return h.messageLink("")
}

// release covers ms.vss-release.release-created-event and
// release-abandoned-event.
func (h hook) release() connector.Output {
	rel := h.res.get("release")
	name := rel.get("name").str()
	if name == "" {
		return h.generic()
	}
	def := rel.get("releaseDefinition", "name").str()
	abandoned := h.event == "ms.vss-release.release-abandoned-event"
	verb, color, actor := "created", cardkit.Accent, person(rel.get("createdBy"))
	if abandoned {
		verb, color, actor = "abandoned", cardkit.Warning, first(person(rel.get("modifiedBy")), actor)
	}
	actor = first(actor, "Someone")
	c := cardkit.Card{
		Color:    color,
		Title:    "Release " + name + " " + verb,
		TitleURL: h.releaseLink(rel),
		Subtitle: bold(actor) + " " + verb + " a release",
		Summary:  actor + " " + verb + " release " + name,
	}
	if def != "" {
		c.Subtitle += " of " + bold(def)
	}
	if rs := rel.get("reason").str(); rs != "" && rs != "none" {
		c.AddFact("Reason", cardkit.MD(first(reasons[rs], humanize(rs))))
	}
	var stages []string
	for _, env := range rel.get("environments").list() {
		if n := env.get("name").str(); n != "" {
			stages = append(stages, n)
		}
	}
	c.AddFact("Stages", cardkit.MD(strings.Join(stages, ", ")))
	if d := strings.TrimSpace(rel.get("description").str()); d != "" {
		c.Text = cardkit.MD(cardkit.Truncate(d, 500))
	}
	return post(c)
}

// deployment covers ms.vss-release.deployment-started-event and
// deployment-completed-event.
func (h hook) deployment() connector.Output {
	r := h.res
	env, dep := r.get("environment"), r.get("deployment")
	rel := env.get("release")
	if rel.get("name").str() == "" {
		rel = named(dep.get("release"), r.get("release"), rel)
	}
	relName := rel.get("name").str()
	stage := first(env.get("name").str(), dep.get("releaseEnvironment", "name").str())
	if relName == "" && stage == "" {
		return h.generic()
	}
	def := first(env.get("releaseDefinition", "name").str(), dep.get("releaseDefinition", "name").str(),
		r.get("release", "releaseDefinition", "name").str(), rel.get("releaseDefinition", "name").str())
	actor := first(person(dep.get("requestedFor")), person(dep.get("requestedBy")))

	started := h.event == "ms.vss-release.deployment-started-event"
	color, word := cardkit.Accent, "started"
	status := first(env.get("status").str(), dep.get("deploymentStatus").str(), dep.get("operationStatus").str())
	if !started {
		color, word = outcome(status)
	}
	title := "Deployment"
	if relName != "" {
		title += " of " + relName
	}
	if stage != "" {
		title += " to " + stage
	}
	title += " " + word
	c := cardkit.Card{
		Color:    color,
		Title:    title,
		TitleURL: h.releaseLink(rel, dep.get("release"), r.get("release")),
		Summary:  title,
	}
	var sub []string
	if def != "" {
		sub = append(sub, "Release pipeline "+bold(def))
	}
	if actor != "" {
		sub = append(sub, "requested for "+bold(actor))
	}
	c.Subtitle = strings.Join(sub, " · ")
	c.AddFact("Stage", cardkit.MD(stage))
	if !started {
		c.AddFact("Result", cardkit.MD(word))
	}
	c.AddFact("Duration", duration(dep.get("startedOn").str(), dep.get("completedOn").str()))
	if cm := strings.TrimSpace(r.get("comment").str()); cm != "" {
		c.Text = cardkit.MD(cardkit.Truncate(cm, 500))
	}
	return post(c)
}

// named is the first node with a name.
func named(nodes ...node) node {
	for _, n := range nodes {
		if n.get("name").str() != "" {
			return n
		}
	}
	return node{}
}

// approval covers ms.vss-release.deployment-approval-pending-event and
// deployment-approval-completed-event.
func (h hook) approval() connector.Output {
	a := h.res.get("approval")
	relName := first(a.get("release", "name").str(), h.res.get("release", "name").str())
	stage := a.get("releaseEnvironment", "name").str()
	if a.v == nil || (relName == "" && stage == "") {
		return h.generic()
	}
	kind := "Approval"
	switch a.get("approvalType").str() {
	case "preDeploy":
		kind = "Pre-deployment approval"
	case "postDeploy":
		kind = "Post-deployment approval"
	}
	status := a.get("status").str()
	color, word := cardkit.Warning, "pending"
	approver := person(a.get("approver"))
	if h.event == "ms.vss-release.deployment-approval-completed-event" {
		approver = first(person(a.get("approvedBy")), approver)
		switch status {
		case "approved":
			color, word = cardkit.Good, "approved"
		case "rejected":
			color, word = cardkit.Attention, "rejected"
		default:
			color, word = outcome(status)
		}
	}
	title := kind + " " + word
	if relName != "" {
		title += ": " + relName
	}
	if stage != "" {
		title += " → " + stage
	}
	c := cardkit.Card{
		Color:    color,
		Title:    title,
		TitleURL: h.releaseLink(h.res.get("release"), a.get("release")),
		Summary:  title,
	}
	if def := first(a.get("releaseDefinition", "name").str(), h.res.get("release", "releaseDefinition", "name").str()); def != "" {
		c.Subtitle = "Release pipeline " + bold(def)
	}
	if word == "pending" {
		c.AddFact("Approver", cardkit.MD(approver))
	} else {
		c.AddFact("By", cardkit.MD(approver))
	}
	if cm := strings.TrimSpace(a.get("comments").str()); cm != "" {
		c.Text = cardkit.MD(cardkit.Truncate(cm, 500))
	}
	return post(c)
}

// run covers YAML pipeline runs, stages and jobs reaching a final state;
// starts and other transitions are not posted.
func (h hook) run() connector.Output {
	r := h.res
	run := r.get("run")
	pipeline := first(r.get("pipeline", "name").str(), run.get("pipeline", "name").str())
	unit, subject := run, ""
	label := "run"
	switch h.event {
	case "ms.vss-pipelines.stage-state-changed-event":
		unit = r.get("stage")
		subject = "stage " + first(unit.get("displayName").str(), unit.get("name").str())
	case "ms.vss-pipelines.job-state-changed-event":
		unit = r.get("job")
		subject = "job " + first(unit.get("displayName").str(), unit.get("name").str())
	}
	if unit.v == nil {
		return h.generic()
	}
	state := unit.get("state").str()
	if state != "completed" {
		return connector.Output{Ignored: first(subject, label) + " " + humanize(first(state, "in unknown state")), Branch: runBranch(r, run)}
	}
	color, word := outcome(unit.get("result").str())
	runName := first(run.get("name").str(), run.get("id").str())
	title := join(" ", pipeline, "run", runName)
	if subject != "" {
		title += ": " + subject
	}
	title += " " + word
	href := first(unit.get("_links", "web", "href").str(), run.get("_links", "web", "href").str())
	if !webURL(href) {
		href = h.messageLink("")
	}
	c := cardkit.Card{Color: color, Title: title, TitleURL: href, Summary: title}
	c.AddFact("Result", cardkit.MD(word))
	branch := runBranch(r, run)
	c.AddFact("Branch", cardkit.MD(branch))
	start, finish := run.get("createdDate").str(), run.get("finishedDate").str()
	if subject != "" {
		start, finish = unit.get("startTime").str(), unit.get("finishTime").str()
	}
	c.AddFact("Duration", duration(start, finish))
	if u := run.get("_links", "pipeline.web", "href").str(); webURL(u) && pipeline != "" {
		c.Subtitle = "Pipeline " + cardkit.Link(pipeline, u)
	}
	return connector.Output{Cards: []connector.Card{c.Build()}, Branch: branch}
}

// runBranch is the branch a pipeline run built, from its self repository.
func runBranch(r, run node) string {
	for _, n := range []node{run.get("resources", "repositories", "self"), r.get("run", "resources", "repositories", "self")} {
		if b := headBranch(n.get("refName").str()); b != "" {
			return b
		}
	}
	return ""
}

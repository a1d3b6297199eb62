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
	result := first(r.Get("result").Str(), r.Get("status").Str())
	if result == "inProgress" || result == "notStarted" {
		return connector.Output{Ignored: "build " + humanize(result)}
	}
	color, word := outcome(result)
	number := first(r.Get("buildNumber").Str(), r.Get("id").Str())
	def := r.Get("definition", "name").Str()

	requested := person(r.Get("requestedFor"))
	if requested == "" {
		for _, rq := range r.Get("requests").List() {
			if requested = person(rq.Get("requestedFor")); requested != "" {
				break
			}
		}
	}
	requested = first(requested, person(r.Get("requestedBy")), person(r.Get("lastChangedBy")))

	ref := r.Get("sourceBranch").Str()
	if ref == "" {
		// "LG:refs/heads/master:600c52d..." in XAML builds.
		if parts := strings.Split(r.Get("sourceGetVersion").Str(), ":"); len(parts) >= 2 && strings.HasPrefix(parts[1], "refs/") {
			ref = parts[1]
		}
	}
	branch := headBranch(ref)

	href := r.Get("_links", "web", "href").Str()
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
	if v := r.Get("sourceVersion").Str(); commitID.MatchString(v) {
		c.AddFact("Commit", v[:7])
	}
	c.AddFact("Duration", duration(r.Get("startTime").Str(), r.Get("finishTime").Str()))
	if rs := r.Get("reason").Str(); rs != "" {
		c.AddFact("Reason", cardkit.MD(first(reasons[rs], humanize(rs))))
	}
	return connector.Output{Cards: []connector.Card{c.Build()}, Branch: branch}
}

// releaseLink is a release's web page, else a link from Azure's message.
func (h hook) releaseLink(releases ...node) string {
	for _, rel := range releases {
		if u := rel.Get("_links", "web", "href").Str(); webURL(u) {
			return u
		}
	}
	return h.messageLink("")
}

// release covers ms.vss-release.release-created-event and
// release-abandoned-event.
func (h hook) release() connector.Output {
	rel := h.res.Get("release")
	name := rel.Get("name").Str()
	if name == "" {
		return h.generic()
	}
	def := rel.Get("releaseDefinition", "name").Str()
	abandoned := h.event == "ms.vss-release.release-abandoned-event"
	verb, color, actor := "created", cardkit.Accent, person(rel.Get("createdBy"))
	if abandoned {
		verb, color, actor = "abandoned", cardkit.Warning, first(person(rel.Get("modifiedBy")), actor)
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
	if rs := rel.Get("reason").Str(); rs != "" && rs != "none" {
		c.AddFact("Reason", cardkit.MD(first(reasons[rs], humanize(rs))))
	}
	var stages []string
	for _, env := range rel.Get("environments").List() {
		if n := env.Get("name").Str(); n != "" {
			stages = append(stages, n)
		}
	}
	c.AddFact("Stages", cardkit.MD(strings.Join(stages, ", ")))
	if d := strings.TrimSpace(rel.Get("description").Str()); d != "" {
		c.Text = cardkit.MD(cardkit.Truncate(d, 500))
	}
	return post(c)
}

// deployment covers ms.vss-release.deployment-started-event and
// deployment-completed-event.
func (h hook) deployment() connector.Output {
	r := h.res
	env, dep := r.Get("environment"), r.Get("deployment")
	rel := env.Get("release")
	if rel.Get("name").Str() == "" {
		rel = named(dep.Get("release"), r.Get("release"), rel)
	}
	relName := rel.Get("name").Str()
	stage := first(env.Get("name").Str(), dep.Get("releaseEnvironment", "name").Str())
	if relName == "" && stage == "" {
		return h.generic()
	}
	def := first(env.Get("releaseDefinition", "name").Str(), dep.Get("releaseDefinition", "name").Str(),
		r.Get("release", "releaseDefinition", "name").Str(), rel.Get("releaseDefinition", "name").Str())
	actor := first(person(dep.Get("requestedFor")), person(dep.Get("requestedBy")))

	started := h.event == "ms.vss-release.deployment-started-event"
	color, word := cardkit.Accent, "started"
	status := first(env.Get("status").Str(), dep.Get("deploymentStatus").Str(), dep.Get("operationStatus").Str())
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
		TitleURL: h.releaseLink(rel, dep.Get("release"), r.Get("release")),
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
	c.AddFact("Duration", duration(dep.Get("startedOn").Str(), dep.Get("completedOn").Str()))
	if cm := strings.TrimSpace(r.Get("comment").Str()); cm != "" {
		c.Text = cardkit.MD(cardkit.Truncate(cm, 500))
	}
	return post(c)
}

// named is the first node with a name.
func named(nodes ...node) node {
	for _, n := range nodes {
		if n.Get("name").Str() != "" {
			return n
		}
	}
	return node{}
}

// approval covers ms.vss-release.deployment-approval-pending-event and
// deployment-approval-completed-event.
func (h hook) approval() connector.Output {
	a := h.res.Get("approval")
	relName := first(a.Get("release", "name").Str(), h.res.Get("release", "name").Str())
	stage := a.Get("releaseEnvironment", "name").Str()
	if a.V == nil || (relName == "" && stage == "") {
		return h.generic()
	}
	kind := "Approval"
	switch a.Get("approvalType").Str() {
	case "preDeploy":
		kind = "Pre-deployment approval"
	case "postDeploy":
		kind = "Post-deployment approval"
	}
	status := a.Get("status").Str()
	color, word := cardkit.Warning, "pending"
	approver := person(a.Get("approver"))
	if h.event == "ms.vss-release.deployment-approval-completed-event" {
		approver = first(person(a.Get("approvedBy")), approver)
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
		TitleURL: h.releaseLink(h.res.Get("release"), a.Get("release")),
		Summary:  title,
	}
	if def := first(a.Get("releaseDefinition", "name").Str(), h.res.Get("release", "releaseDefinition", "name").Str()); def != "" {
		c.Subtitle = "Release pipeline " + bold(def)
	}
	if word == "pending" {
		c.AddFact("Approver", cardkit.MD(approver))
	} else {
		c.AddFact("By", cardkit.MD(approver))
	}
	if cm := strings.TrimSpace(a.Get("comments").Str()); cm != "" {
		c.Text = cardkit.MD(cardkit.Truncate(cm, 500))
	}
	return post(c)
}

// run covers YAML pipeline runs, stages and jobs reaching a final state;
// starts and other transitions are not posted.
func (h hook) run() connector.Output {
	r := h.res
	run := r.Get("run")
	pipeline := first(r.Get("pipeline", "name").Str(), run.Get("pipeline", "name").Str())
	unit, subject := run, ""
	label := "run"
	switch h.event {
	case "ms.vss-pipelines.stage-state-changed-event":
		unit = r.Get("stage")
		subject = "stage " + first(unit.Get("displayName").Str(), unit.Get("name").Str())
	case "ms.vss-pipelines.job-state-changed-event":
		unit = r.Get("job")
		subject = "job " + first(unit.Get("displayName").Str(), unit.Get("name").Str())
	}
	if unit.V == nil {
		return h.generic()
	}
	state := unit.Get("state").Str()
	if state != "completed" {
		return connector.Output{Ignored: first(subject, label) + " " + humanize(first(state, "in unknown state")), Branch: runBranch(r, run)}
	}
	color, word := outcome(unit.Get("result").Str())
	runName := first(run.Get("name").Str(), run.Get("id").Str())
	title := join(" ", pipeline, "run", runName)
	if subject != "" {
		title += ": " + subject
	}
	title += " " + word
	href := first(unit.Get("_links", "web", "href").Str(), run.Get("_links", "web", "href").Str())
	if !webURL(href) {
		href = h.messageLink("")
	}
	c := cardkit.Card{Color: color, Title: title, TitleURL: href, Summary: title}
	c.AddFact("Result", cardkit.MD(word))
	branch := runBranch(r, run)
	c.AddFact("Branch", cardkit.MD(branch))
	start, finish := run.Get("createdDate").Str(), run.Get("finishedDate").Str()
	if subject != "" {
		start, finish = unit.Get("startTime").Str(), unit.Get("finishTime").Str()
	}
	c.AddFact("Duration", duration(start, finish))
	if u := run.Get("_links", "pipeline.web", "href").Str(); webURL(u) && pipeline != "" {
		c.Subtitle = "Pipeline " + cardkit.Link(pipeline, u)
	}
	return connector.Output{Cards: []connector.Card{c.Build()}, Branch: branch}
}

// runBranch is the branch a pipeline run built, from its self repository.
func runBranch(r, run node) string {
	for _, n := range []node{run.Get("resources", "repositories", "self"), r.Get("run", "resources", "repositories", "self")} {
		if b := headBranch(n.Get("refName").Str()); b != "" {
			return b
		}
	}
	return ""
}

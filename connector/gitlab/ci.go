package gitlab

import (
	"cmp"
	"slices"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// statusWords says a CI status in a title ("Pipeline #12 passed").
var statusWords = map[string]string{
	"success":              "passed",
	"failed":               "failed",
	"running":              "started",
	"pending":              "pending",
	"created":              "created",
	"canceled":             "canceled",
	"canceling":            "canceling",
	"skipped":              "skipped",
	"manual":               "waiting for a manual action",
	"scheduled":            "scheduled",
	"preparing":            "preparing",
	"waiting_for_resource": "waiting for a resource",
	"waiting_for_callback": "waiting for a callback",
}

func statusWord(s string) string {
	if w, ok := statusWords[s]; ok {
		return w
	}
	if s == "" {
		return "changed status"
	}
	return human(s)
}

// statusColor colours a CI status by its outcome.
func statusColor(s string, allowFailure bool) string {
	switch s {
	case "success":
		return cardkit.Good
	case "failed":
		if allowFailure {
			return cardkit.Warning
		}
		return cardkit.Attention
	case "canceled", "canceling", "skipped", "manual":
		return cardkit.Warning
	}
	return cardkit.Accent
}

// finished reports whether a CI status is final, so that a duration means
// how long the pipeline or job took.
func finished(status string) bool {
	return status == "success" || status == "failed" || status == "canceled"
}

// refFact adds the branch or tag a pipeline or job ran on; it returns the
// branch, or "" for a tag.
func refFact(c *cardkit.Card, ref string, tag bool) string {
	if tag {
		addText(c, "Tag", ref)
		return ""
	}
	addText(c, "Branch", ref)
	return ref
}

func pipelineEvent(root value) connector.Output {
	oa := root.get("object_attributes")
	id := oa.get("id").str()
	status := oa.get("status").str()
	if id == "" || status == "" {
		return ignored("pipeline", "pipeline without an id or status")
	}
	p := projectOf(root)
	name := actor(root)
	u := oa.get("url").str()
	if u == "" {
		// the path GitLab has always redirected; newer pages are under /-/
		u = p.path("pipelines", id)
	}

	c := &cardkit.Card{Color: statusColor(status, false)}
	c.Title = "Pipeline #" + id + " " + statusWord(status)
	c.TitleURL = u
	c.Subtitle = "Triggered by " + who(name) + p.in()
	if name == "" {
		c.Subtitle = "Pipeline" + p.in()
	}
	c.Summary = c.Title + p.inPlain()
	branch := refFact(c, oa.get("ref").str(), oa.get("tag").boolean())
	cm := root.get("commit")
	sha := oa.get("sha").str()
	if l := commitLink(p, sha); l != "" {
		if u := cm.get("url").str(); u != "" {
			l = cardkit.Link(shortSHA(sha), u)
		}
		if s := cardkit.FirstLine(cm.get("message").raw()); s != "" {
			l += " " + cardkit.MD(cardkit.Truncate(s, 80))
		}
		c.AddFact("Commit", l)
	}
	if mr := root.get("merge_request"); mr.get("iid").str() != "" {
		c.AddFact("Merge request", cardkit.Link("!"+mr.get("iid").str()+" "+mr.get("title").str(), mr.get("url").str()))
	}
	if finished(status) {
		c.AddFact("Duration", duration(oa.get("duration")))
	}

	// jobs in stage order, then as created
	stages := oa.get("stages").list()
	stageIndex := func(s string) int {
		return slices.IndexFunc(stages, func(v value) bool { return v.str() == s })
	}
	builds := root.get("builds").list()
	slices.SortStableFunc(builds, func(a, b value) int {
		if d := cmp.Compare(stageIndex(a.get("stage").str()), stageIndex(b.get("stage").str())); d != 0 {
			return d
		}
		x, _ := a.get("id").num()
		y, _ := b.get("id").num()
		return cmp.Compare(x, y)
	})
	for i, b := range builds {
		if i == maxCommits {
			break
		}
		c.Items = append(c.Items, jobItem(p, b))
	}
	if more := len(builds) - len(c.Items); more > 0 {
		c.More = cardkit.Link("and "+plural(more, "more job"), u)
	}
	return posted(dotted("pipeline", status), branch, c)
}

// jobItem is one job of a pipeline card: its name linked, its status and
// its artifacts.
func jobItem(p project, b value) string {
	id := b.get("id").str()
	var u string
	if id != "" {
		u = p.path("-", "jobs", id)
	}
	name := b.get("name").str()
	if name == "" {
		name = "job " + id
	}
	line := cardkit.Link(name, u)
	if st := b.get("stage").str(); st != "" {
		line += " (" + cardkit.MD(st) + ")"
	}
	status := b.get("status").str()
	switch {
	case status == "failed" && b.get("allow_failure").boolean():
		line += " — failed (allowed)"
	case status == "failed":
		line += " — **failed**"
	case status != "":
		line += " — " + cardkit.MD(human(status))
	}
	if f := b.get("artifacts_file", "filename").str(); f != "" && u != "" {
		line += " · artifact " + cardkit.Link(f, u+"/artifacts/browse") + " (" + cardkit.Link("download", u+"/artifacts/download") + ")"
	}
	return line
}

// jobEvent covers "Job Hook" and the older "Build Hook".
func jobEvent(root value) connector.Output {
	id := root.get("build_id").str()
	status := root.get("build_status").str()
	jobName := root.get("build_name").str()
	if status == "" || id == "" && jobName == "" {
		return ignored("job", "job without an id, a name or a status")
	}
	p := projectOf(root)
	name := actor(root)
	var u string
	if id != "" {
		u = p.path("-", "jobs", id)
	}
	if jobName == "" {
		jobName = "#" + id
	}
	allowFailure := root.get("build_allow_failure").boolean()

	c := &cardkit.Card{Color: statusColor(status, allowFailure)}
	c.Title = "Job " + jobName + " " + statusWord(status)
	c.TitleURL = u
	stage := root.get("build_stage").str()
	c.Subtitle = "Triggered by " + who(name) + p.in()
	if stage != "" {
		c.Subtitle = "Stage " + code(stage) + ", triggered by " + who(name) + p.in()
	}
	c.Summary = c.Title + p.inPlain()
	branch := refFact(c, root.get("ref").str(), root.get("tag").boolean())
	sha := root.first("sha", "commit.sha")
	if l := commitLink(p, sha); l != "" {
		if s := cardkit.FirstLine(root.get("commit", "message").raw()); s != "" {
			l += " " + cardkit.MD(cardkit.Truncate(s, 80))
		}
		c.AddFact("Commit", l)
	}
	if pid := root.get("pipeline_id").str(); pid != "" {
		c.AddFact("Pipeline", cardkit.Link("#"+pid, p.path("pipelines", pid)))
	}
	if finished(status) {
		c.AddFact("Duration", duration(root.get("build_duration")))
	}
	if status == "failed" {
		reason := human(root.get("build_failure_reason").str())
		if allowFailure {
			reason += " (failure allowed)"
		}
		addText(c, "Failure", reason)
	}
	addText(c, "Environment", root.get("environment", "name").str())
	return posted(dotted("job", status), branch, c)
}

// deploymentVerbs says how a deployment went.
var deploymentVerbs = map[string]string{
	"running":  "started",
	"success":  "succeeded",
	"failed":   "failed",
	"canceled": "canceled",
	"blocked":  "blocked",
}

func deploymentEvent(root value) connector.Output {
	status := root.get("status").str()
	env := root.get("environment").str()
	if status == "" || env == "" {
		return ignored("deployment", "deployment without a status or environment")
	}
	p := projectOf(root)
	name := actor(root)
	verb, ok := deploymentVerbs[status]
	if !ok {
		verb = human(status)
	}
	envURL := root.get("environment_external_url").str()

	c := &cardkit.Card{Color: statusColor(status, false)}
	c.Title = "Deployment to " + env + " " + verb
	c.TitleURL = root.get("deployable_url").str()
	if c.TitleURL == "" {
		c.TitleURL = p.path("-", "environments")
	}
	c.Subtitle = who(name) + " deployed" + p.in()
	c.Summary = c.Title + p.inPlain()
	c.AddFact("Environment", cardkit.Link(env, envURL))
	addText(c, "Ref", root.get("ref").str())
	if sha := root.get("short_sha").str(); sha != "" {
		l := cardkit.Link(sha, root.get("commit_url").str())
		if t := root.get("commit_title").str(); t != "" {
			l += " " + cardkit.MD(cardkit.Truncate(t, 80))
		}
		c.AddFact("Commit", l)
	}
	c.AddLink("Open "+env, envURL)
	return posted(dotted("deployment", status), "", c)
}

// Package github translates GitHub webhook deliveries into cards: pushes,
// pull requests and reviews, issues, comments and discussions, releases,
// CI results, deployments, and repository, team and membership changes.
//
// The event comes from the X-GitHub-Event header, the rest from the JSON
// body (or its payload= field when the webhook sends a form). Payload
// fields follow GitHub's "Webhook events and payloads" documentation.
package github

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// Events lists the X-GitHub-Event names Translate can post, for the
// catalog and per-connection event filters. Output.Event adds the payload's
// action: "pull_request.opened". Translate also answers "ping" (Output.Ping),
// which is never posted and so is not listed.
var Events = []string{
	"push",
	"pull_request",
	"pull_request_review",
	"pull_request_review_comment",
	"issues",
	"issue_comment",
	"commit_comment",
	"discussion",
	"discussion_comment",
	"release",
	"create",
	"delete",
	"fork",
	"watch",
	"star",
	"check_run",
	"workflow_run",
	"status",
	"deployment",
	"deployment_status",
	"page_build",
	"gollum",
	"member",
	"membership",
	"public",
	"repository",
	"team",
	"team_add",
}

// reply is what a handler makes of a payload: a card, or why there is none.
type reply struct {
	card    *cardkit.Card
	branch  string
	ignored string
}

func ignore(why string) reply { return reply{ignored: why} }

var handlers = map[string]func(*payload) reply{
	"push":                        push,
	"pull_request":                pullRequestEvent,
	"pull_request_review":         reviewEvent,
	"pull_request_review_comment": reviewCommentEvent,
	"issues":                      issuesEvent,
	"issue_comment":               issueCommentEvent,
	"commit_comment":              commitCommentEvent,
	"discussion":                  discussionEvent,
	"discussion_comment":          discussionCommentEvent,
	"release":                     releaseEvent,
	"create":                      createEvent,
	"delete":                      deleteEvent,
	"fork":                        forkEvent,
	"watch":                       watchEvent,
	"star":                        starEvent,
	"check_run":                   checkRunEvent,
	"workflow_run":                workflowRunEvent,
	"status":                      statusEvent,
	"deployment":                  deploymentEvent,
	"deployment_status":           deploymentStatusEvent,
	"page_build":                  pageBuildEvent,
	"gollum":                      gollumEvent,
	"member":                      memberEvent,
	"membership":                  membershipEvent,
	"public":                      publicEvent,
	"repository":                  repositoryEvent,
	"team":                        teamEvent,
	"team_add":                    teamAddEvent,
}

// Translate turns one GitHub delivery into a card. It fails only when the
// body is not JSON; events and actions it does not post are Ignored.
func Translate(d connector.Delivery) (connector.Output, error) {
	p, err := decode(d)
	if err != nil {
		return connector.Output{}, err
	}
	event := eventName(d.Header)
	if event == "" {
		return connector.Output{Ignored: "no X-GitHub-Event header"}, nil
	}
	out := connector.Output{Event: event}
	if isToken(p.Action) {
		out.Event += "." + p.Action
	}
	if event == "ping" {
		out.Ping = true
		return out, nil
	}
	handle, ok := handlers[event]
	if !ok {
		out.Ignored = "event not covered: " + event
		return out, nil
	}
	r := handle(p)
	out.Branch = branchOf(r.branch)
	if r.card == nil {
		out.Ignored = r.ignored
		if out.Ignored == "" {
			out.Ignored = "nothing to post for " + out.Event
		}
		return out, nil
	}
	out.Cards = []connector.Card{r.card.Build()}
	return out, nil
}

// branchOf is a branch name for Output.Branch: payloads name branches
// short ("main"), but a full ref is read the same way, and a tag is none.
func branchOf(ref string) string {
	if strings.HasPrefix(ref, "refs/") {
		if name, kind := refName(ref); kind == "branch" {
			return name
		}
		return ""
	}
	return ref
}

var errNotJSON = errors.New("github: body is not JSON")

// decode reads the payload from a JSON body, or from the payload field of a
// form body (the webhook's "application/x-www-form-urlencoded" setting).
func decode(d connector.Delivery) (*payload, error) {
	body := d.Body
	if mt, _, _ := mime.ParseMediaType(d.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		form, err := url.ParseQuery(string(body))
		if err != nil || !form.Has("payload") {
			return nil, errors.New("github: form body has no payload field")
		}
		body = []byte(form.Get("payload"))
	}
	if !json.Valid(body) {
		return nil, errNotJSON
	}
	var p payload
	// The body is valid JSON, so Unmarshal can only fail on a value of an
	// unexpected type; it skips that field and fills the others, which is
	// the best reading of a payload GitHub did not quite send.
	_ = json.Unmarshal(body, &p)
	return &p, nil
}

// eventName returns the lower-cased X-GitHub-Event header, or "" when it is
// missing or not an event name.
func eventName(h http.Header) string {
	v := h.Get("X-GitHub-Event")
	if v == "" {
		for k, vs := range h { // a header map built by hand, not canonicalised
			if strings.EqualFold(k, "X-GitHub-Event") && len(vs) > 0 {
				v = vs[0]
				break
			}
		}
	}
	v = strings.ToLower(strings.TrimSpace(v))
	if !isToken(v) {
		return ""
	}
	return v
}

// isToken reports whether s looks like a GitHub event or action name.
func isToken(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// Package gitlab translates GitLab webhooks (project, group and system
// hooks) into cards: pushes with their commits, tags, merge requests,
// issues, comments, wiki pages, pipelines, jobs, deployments, releases,
// feature flags, emoji reactions, milestones, expiring access tokens,
// group members and subgroups, and the administration events of system
// hooks.
//
// The kind of event comes from the X-Gitlab-Event header; for system and
// integration ("Service Hook") deliveries, or when the header is missing,
// from the payload's object_kind or event_name.
package gitlab

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
)

// Events are the event names Translate gives (Output.Event), as filter
// prefixes: "merge_request" covers "merge_request.open", "merge_request.merge"
// and the other actions. Push, tag, merge request, note and issue events
// sent by a system hook carry the same names as a project hook's; system
// hooks' administration events are "system.<event_name>", such as
// "system.project_create".
var Events = []string{
	"push",               // a branch pushed, created or deleted
	"tag_push",           // a tag pushed or deleted
	"merge_request",      // .open .close .reopen .update .merge .approved .unapproved .approval .unapproval
	"issue",              // .open .close .reopen .update (also work items)
	"confidential_issue", // the same, for confidential issues
	"note",               // .commit .merge_request .issue .snippet: comments
	"confidential_note",  // comments on confidential issues
	"wiki_page",          // .create .update .delete
	"pipeline",           // .<status>: .success .failed .running .pending .canceled ...
	"job",                // .<status>
	"deployment",         // .<status>: .running .success .failed .canceled
	"release",            // .create .update .delete
	"feature_flag",       // .on .off
	"emoji",              // .award .revoke
	"milestone",          // .create .close .reopen .delete
	"access_token",       // .expiring
	"member",             // .add .remove .update .access_request .access_denied (group hooks)
	"subgroup",           // .create .destroy (group hooks)
	"project",            // .create .destroy (group hooks)
	"system",             // .<event_name>: administration events of system hooks
}

// kinds maps X-Gitlab-Event values (lower case) to the payload kind they
// announce. "" means the payload decides.
var kinds = map[string]string{
	"push hook":                  "push",
	"tag push hook":              "tag_push",
	"issue hook":                 "issue",
	"confidential issue hook":    "issue",
	"note hook":                  "note",
	"confidential note hook":     "note",
	"merge request hook":         "merge_request",
	"wiki page hook":             "wiki_page",
	"pipeline hook":              "pipeline",
	"job hook":                   "build",
	"build hook":                 "build",
	"deployment hook":            "deployment",
	"release hook":               "release",
	"feature flag hook":          "feature_flag",
	"emoji hook":                 "emoji",
	"milestone hook":             "milestone",
	"resource access token hook": "access_token",
	"member hook":                "member",
	"subgroup hook":              "subgroup",
	"project hook":               "project",
	"system hook":                "",
	"service hook":               "",
}

// Translate turns one GitLab delivery into cards. It fails only when the
// body is not JSON; test hooks are pings and every event it does not cover
// is Ignored with the reason.
func Translate(d connector.Delivery) (connector.Output, error) {
	root, err := decode(d.Body)
	if err != nil {
		return connector.Output{}, errors.New("gitlab: body is not JSON: " + err.Error())
	}
	header := strings.TrimSpace(d.Header.Get("X-Gitlab-Event"))
	h := strings.ToLower(header)
	if h == "test hook" {
		return connector.Output{Event: "test", Ping: true, Ignored: "GitLab test hook"}, nil
	}
	if !root.isObject() {
		return ignored(eventName(header), "payload is not a JSON object"), nil
	}
	kind, known := kinds[h]
	if header != "" && !known {
		return ignored(eventName(header), "event not covered: "+header), nil
	}
	body := payloadKind(root)
	system := h == "system hook"
	if kind == "" {
		kind = body
		if kind == "" {
			if header == "" {
				return ignored("", "no X-Gitlab-Event header and no object_kind or event_name in the payload"), nil
			}
			return ignored(eventName(header), header+" without object_kind or event_name"), nil
		}
	} else if body != "" && body != kind {
		return ignored(eventName(header), "payload is a "+cardkit.Truncate(body, 60)+" event, not a "+header), nil
	}
	confidential := strings.HasPrefix(h, "confidential ")
	switch kind {
	case "push":
		return pushEvent(root, false), nil
	case "tag_push":
		return pushEvent(root, true), nil
	case "merge_request":
		return mergeRequestEvent(root), nil
	case "issue":
		return issueEvent(root, confidential), nil
	case "note":
		return noteEvent(root, confidential), nil
	case "wiki_page":
		return wikiEvent(root), nil
	case "pipeline":
		return pipelineEvent(root), nil
	case "build":
		return jobEvent(root), nil
	case "deployment":
		return deploymentEvent(root), nil
	case "release":
		return releaseEvent(root), nil
	case "feature_flag":
		return featureFlagEvent(root), nil
	case "emoji":
		return emojiEvent(root), nil
	case "milestone":
		return milestoneEvent(root), nil
	case "access_token":
		return accessTokenEvent(root), nil
	case "member", "subgroup", "project", "admin":
		return adminEvent(root, kind, system), nil
	case "repository_update":
		return ignored("system.repository_update", "repository update: the push event of the same change is posted"), nil
	}
	event := eventName(header)
	switch {
	case system:
		event = "system." + slug(kind)
	case header == "":
		event = slug(kind)
	}
	return ignored(event, "event not covered: "+cardkit.Truncate(kind, 60)), nil
}

// payloadKind names the event a payload describes, from object_kind or
// (group and system hooks) event_name, in the terms of kinds.
func payloadKind(root value) string {
	switch k := root.get("object_kind").str(); k {
	case "":
	case "work_item":
		return "issue"
	default:
		return k
	}
	ev := root.get("event_name").str()
	switch {
	case ev == "":
		return ""
	case ev == "push", ev == "tag_push", ev == "repository_update":
		return ev
	case strings.HasPrefix(ev, "subgroup_"):
		return "subgroup"
	case strings.HasPrefix(ev, "project_"):
		return "project"
	case memberEvents[ev].event != "":
		return "member"
	case strings.HasPrefix(ev, "user_"), strings.HasPrefix(ev, "group_"), strings.HasPrefix(ev, "key_"):
		return "admin"
	case strings.HasSuffix(ev, "_access_token"):
		return "access_token"
	}
	return ev
}

// eventName turns a header such as "Vulnerability Hook" into an event name
// for the delivery log ("vulnerability").
func eventName(header string) string {
	s := strings.ToLower(strings.TrimSpace(header))
	s = strings.TrimSuffix(s, " hook")
	if s = strings.Join(strings.Fields(s), "_"); s == "" {
		return ""
	}
	return slug(s)
}

func ignored(event, why string) connector.Output {
	return connector.Output{Event: event, Ignored: why}
}

// posted makes the output of one card.
func posted(event, branch string, c *cardkit.Card) connector.Output {
	return connector.Output{Event: event, Branch: branch, Cards: []connector.Card{c.Build()}}
}

// project is the repository an event happened in.
type project struct{ name, url string }

func projectOf(root value) project {
	return project{
		name: root.first("project.path_with_namespace", "project.name", "project_name", "repository.name"),
		url:  strings.TrimRight(root.first("project.web_url", "project.homepage", "repository.homepage"), "/"),
	}
}

// link is the project as a markdown link.
func (p project) link() string { return cardkit.Link(p.name, p.url) }

// in is " in <project>" for subtitles, or "" when the project is unknown.
func (p project) in() string {
	if p.name == "" {
		return ""
	}
	return " in " + p.link()
}

// inPlain is " in <project>" for plain-text summaries.
func (p project) inPlain() string {
	if p.name == "" {
		return ""
	}
	return " in " + p.name
}

// path returns the project URL followed by elems, or "" when the project
// URL is unknown.
func (p project) path(elems ...string) string {
	if p.url == "" {
		return ""
	}
	return p.url + "/" + strings.Join(elems, "/")
}

// actor is who caused an event.
func actor(root value) string {
	return root.first("user.name", "user_name", "user.username", "user_username")
}

// who is an actor in bold for subtitles.
func who(name string) string {
	if name == "" {
		return "Someone"
	}
	return "**" + cardkit.MD(name) + "**"
}

// plainWho is an actor for summaries.
func plainWho(name string) string {
	if name == "" {
		return "Someone"
	}
	return name
}

// code shows a branch, tag or job name in bold; cardkit.MD escapes
// backticks, so code spans are not available.
func code(s string) string { return "**" + cardkit.MD(s) + "**" }

// shortSHA is a commit id as GitLab shows it.
func shortSHA(sha string) string {
	r := []rune(sha)
	if len(r) > 8 {
		return string(r[:8])
	}
	return sha
}

// zeroSHA reports whether a commit id is missing or all zeros (the
// "before" of a created ref, the "after" of a deleted one).
func zeroSHA(s string) bool { return strings.Trim(s, "0") == "" }

// pathEscape escapes a branch or tag name for a URL path, keeping its
// slashes.
func pathEscape(s string) string {
	parts := strings.Split(s, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// withoutFragment drops "#note_1" from a comment's URL, leaving the page.
func withoutFragment(u string) string {
	u, _, _ = strings.Cut(u, "#")
	return u
}

// description prepares a description or comment for a card: HTML comments
// (issue templates' hidden hints) are dropped, blank runs collapsed, and
// the text shortened to n runes.
func description(s string, n int) string {
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			break
		}
		j := strings.Index(s[i+4:], "-->")
		if j < 0 {
			s = s[:i]
			break
		}
		s = s[:i] + s[i+4+j+3:]
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return cardkit.Truncate(strings.TrimSpace(s), n)
}

// names joins the names of a list of users ("assignees").
func names(users []value) string {
	var out []string
	for _, u := range users {
		if n := u.first("name", "username"); n != "" {
			out = append(out, n)
		}
	}
	return strings.Join(out, ", ")
}

// labels joins the titles of a payload's labels.
func labels(root value) string {
	var out []string
	for _, l := range root.get("labels").list() {
		if t := l.get("title").str(); t != "" {
			out = append(out, t)
		}
	}
	return strings.Join(out, ", ")
}

// duration formats seconds as "49s", "3m 5s" or "1h 2m".
func duration(v value) string {
	f, ok := v.num()
	if !ok || f < 0 || f > 1e9 {
		return ""
	}
	s := int64(math.Round(f))
	switch {
	case s < 60:
		return strconv.FormatInt(s, 10) + "s"
	case s < 3600:
		return strconv.FormatInt(s/60, 10) + "m " + strconv.FormatInt(s%60, 10) + "s"
	}
	return strconv.FormatInt(s/3600, 10) + "h " + strconv.FormatInt(s/60%60, 10) + "m"
}

// plural is "1 commit", "2 commits".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// addText adds a fact whose value is plain text, escaped for markdown.
func addText(c *cardkit.Card, name, value string) {
	c.AddFact(name, cardkit.MD(value))
}

// human turns a GitLab identifier such as "script_failure" into words.
func human(s string) string { return strings.ReplaceAll(s, "_", " ") }

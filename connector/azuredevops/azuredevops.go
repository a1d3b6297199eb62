// Package azuredevops translates Azure DevOps service hook deliveries
// (Web Hooks consumer, "Resource details to send: All") into cards: code
// pushes, pull requests and their comments, work items, classic builds,
// release deployments, YAML pipeline runs and TFVC check-ins.
//
// The event is the body's eventType. Every payload is read leniently: a
// field that is missing or shaped differently from Microsoft's samples reads
// as empty, so only a body that is not JSON at all is an error.
package azuredevops

import (
	"fmt"
	"html"
	"regexp"
	"strings"
	"time"

	"github.com/heraldhq/herald/connector"
	"github.com/heraldhq/herald/connector/cardkit"
	"github.com/heraldhq/herald/connector/lenient"
)

// Events are the event types this translator makes cards for, for the
// catalog and per-connection event filters. Other event types that carry
// Azure's own message text get a plain card from it.
var Events = []string{
	"git.push",
	"git.pullrequest.created",
	"git.pullrequest.updated",
	"git.pullrequest.merged",
	"ms.vss-code.git-pullrequest-comment-event",
	"tfvc.checkin",
	"workitem.created",
	"workitem.updated",
	"workitem.commented",
	"workitem.deleted",
	"workitem.restored",
	"build.complete",
	"ms.vss-release.release-created-event",
	"ms.vss-release.release-abandoned-event",
	"ms.vss-release.deployment-started-event",
	"ms.vss-release.deployment-completed-event",
	"ms.vss-release.deployment-approval-pending-event",
	"ms.vss-release.deployment-approval-completed-event",
	"ms.vss-pipelines.run-state-changed-event",
	"ms.vss-pipelines.stage-state-changed-event",
	"ms.vss-pipelines.job-state-changed-event",
}

// Translate turns one service hook delivery into cards.
func Translate(d connector.Delivery) (connector.Output, error) {
	root, err := decode(d.Body)
	if err != nil {
		return connector.Output{}, fmt.Errorf("azuredevops: body is not JSON: %w", err)
	}
	event := strings.TrimSpace(root.Get("eventType").Str())
	if event == "" {
		return connector.Output{Ignored: "not an Azure DevOps service hook: no eventType"}, nil
	}
	h := hook{event: event, root: root, res: root.Get("resource")}
	var out connector.Output
	switch event {
	case "git.push":
		out = h.push()
	case "git.pullrequest.created", "git.pullrequest.updated", "git.pullrequest.merged":
		out = h.pullRequest()
	case "ms.vss-code.git-pullrequest-comment-event":
		out = h.pullRequestComment()
	case "tfvc.checkin":
		out = h.checkin()
	case "workitem.created", "workitem.updated", "workitem.commented", "workitem.deleted", "workitem.restored":
		out = h.workItem()
	case "build.complete":
		out = h.build()
	case "ms.vss-release.release-created-event", "ms.vss-release.release-abandoned-event":
		out = h.release()
	case "ms.vss-release.deployment-started-event", "ms.vss-release.deployment-completed-event":
		out = h.deployment()
	case "ms.vss-release.deployment-approval-pending-event", "ms.vss-release.deployment-approval-completed-event":
		out = h.approval()
	case "ms.vss-pipelines.run-state-changed-event", "ms.vss-pipelines.stage-state-changed-event", "ms.vss-pipelines.job-state-changed-event":
		out = h.run()
	default:
		out = h.generic()
	}
	out.Event = event
	return out, nil
}

// hook is one decoded delivery.
type hook struct {
	event string
	root  node // the whole body
	res   node // its resource
}

// post wraps one card as an Output.
func post(c cardkit.Card) connector.Output {
	return connector.Output{Cards: []connector.Card{c.Build()}}
}

// messageLine is the first line of Azure's own plain-text message, which
// names who did what (e.g. "Jamal Hartnett marked the pull request as
// completed").
func (h hook) messageLine() string {
	for _, p := range [][]string{{"message", "text"}, {"detailedMessage", "text"}} {
		if s := cardkit.FirstLine(h.root.Get(p...).Str()); s != "" {
			return s
		}
	}
	return ""
}

var mdLinkRE = regexp.MustCompile(`\[[^\]]*\]\((https?://[^)\s]+)\)`)

// messageLink returns the first web link in Azure's markdown messages whose
// URL contains want ("" for any), skipping links to REST APIs.
func (h hook) messageLink(want string) string {
	for _, p := range [][]string{{"message", "markdown"}, {"detailedMessage", "markdown"}} {
		for _, m := range mdLinkRE.FindAllStringSubmatch(h.root.Get(p...).Str(), -1) {
			if strings.Contains(m[1], "/_apis/") {
				continue
			}
			if want == "" || strings.Contains(m[1], want) {
				return m[1]
			}
		}
	}
	return ""
}

// baseURL is the organisation or collection URL, with a trailing slash,
// when the payload carries one.
func (h hook) baseURL() string {
	for _, c := range []string{"project", "collection", "account"} {
		if u := h.root.Get("resourceContainers", c, "baseUrl").Str(); webURL(u) {
			return strings.TrimRight(u, "/") + "/"
		}
	}
	return ""
}

// generic covers event types without a dedicated layout with Azure's own
// message; with no message there is nothing to show.
func (h hook) generic() connector.Output {
	line := h.messageLine()
	if line == "" {
		return connector.Output{Ignored: "event not covered: " + h.event}
	}
	return post(cardkit.Card{Color: cardkit.Accent, Title: cardkit.Truncate(line, 200), TitleURL: h.messageLink("")})
}

// node is a decoded JSON value read leniently (see package lenient).
type node = lenient.Node

var decode = lenient.Decode

var emailSuffix = regexp.MustCompile(`^\s*([^<>]*?)\s*<[^<>\s]+@[^<>\s]+>\s*$`)

// person names an identity: an object with displayName (or name or
// uniqueName), or a string such as "Jamal Hartnett <jamal@example.com>",
// shown without the address.
func person(n node) string {
	switch x := n.V.(type) {
	case string:
		return identityName(x)
	case map[string]any:
		for _, k := range []string{"displayName", "name", "uniqueName"} {
			if s, ok := x[k].(string); ok {
				if s = identityName(s); s != "" {
					return s
				}
			}
		}
	}
	return ""
}

// identityName drops a trailing " <address>" from an identity string.
func identityName(s string) string {
	if m := emailSuffix.FindStringSubmatch(s); m != nil && m[1] != "" {
		return m[1]
	}
	return strings.TrimSpace(s)
}

// first returns the first non-empty string.
func first(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return x
		}
	}
	return ""
}

// webURL reports whether s is an http(s) URL.
func webURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// stripUserinfo drops "user@" from a URL: Azure's remoteUrl carries the
// organisation as a user name ("https://org@dev.azure.com/...").
func stripUserinfo(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	host := rest
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		host = rest[:i]
	}
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		rest = rest[at+1:]
	}
	return scheme + "://" + rest
}

// repoURL is a Git repository's web address.
func repoURL(repo node) string {
	for _, u := range []string{repo.Get("webUrl").Str(), repo.Get("remoteUrl").Str()} {
		if webURL(u) {
			return strings.TrimRight(stripUserinfo(u), "/")
		}
	}
	return ""
}

// shortRef strips refs/heads/ or refs/tags/.
func shortRef(ref string) string {
	if s, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		return s
	}
	if s, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		return s
	}
	return ref
}

// headBranch is the branch of a refs/heads/ ref, else "".
func headBranch(ref string) string {
	s, _ := strings.CutPrefix(ref, "refs/heads/")
	if s == ref {
		return ""
	}
	return s
}

// duration formats the time between two timestamps, "" when unknown.
func duration(start, finish string) string {
	s, err1 := time.Parse(time.RFC3339Nano, start)
	f, err2 := time.Parse(time.RFC3339Nano, finish)
	if err1 != nil || err2 != nil || f.Before(s) || s.Year() < 2000 {
		return ""
	}
	d := f.Sub(s).Round(time.Second)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm %ds", int(d.Minutes()), int(d.Seconds())%60)
	default:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
}

var (
	htmlBreak = regexp.MustCompile(`(?i)<br\s*/?>|</(p|div|li|tr|h[1-6])>`)
	htmlTag   = regexp.MustCompile(`<[^>]*>`)
	blankRuns = regexp.MustCompile(`\n{3,}`)
)

// htmlText turns an HTML field (work item comments and descriptions) into
// plain text.
func htmlText(s string) string {
	s = htmlBreak.ReplaceAllString(s, "\n")
	s = htmlTag.ReplaceAllString(s, "")
	s = html.UnescapeString(s)
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(blankRuns.ReplaceAllString(strings.Join(lines, "\n"), "\n\n"))
}

// bold is escaped bold markdown, or "" for "".
func bold(s string) string {
	if s == "" {
		return ""
	}
	return "**" + cardkit.MD(s) + "**"
}

// join joins the non-empty parts with sep.
func join(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

// outcome is the card colour and wording of a build, run or deployment
// result.
func outcome(result string) (color, word string) {
	switch strings.ToLower(result) {
	case "succeeded", "success", "approved":
		return cardkit.Good, "succeeded"
	case "partiallysucceeded", "partially succeeded":
		return cardkit.Warning, "partially succeeded"
	case "failed", "failure":
		return cardkit.Attention, "failed"
	case "rejected":
		return cardkit.Attention, "rejected"
	case "canceled", "cancelled":
		return cardkit.Warning, "canceled"
	case "stopped":
		return cardkit.Warning, "stopped"
	case "skipped":
		return cardkit.Accent, "skipped"
	case "":
		return cardkit.Accent, "completed"
	}
	return cardkit.Accent, humanize(result)
}

// humanize splits a camelCase word: "individualCI" -> "individual CI".
func humanize(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		upper := r >= 'A' && r <= 'Z'
		if i > 0 && upper {
			prevLower := rs[i-1] >= 'a' && rs[i-1] <= 'z'
			nextLower := i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z'
			prevUpper := rs[i-1] >= 'A' && rs[i-1] <= 'Z'
			if prevLower || (prevUpper && nextLower) {
				b.WriteByte(' ')
			}
		}
		if i > 0 && upper && i+1 < len(rs) && rs[i+1] >= 'a' && rs[i+1] <= 'z' {
			r = r - 'A' + 'a'
		}
		b.WriteRune(r)
	}
	return b.String()
}

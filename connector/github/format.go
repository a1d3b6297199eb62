package github

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/heraldhq/herald/connector/cardkit"
)

// Lengths of the texts a card quotes.
const (
	maxBody    = 600 // comment, description and review bodies
	maxSubject = 100 // commit subjects and one-line texts
	maxTitle   = 200 // issue, pull request and discussion titles
)

// actor returns who did it: the sender's login, else the pusher's name.
func (p *payload) actor() string {
	if n := login(p.Sender); n != "" {
		return n
	}
	if p.Pusher != nil && p.Pusher.Name != "" {
		return p.Pusher.Name
	}
	return "Someone"
}

// repoName is the repository's owner/name.
func (p *payload) repoName() string {
	if p.Repository == nil {
		return ""
	}
	if p.Repository.FullName != "" {
		return p.Repository.FullName
	}
	return p.Repository.Name
}

// repoURL is the repository's page, "" when unknown.
func (p *payload) repoURL() string {
	if p.Repository == nil {
		return ""
	}
	return safeURL(p.Repository.HTMLURL)
}

// commitURL is a commit's page in the repository.
func (p *payload) commitURL(sha string) string {
	if !isHex(sha) || p.repoURL() == "" {
		return ""
	}
	return p.repoURL() + "/commit/" + sha
}

// treeURL is the page of a branch or tag.
func (p *payload) treeURL(ref string) string {
	if ref == "" || p.repoURL() == "" {
		return ""
	}
	return p.repoURL() + "/tree/" + (&url.URL{Path: ref}).EscapedPath()
}

func login(u *user) string {
	if u == nil {
		return ""
	}
	return u.Login
}

// logins lists users by login: "a, b and c".
func logins(users []user) string {
	var names []string
	for _, u := range users {
		if u.Login != "" {
			names = append(names, u.Login)
		}
	}
	return joinAnd(names)
}

func joinAnd(list []string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + " and " + list[len(list)-1]
}

func bold(s string) string { return "**" + cardkit.MD(s) + "**" }

// numbered is the heading of an issue, pull request or discussion.
func numbered(n int, title string) string {
	title = cardkit.Truncate(cardkit.FirstLine(title), maxTitle)
	if n <= 0 {
		return title
	}
	if title == "" {
		return "#" + strconv.Itoa(n)
	}
	return "#" + strconv.Itoa(n) + " " + title
}

// safeURL keeps web links only: a payload cannot make a card open
// javascript: or file: URLs.
func safeURL(u string) string {
	u = strings.TrimSpace(u)
	lower := strings.ToLower(u)
	if !strings.HasPrefix(lower, "https://") && !strings.HasPrefix(lower, "http://") {
		return ""
	}
	if strings.ContainsAny(u, "\r\n\t<>") || !utf8.ValidString(u) {
		return ""
	}
	return strings.ReplaceAll(u, " ", "%20")
}

// firstURL returns the first of urls that is a web link.
func firstURL(urls ...string) string {
	for _, u := range urls {
		if u = safeURL(u); u != "" {
			return u
		}
	}
	return ""
}

func isHex(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && (r < 'a' || r > 'f') && (r < 'A' || r > 'F') {
			return false
		}
	}
	return true
}

// short is the abbreviated commit SHA.
func short(sha string) string {
	if isHex(sha) {
		return prefix(sha, 7)
	}
	return cardkit.Truncate(sha, 12)
}

// prefix is the first n bytes of an ASCII s such as a SHA.
func prefix(s string, n int) string { return s[:min(n, len(s))] }

// oneLine is the first line of s, shortened.
func oneLine(s string) string { return cardkit.Truncate(cardkit.FirstLine(s), maxSubject) }

// excerpt is a body as a card shows it: without the HTML comments of issue
// and pull request templates, and shortened.
func excerpt(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for {
		i := strings.Index(s, "<!--")
		if i < 0 {
			break
		}
		j := strings.Index(s[i:], "-->")
		if j < 0 {
			s = s[:i]
			break
		}
		s = s[:i] + s[i+j+len("-->"):]
	}
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return cardkit.Truncate(strings.TrimSpace(s), maxBody)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// result describes a CI conclusion or state: a verb and an accent colour.
func result(conclusion string) (text, color string) {
	switch conclusion {
	case "success":
		return "succeeded", cardkit.Good
	case "failure":
		return "failed", cardkit.Attention
	case "error":
		return "errored", cardkit.Attention
	case "timed_out":
		return "timed out", cardkit.Attention
	case "startup_failure":
		return "failed to start", cardkit.Attention
	case "action_required":
		return "needs action", cardkit.Warning
	case "cancelled":
		return "was cancelled", cardkit.Warning
	case "stale":
		return "went stale", cardkit.Warning
	case "neutral":
		return "completed", cardkit.Accent
	case "":
		return "completed", cardkit.Accent
	}
	return "completed (" + conclusion + ")", cardkit.Accent
}

// sentence builds a card's subtitle (markdown) and its summary (plain
// text) side by side, so that the two say the same thing.
type sentence struct{ md, plain strings.Builder }

// says starts a sentence with the actor, in bold.
func (p *payload) says() *sentence {
	s := &sentence{}
	s.md.WriteString(bold(p.actor()))
	s.plain.WriteString(p.actor())
	return s
}

// say adds the translator's own words, the same in both.
func (s *sentence) say(words string) *sentence {
	s.md.WriteString(words)
	s.plain.WriteString(words)
	return s
}

// name adds a value from the payload (a branch, a team), escaped.
func (s *sentence) name(v string) *sentence {
	s.md.WriteString(cardkit.MD(v))
	s.plain.WriteString(v)
	return s
}

// link adds a value linked to url.
func (s *sentence) link(v, url string) *sentence {
	s.md.WriteString(cardkit.Link(v, url))
	s.plain.WriteString(v)
	return s
}

// commit adds a commit's short SHA, linked to its page.
func (s *sentence) commit(p *payload, sha string) *sentence {
	if sha == "" {
		return s.say("a commit")
	}
	return s.link(short(sha), p.commitURL(sha))
}

// obj adds an object that the subtitle names briefly (the card's title
// says the rest) and the summary in full.
func (s *sentence) obj(md, plain string) *sentence {
	s.md.WriteString(md)
	s.plain.WriteString(plain)
	return s
}

// repo adds " <prep> owner/name", linked, when the payload has a
// repository.
func (s *sentence) repo(prep string, p *payload) *sentence {
	if p.repoName() == "" {
		return s
	}
	return s.say(" "+prep+" ").link(p.repoName(), p.repoURL())
}

// fill sets the card's subtitle and summary.
func (s *sentence) fill(c *cardkit.Card) {
	c.Subtitle = s.md.String()
	c.Summary = s.plain.String()
}

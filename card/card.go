package card

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"sync"
)

// MaxBodyBytes is the Teams message size limit (28 KB).
const MaxBodyBytes = 28672

// hardLimit is the largest body Parse looks at at all. The caller enforces the
// (configurable) message limit first; this only bounds memory and CPU when a
// caller raises that limit a lot or forgets it.
const hardLimit = 1 << 20

// Format names the payload shape a message arrived in.
type Format string

const (
	// FormatAdaptive is the Teams envelope {"type":"message","attachments":[{contentType adaptive...}]}.
	FormatAdaptive Format = "adaptive"
	// FormatMessageCard is the legacy Office 365 connector card.
	FormatMessageCard Format = "messagecard"
	// FormatSlack is a Slack incoming-webhook payload (text, blocks, attachments).
	FormatSlack Format = "slack"
	// FormatText is a text/plain body.
	FormatText Format = "text"
)

// Message is the canonical result of one webhook payload.
type Message struct {
	Format Format
	// Summary is short plain text for lists and notifications (at most 200
	// runes): the sender's summary, else the title, else the first text.
	Summary string
	// Card is the canonical Adaptive Card JSON:
	// {"type":"AdaptiveCard","$schema":...,"version":"1.5","body":[...],"actions":[...], ...}.
	Card json.RawMessage
}

// Error is a payload rejection with the exact HTTP status and plain-text body
// the sender must see.
type Error struct {
	Status int
	Text   string
}

// Error returns Text, so that it can be written to the sender unchanged.
func (e *Error) Error() string { return e.Text }

// Texts Teams and Slack send back; senders and their libraries match on them.
const (
	textSummaryRequired = "Summary or Text is required."
	textBadPayload      = "Bad payload received by generic incoming webhook."
	slackInvalidPayload = "invalid_payload"
	slackNoText         = "no_text"
)

func badRequest(text string) *Error { return &Error{Status: 400, Text: text} }

func tooLarge(n int) *Error {
	return &Error{Status: 413, Text: "Payload too large: " + strconv.Itoa(n) +
		" bytes; this server reads at most " + strconv.Itoa(hardLimit) + " bytes."}
}

// syntaxText turns a JSON syntax error into the plain-text body for the sender,
// with the line and column when the body spans several lines.
func syntaxText(src string, err error) string {
	se, ok := err.(*syntaxError)
	if !ok {
		return "Invalid JSON."
	}
	if se.msg == "the body is empty" {
		return "Invalid JSON: the body is empty."
	}
	if se.msg == "nested deeper than 64 levels" {
		return "Invalid JSON: objects and arrays are nested deeper than 64 levels at offset " + strconv.Itoa(se.off) + "."
	}
	s := "Invalid JSON: " + se.msg + " at offset " + strconv.Itoa(se.off)
	if strings.IndexByte(src, '\n') >= 0 {
		off := min(se.off, len(src))
		line := 1 + strings.Count(src[:off], "\n")
		col := off - strings.LastIndexByte(src[:off], '\n')
		s += " (line " + strconv.Itoa(line) + ", column " + strconv.Itoa(col) + ")"
	}
	return s + "."
}

// state is the per-call working memory, pooled so that a parse reuses the
// slices of earlier ones.
type state struct {
	t   tree
	e   enc
	buf []byte // scratch for text conversion

	// Slack conversion state.
	lastText string // text of the last TextBlock written
	first    string // first text shown, for the summary
	divider  bool   // a divider block asks for a separator on the next element
}

var statePool = sync.Pool{New: func() any { return new(state) }}

func getState() *state { return statePool.Get().(*state) }

func putState(s *state) {
	// Do not let one huge payload pin its buffers in the pool.
	if cap(s.e.b) > 256<<10 || cap(s.t.nodes) > 16<<10 || cap(s.t.kids) > 32<<10 || cap(s.buf) > 256<<10 {
		return
	}
	s.t.src = ""
	statePool.Put(s)
}

// mediaType returns the lower-case media type without parameters.
func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	if i := strings.IndexByte(contentType, ';'); i >= 0 {
		contentType = contentType[:i]
	}
	return strings.ToLower(strings.TrimSpace(contentType))
}

// firstNonSpace returns the first byte of s that is not JSON white space (or a BOM).
func firstNonSpace(s string) byte {
	s = strings.TrimPrefix(s, "\ufeff")
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
		default:
			return s[i]
		}
	}
	return 0
}

// formPayload extracts the payload field of an application/x-www-form-urlencoded
// body, as Slack accepts it (payload=<json>).
func formPayload(body string) (string, bool) {
	if !strings.Contains(body, "payload=") {
		return "", false
	}
	v, err := url.ParseQuery(strings.TrimSpace(body))
	if err != nil || !v.Has("payload") {
		return "", false
	}
	return v.Get("payload"), true
}

// Parse reads a payload POSTed to an Incoming Webhook (Teams URL). contentType
// is the request header. Errors are *Error.
//
// The shape is detected from the body, as Teams does: the message envelope with
// an Adaptive Card attachment, a Slack-shaped body (blocks, or Slack-style
// attachments), anything else JSON as a MessageCard; a text/plain body that is
// not a JSON object is plain text.
func Parse(contentType string, body []byte) (*Message, error) {
	if len(body) > hardLimit {
		return nil, tooLarge(len(body))
	}
	s := getState()
	defer putState(s)
	src := string(body)
	mt := mediaType(contentType)
	if mt == "text/plain" && firstNonSpace(src) != '{' {
		return s.plainText(src)
	}
	if mt == "application/x-www-form-urlencoded" && firstNonSpace(src) != '{' {
		if p, ok := formPayload(src); ok {
			src = p
		}
	}
	root, err := s.t.parse(src)
	if err != nil {
		if mt == "text/plain" {
			// It only looked like JSON; the sender said text.
			return s.plainText(src)
		}
		return nil, badRequest(syntaxText(src, err))
	}
	if !s.t.isObject(root) {
		return nil, badRequest(textBadPayload)
	}
	return s.teams(root)
}

// ParseSlack reads a payload POSTed to the Slack-compatible URL: a JSON body,
// or a form-encoded payload=<json> as Slack accepts. Errors are *Error with
// Slack's texts.
func ParseSlack(contentType string, body []byte) (*Message, error) {
	if len(body) > hardLimit {
		return nil, tooLarge(len(body))
	}
	s := getState()
	defer putState(s)
	src := string(body)
	if firstNonSpace(src) != '{' {
		p, ok := formPayload(src)
		if !ok {
			return nil, badRequest(slackInvalidPayload)
		}
		src = p
	}
	root, err := s.t.parse(src)
	if err != nil || !s.t.isObject(root) {
		return nil, badRequest(slackInvalidPayload)
	}
	m, ok := s.slack(root)
	if !ok {
		return nil, badRequest(slackNoText)
	}
	return m, nil
}

// teams dispatches a parsed JSON object on its shape.
func (s *state) teams(root int32) (*Message, error) {
	t := &s.t
	atts := t.get(root, "attachments")
	if t.isArray(atts) {
		var adaptive, connector, slackish, other int
		for _, a := range t.items(atts) {
			if !t.isObject(a) {
				continue
			}
			ct := t.get(a, "contenttype")
			switch {
			case ct == none:
				slackish++
			case equalFold(strings.TrimSpace(t.text(ct)), contentTypeAdaptive):
				adaptive++
			case equalFold(strings.TrimSpace(t.text(ct)), contentTypeConnector):
				connector++
			default:
				other++
			}
		}
		switch {
		case adaptive > 0:
			return s.adaptive(root, atts)
		case connector > 0:
			for _, a := range t.items(atts) {
				if equalFold(strings.TrimSpace(t.str(a, "contenttype")), contentTypeConnector) {
					if c := s.content(a); t.isObject(c) {
						return s.messageCard(c)
					}
				}
			}
		case slackish > 0 && !equalFold(t.str(root, "type"), "message"):
			return s.slackOnTeams(root)
		}
		if equalFold(t.str(root, "type"), "message") && other+connector > 0 && isBlank(t.str(root, "text")) {
			return nil, badRequest(`The message has no Adaptive Card attachment: set "contentType" to "` + contentTypeAdaptive + `".`)
		}
	}
	if t.isArray(t.get(root, "blocks")) || slackOnly(t, root) {
		return s.slackOnTeams(root)
	}
	return s.messageCard(root)
}

// slackOnTeams converts a Slack-shaped body posted to a Teams URL; an empty
// result gets Teams' MessageCard error, since that is how Teams reads it.
func (s *state) slackOnTeams(root int32) (*Message, error) {
	m, ok := s.slack(root)
	if !ok {
		return nil, badRequest(textSummaryRequired)
	}
	return m, nil
}

// finish copies the encoded card out of the pooled buffer.
func (s *state) finish(f Format, summary string) *Message {
	c := make([]byte, len(s.e.b))
	copy(c, s.e.b)
	return &Message{Format: f, Summary: summarize(summary), Card: c}
}

// cardHeader starts a canonical card with the given version.
func (s *state) cardHeader(version string) {
	s.e.b = s.e.b[:0]
	s.e.b = append(s.e.b, `{"type":"AdaptiveCard","$schema":"http://adaptivecards.io/schemas/adaptive-card.json","version":`...)
	s.e.b = appendQuoted(s.e.b, version)
}

// plainText makes a one-TextBlock card of a text/plain body.
func (s *state) plainText(src string) (*Message, error) {
	src = strings.TrimPrefix(src, "\ufeff")
	if isBlank(src) {
		return nil, badRequest("Text is required: the request body is empty.")
	}
	text := s.markdown(strings.TrimSpace(src), true)
	s.cardHeader("1.5")
	s.e.key("body")
	s.e.open('[')
	s.textBlock(text, "")
	s.e.close(']')
	s.e.close('}')
	return s.finish(FormatText, src), nil
}

// textBlock writes a wrapping TextBlock; extra is pre-encoded members
// (",\"size\":\"Large\"") or "". Blank text writes nothing.
func (s *state) textBlock(text, extra string) bool {
	if isBlank(text) {
		return false
	}
	s.lastText = text
	s.e.open('{')
	s.e.b = append(s.e.b, `"type":"TextBlock","text":`...)
	s.e.b = appendQuoted(s.e.b, text)
	s.e.b = append(s.e.b, `,"wrap":true`...)
	s.e.b = append(s.e.b, extra...)
	s.e.close('}')
	return true
}

// isBlank reports whether s has no visible characters.
func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\r', '\f', '\v':
		default:
			return false
		}
	}
	return true
}

// slackKeys are top-level members only Slack payloads have; with one of them
// a {"text": ...} body is read as Slack (mrkdwn links, username) rather than
// as a MessageCard.
var slackKeys = [...]string{"username", "icon_emoji", "icon_url", "channel", "mrkdwn",
	"unfurl_links", "unfurl_media", "link_names", "thread_ts", "reply_broadcast"}

func slackOnly(t *tree, root int32) bool {
	for _, k := range slackKeys {
		if t.has(root, k) {
			return true
		}
	}
	return false
}

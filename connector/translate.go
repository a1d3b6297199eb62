package connector

import (
	"encoding/json"
	"net/http"
)

// Delivery is one webhook request from a third-party service: its headers
// (X-GitHub-Event, X-Gitlab-Event, ...) and body.
type Delivery struct {
	Header http.Header
	Body   []byte
}

// Card is one message a translator makes: a canonical Adaptive Card and the
// short summary shown in lists and notifications.
type Card struct {
	Summary string
	Card    json.RawMessage
}

// Output is what a translator makes of one delivery.
type Output struct {
	// Event names what happened in the service's terms, e.g. "push",
	// "pull_request.opened", "alert.firing". Per-connection event filters
	// and the delivery log use it.
	Event string
	// Cards are the messages to post; none for events not worth a message.
	Cards []Card
	// Ignored says why nothing is posted when Cards is empty, e.g.
	// "check run in progress" or "event not covered: label". Not an error:
	// the delivery is answered 200 and logged.
	Ignored string
	// Ping marks a service's test event (GitHub ping, GitLab test hooks):
	// answered, never posted.
	Ping bool
	// Branch is the branch the event concerns (pushes, and pull requests'
	// target), for per-connection branch filters; "" when none.
	Branch string
}

// Translator turns a service's native payload into cards. It is pure: no
// I/O, no clock. It returns an error only when the body cannot be read as
// that service's payload at all (the sender gets 400); events it does not
// cover are an Output with Ignored set.
type Translator func(d Delivery) (Output, error)

package connector

import (
	"path"
	"strings"
)

// BranchAllowed reports whether an event on branch passes a connection's
// branch filter: patterns separated by commas, each a branch name or a
// glob ("release/*"). An empty filter allows every branch, and events that
// concern no branch always pass.
func BranchAllowed(filter, branch string) bool {
	if strings.TrimSpace(filter) == "" || branch == "" {
		return true
	}
	for p := range strings.SplitSeq(filter, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if p == branch {
			return true
		}
		if ok, err := path.Match(p, branch); err == nil && ok {
			return true
		}
	}
	return false
}

// EventAllowed reports whether an event passes a connection's event filter:
// a list of event names or prefixes ("pull_request" allows
// "pull_request.opened"). An empty filter allows every event.
func EventAllowed(filter []string, event string) bool {
	if len(filter) == 0 {
		return true
	}
	for _, f := range filter {
		if f == event || strings.HasPrefix(event, f+".") {
			return true
		}
	}
	return false
}

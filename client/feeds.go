package client

import (
	"context"
	"net/http"
	"net/url"
	"time"
)

// ConnectorRSS is the id of the feed connector: a connection of it polls an
// RSS, Atom or JSON Feed (ConnectionConfig.URL) on a schedule and posts each
// new item to its channel once. It has no webhook URL.
const ConnectorRSS = "rss"

// Feed poll outcomes, in FeedState.LastStatus.
const (
	// FeedOK: the feed was fetched and read; its new items were posted.
	FeedOK = "ok"
	// FeedNotModified: the server answered 304 Not Modified to the
	// conditional request; nothing was new.
	FeedNotModified = "not_modified"
	// FeedError: the fetch failed or the document is not a feed;
	// FeedState.LastError says why. Herald retries with backoff.
	FeedError = "error"
	// FeedPaused: connectors are disabled for the organization or the
	// team; FeedState.LastError says which switch. Polling resumes on its
	// own when they are enabled again.
	FeedPaused = "paused"
)

// FeedState is how a feed connection's polls went, as the API reports it in
// Connection.Feed.
type FeedState struct {
	// Title is the feed's own title, from its last successful fetch.
	Title string `json:"title,omitempty"`
	// Polls counts every poll, successful or not.
	Polls int64 `json:"polls"`
	// LastStatus is the outcome of the last poll, one of the Feed
	// constants; empty before the first poll.
	LastStatus string `json:"last_status"`
	// LastError says why the last poll failed or was paused; after a
	// successful poll it may hold a warning: what Herald repaired to read
	// the feed, or how many items it skipped because too many came at once.
	LastError string `json:"last_error,omitempty"`
	// Failures counts the polls that failed in a row; a successful poll
	// resets it.
	Failures int `json:"failures"`
	// Stuck says the last failure will not mend by itself: the address is
	// invalid, or refused (a private address, say, on a server without
	// --allow-private-networks). The connection needs attention at once;
	// a new URL or a change of the server's settings mends it.
	Stuck bool `json:"stuck,omitempty"`
	// LastPollAt is when the feed was last polled, and LastOKAt when a
	// poll last succeeded; nil: never.
	LastPollAt *time.Time `json:"last_poll_at,omitempty"`
	LastOKAt   *time.Time `json:"last_ok_at,omitempty"`
	// NextPollAt is when the next poll is due: after the interval, or
	// later after failures (the backoff doubles with each).
	NextPollAt *time.Time `json:"next_poll_at,omitempty"`
	// ItemsPosted counts the messages the connection's polls posted, and
	// LastPosted those the last poll posted.
	ItemsPosted int64 `json:"items_posted"`
	LastPosted  int   `json:"last_posted"`
}

// PollConnection polls a feed connection now ("refresh now"), posts what is
// new in its feed, and returns the connection with Feed updated. A failed
// fetch is not an error of the call: it is in Feed (LastStatus FeedError,
// LastError). A connection that receives webhooks instead is refused as
// invalid.
func (c *Client) PollConnection(ctx context.Context, id string) (*Connection, error) {
	var conn Connection
	if err := c.do(ctx, http.MethodPost, "/connections/"+url.PathEscape(id)+"/poll", nil, nil, &conn); err != nil {
		return nil, err
	}
	return &conn, nil
}

package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/heraldhq/herald/client"
)

// pollTimeout bounds `connection poll`: the server's fetch of the feed alone
// may take 30 s, and a request cut short leaves the poll unrecorded.
const pollTimeout = 90 * time.Second

// defaultInterval and defaultFirstItems are the server's defaults for a
// feed connection, shown when a connection's settings lack them.
const (
	defaultInterval   = 15 * time.Minute
	defaultFirstItems = 3
)

// isFeed reports whether a connection polls a feed rather than receiving
// webhooks.
func isFeed(conn *client.Connection) bool {
	return conn.Feed != nil || conn.Connector == client.ConnectorRSS
}

// ConnectionPollCmd is `herald connection poll ID`.
type ConnectionPollCmd struct {
	ID string `arg:"" help:"Feed connection id ('herald connection list --channel ID' shows them)."`
}

// Run polls the feed now and shows how it went. A poll that failed or was
// paused is an error, after the state is printed.
func (c *ConnectionPollCmd) Run(e *cliEnv) error {
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(e.ctx, pollTimeout)
	defer cancel()
	conn, err := cl.PollConnection(ctx, c.ID)
	if err != nil {
		return err
	}
	if e.flags.JSON {
		if err := e.printJSON(conn); err != nil {
			return err
		}
		return pollFailure(conn)
	}
	f := conn.Feed
	if f == nil {
		f = &client.FeedState{}
	}
	var outcome string
	switch f.LastStatus {
	case client.FeedOK:
		outcome = fmt.Sprintf("%d new %s posted to the channel", f.LastPosted, plural(f.LastPosted, "item", "items"))
	case client.FeedNotModified:
		outcome = "the feed has not changed since the last poll"
	case client.FeedError:
		outcome = "the poll failed"
	case client.FeedPaused:
		outcome = "polling is paused"
	default:
		outcome = "status " + cell(f.LastStatus, 0)
	}
	fmt.Fprintf(e.stdout, "Polled the feed of connection %s %q: %s.\n", cell(conn.ID, 0), clean(conn.Name), outcome)
	w := e.table()
	printSettings(w, conn)
	printFeedState(w, conn, time.Now())
	if err := w.Flush(); err != nil {
		return err
	}
	return pollFailure(conn)
}

// pollFailure is the error of `connection poll` when the poll did not
// succeed, so that scripts see it in the exit status.
func pollFailure(conn *client.Connection) error {
	if conn.Feed == nil {
		return nil
	}
	switch conn.Feed.LastStatus {
	case client.FeedError:
		return fmt.Errorf("the feed could not be polled: %s", clean(conn.Feed.LastError))
	case client.FeedPaused:
		return fmt.Errorf("the feed was not polled: %s", clean(conn.Feed.LastError))
	}
	return nil
}

// printFeedSettings adds a feed connection's settings to a table of
// printConnection's shape.
func printFeedSettings(w *tabwriter.Writer, conn *client.Connection) {
	cfg := conn.Config
	interval := defaultInterval
	if cfg.Interval != nil {
		interval = time.Duration(*cfg.Interval)
	}
	fmt.Fprintf(w, "Feed URL:\t%s\n", cell(cfg.URL, 0))
	if conn.Feed != nil && conn.Feed.Title != "" {
		fmt.Fprintf(w, "Title:\t%s\n", cell(conn.Feed.Title, 0))
	}
	fmt.Fprintf(w, "Interval:\t%s\n", fmtDuration(interval))
	if conn.Feed == nil || conn.Feed.LastOKAt == nil {
		first := cfg.FirstItems
		if first <= 0 {
			first = defaultFirstItems
		}
		fmt.Fprintf(w, "First poll:\tposts the newest %d %s; later polls post every new item\n", first, plural(first, "item", "items"))
	}
}

// printFeedState adds how a feed connection's polls went to a table of
// printConnection's shape; nothing for other connections.
func printFeedState(w *tabwriter.Writer, conn *client.Connection, now time.Time) {
	f := conn.Feed
	if f == nil {
		return
	}
	fmt.Fprintf(w, "Last poll:\t%s\n", lastPoll(f, now))
	if f.LastStatus == client.FeedError || f.LastStatus == client.FeedPaused {
		fmt.Fprintf(w, "Last success:\t%s\n", whenPtr(f.LastOKAt))
	}
	switch {
	case f.LastStatus == client.FeedError && f.Stuck:
		fmt.Fprintf(w, "Failures:\t%d in a row; Herald cannot fetch this feed until its URL (connection set --feed-url) or the server's settings change\n", f.Failures)
	case f.LastStatus == client.FeedError:
		fmt.Fprintf(w, "Failures:\t%d in a row; Herald keeps trying, waiting longer after each\n", f.Failures)
	}
	switch {
	case f.NextPollAt != nil && !f.NextPollAt.After(now):
		fmt.Fprintf(w, "Next poll:\tdue now\n")
	case f.NextPollAt != nil:
		fmt.Fprintf(w, "Next poll:\t%s (%s)\n", when(*f.NextPollAt), relative(*f.NextPollAt, now))
	case f.LastStatus == "":
		fmt.Fprintf(w, "Next poll:\tdue now\n")
	}
	if f.LastStatus == "" {
		return // nothing to count yet
	}
	fmt.Fprintf(w, "Polls:\t%d\n", f.Polls)
	if f.ItemsPosted > 0 && conn.LastDeliveryAt != nil {
		fmt.Fprintf(w, "Items posted:\t%d, the last at %s\n", f.ItemsPosted, when(*conn.LastDeliveryAt))
	} else {
		fmt.Fprintf(w, "Items posted:\t%d\n", f.ItemsPosted)
	}
}

// lastPoll says how a feed's last poll went, for a person.
func lastPoll(f *client.FeedState, now time.Time) string {
	at := "-"
	if f.LastPollAt != nil {
		at = when(*f.LastPollAt) + " (" + relative(*f.LastPollAt, now) + ")"
	}
	switch f.LastStatus {
	case "":
		return "not yet"
	case client.FeedOK:
		s := "ok at " + at
		if f.LastPosted > 0 {
			s += fmt.Sprintf(", %d new %s posted", f.LastPosted, plural(f.LastPosted, "item", "items"))
		}
		if f.LastError != "" {
			s += "; note: " + clean(f.LastError)
		}
		return s
	case client.FeedNotModified:
		return "ok at " + at + ": not modified since the poll before"
	case client.FeedError:
		return "failed at " + at + ": " + clean(f.LastError)
	case client.FeedPaused:
		return "paused at " + at + ": " + clean(f.LastError) + " (polling resumes when connectors are enabled again)"
	}
	return cell(f.LastStatus, 0) + " at " + at
}

// pollSummary is lastPoll in a few words, for a table cell.
func pollSummary(f *client.FeedState, now time.Time) string {
	if f == nil || f.LastStatus == "" {
		return "not yet"
	}
	status := cell(f.LastStatus, 20)
	switch f.LastStatus {
	case client.FeedNotModified:
		status = "ok (unchanged)"
	case client.FeedError:
		status = fmt.Sprintf("failed (%d in a row)", f.Failures)
	}
	if f.LastPollAt == nil {
		return status
	}
	return status + ", " + relative(*f.LastPollAt, now)
}

// printFeedNext tells what happens next to a feed connection, where a
// webhook's URLs would be printed.
func printFeedNext(e *cliEnv, conn *client.Connection) {
	id := clean(conn.ID)
	if conn.Feed == nil || conn.Feed.LastStatus == "" {
		interval := defaultInterval
		if conn.Config.Interval != nil {
			interval = time.Duration(*conn.Config.Interval)
		}
		fmt.Fprintf(e.stdout, "\nHerald polls the feed within seconds, then every %s, and posts each new item to the channel once.\n", fmtDuration(interval))
		fmt.Fprintf(e.stdout, "'herald connection show %s' shows how the polls went; 'herald connection poll %s' polls now.\n", id, id)
		return
	}
	fmt.Fprintf(e.stdout, "\n'herald connection poll %s' polls the feed now.\n", id)
}

// relative says how far t is from now: "in 14m", "3m ago", "just now".
func relative(t, now time.Time) string {
	d := t.Sub(now)
	future := d > 0
	d = d.Abs()
	var s string
	switch {
	case d < time.Second && future:
		return "now"
	case d < time.Second:
		return "just now"
	case d < time.Minute:
		s = fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		s = fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		s = fmtDuration(d.Truncate(time.Minute))
	default:
		s = fmt.Sprintf("%d days", int(d/(24*time.Hour)))
	}
	if future {
		return "in " + s
	}
	return s + " ago"
}

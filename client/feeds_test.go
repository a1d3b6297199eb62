package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/app"
	"github.com/heraldhq/herald/client"
	"github.com/heraldhq/herald/internal/testserver"
)

// rssDoc is an RSS 2.0 feed of n items, the newest first, an hour apart.
func rssDoc(n int) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Release notes</title><link>https://example.com/</link><description>d</description>`)
	for i := n; i >= 1; i-- {
		at := time.Now().Add(-time.Duration(n-i+1) * time.Hour).UTC().Format(time.RFC1123Z)
		fmt.Fprintf(&b, `<item><title>Release %d</title><link>https://example.com/r/%d</link><guid>release-%d</guid><pubDate>%s</pubDate></item>`, i, i, i, at)
	}
	b.WriteString(`</channel></rss>`)
	return b.String()
}

// waitPolled asks for a connection until its feed has been polled, and
// returns it.
func waitPolled(t *testing.T, c *client.Client, id string) *client.Connection {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		conn, err := c.Connection(context.Background(), id)
		if err != nil {
			t.Fatalf("Connection: %v", err)
		}
		if conn.Feed != nil && conn.Feed.LastStatus != "" {
			return conn
		}
		if time.Now().After(deadline) {
			t.Fatalf("the feed was not polled within 20s: %+v", conn.Feed)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestFeedConnection(t *testing.T) {
	var items atomic.Int32
	items.Store(4)
	feedSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, rssDoc(int(items.Load())))
	}))
	defer feedSrv.Close()
	// The node must be allowed to fetch from 127.0.0.1.
	base := testserver.Start(t, app.Config{BootstrapToken: adminToken, AllowPrivateNetworks: true}).URL
	f := newFixture(t, base)
	c, ctx := f.c, context.Background()

	interval := client.Duration(20 * time.Minute)
	conn, err := c.CreateConnectionWith(ctx, f.channel.ID, client.ConnectionSpec{Connector: client.ConnectorRSS, Name: "Releases",
		Config: &client.ConnectionConfig{URL: feedSrv.URL + "/feed.xml", Interval: &interval}})
	if err != nil {
		t.Fatalf("CreateConnectionWith(rss): %v", err)
	}
	// The server fills in the defaults; a feed has no webhook URL.
	if conn.Config.URL != feedSrv.URL+"/feed.xml" || conn.Config.Interval == nil || *conn.Config.Interval != interval ||
		conn.Config.FirstItems != 3 || conn.WebhookURL != "" || conn.SlackURL != "" || conn.Feed == nil {
		t.Fatalf("CreateConnectionWith(rss) = %+v (feed %+v)", conn, conn.Feed)
	}

	conn = waitPolled(t, c, conn.ID)
	st := conn.Feed
	if st.LastStatus != client.FeedOK || st.Title != "Release notes" || st.ItemsPosted != 3 || st.LastPosted != 3 || st.Polls != 1 || st.Failures != 0 || st.Stuck ||
		st.LastPollAt == nil || st.LastOKAt == nil || st.NextPollAt == nil || !st.NextPollAt.After(*st.LastPollAt) {
		t.Fatalf("feed after the first poll: %+v", st)
	}
	msgs, err := c.Messages(ctx, f.channel.ID, 0, 0)
	if err != nil || len(msgs) != 3 || !strings.Contains(msgs[0].Summary, "Release 4") || !strings.Contains(msgs[2].Summary, "Release 2") {
		t.Fatalf("Messages after the first poll: %+v, %v; want releases 4, 3, 2", msgs, err)
	}

	items.Store(5) // the next poll is 20 minutes away: only PollConnection sees it
	conn, err = c.PollConnection(ctx, conn.ID)
	if err != nil {
		t.Fatalf("PollConnection: %v", err)
	}
	if st := conn.Feed; st == nil || st.LastStatus != client.FeedOK || st.Polls != 2 || st.ItemsPosted != 4 || st.LastPosted != 1 || conn.DeliveredCount != 4 {
		t.Fatalf("PollConnection = %+v (feed %+v)", conn, conn.Feed)
	}
	if msgs, err := c.Messages(ctx, f.channel.ID, 1, 0); err != nil || len(msgs) != 1 || !strings.Contains(msgs[0].Summary, "Release 5") {
		t.Errorf("the newest message after PollConnection: %+v, %v", msgs, err)
	}

	hourly := client.Duration(time.Hour)
	cfg := conn.Config
	cfg.Interval = &hourly
	if conn, err = c.UpdateConnectionSettings(ctx, conn.ID, client.ConnectionSettings{Config: &cfg}); err != nil ||
		*conn.Config.Interval != hourly || conn.Config.URL != feedSrv.URL+"/feed.xml" || conn.Feed == nil || conn.Feed.ItemsPosted != 4 {
		t.Fatalf("UpdateConnectionSettings(interval 1h) = %+v, %v", conn, err)
	}

	_, err = c.PollConnection(ctx, f.conn.ID)
	wantAPIError(t, "PollConnection of an incoming webhook", err, http.StatusBadRequest, client.CodeInvalid)
	_, err = c.PollConnection(ctx, "0123456789abcdef0123456789abcdef")
	wantAPIError(t, "PollConnection of no connection", err, http.StatusNotFound, client.CodeNotFound)

	short := client.Duration(10 * time.Second)
	_, err = c.CreateConnectionWith(ctx, f.channel.ID, client.ConnectionSpec{Connector: client.ConnectorRSS, Name: "Too often",
		Config: &client.ConnectionConfig{URL: feedSrv.URL, Interval: &short}})
	if apiErr := wantAPIError(t, "an interval of 10s", err, http.StatusBadRequest, client.CodeInvalid); !strings.Contains(apiErr.Message, "interval") {
		t.Errorf("an interval of 10s: %q does not say what is wrong", apiErr.Message)
	}
}

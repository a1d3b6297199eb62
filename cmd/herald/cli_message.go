package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/heraldhq/herald/client"
)

// MessageCmd is `herald message`.
type MessageCmd struct {
	List MessageListCmd `cmd:"" help:"Show a channel's latest messages, oldest first; --follow keeps printing new ones."`
}

// MessageListCmd is `herald message list --channel ID`.
type MessageListCmd struct {
	Channel string `name:"channel" required:"" placeholder:"ID" help:"Channel whose messages to show."`
	Limit   int    `name:"limit" default:"50" help:"How many of the latest messages to show (1-200)."`
	Before  int64  `name:"before" placeholder:"ID" help:"Show messages older than this message id, to page back."`
	Follow  bool   `name:"follow" short:"f" help:"After the latest messages, print new ones as they arrive, one line each (time, summary), until Ctrl-C. Survives network drops and server restarts without losing or repeating a message. With --json: one JSON object per line."`
}

// Run lists, and with --follow streams, the messages.
func (c *MessageListCmd) Run(e *cliEnv) error {
	if c.Limit < 1 || c.Limit > 200 {
		return errors.New("--limit must be between 1 and 200")
	}
	if c.Follow && c.Before > 0 {
		return errors.New("--follow shows new messages and --before old ones: use one or the other")
	}
	cl, err := e.client()
	if err != nil {
		return err
	}
	ctx, cancel := e.call()
	msgs, err := cl.Messages(ctx, c.Channel, c.Limit, c.Before)
	cancel()
	if err != nil {
		return err
	}
	if !c.Follow {
		if e.flags.JSON {
			return e.printJSON(map[string]any{"messages": nonNil(msgs)})
		}
		return printMessages(e, c, msgs)
	}

	print := func(m client.Message) error { return printMessageLine(e.stdout, m, e.flags.JSON) }
	var last int64
	for _, m := range slices.Backward(msgs) { // the API sends newest first
		if err := print(m); err != nil {
			return err
		}
		last = m.Seq
	}
	cl.OnFollowError = func(err error, wait time.Duration) {
		fmt.Fprintf(e.stderr, "herald: lost the message stream (%v); reconnecting in %s\n", err, wait.Round(100*time.Millisecond))
	}
	return cl.Follow(e.ctx, c.Channel, last, print)
}

func printMessages(e *cliEnv, c *MessageListCmd, msgs []client.Message) error {
	if len(msgs) == 0 {
		if c.Before > 0 {
			fmt.Fprintln(e.stdout, "No older messages.")
		} else {
			fmt.Fprintln(e.stdout, "No messages in this channel yet.")
		}
		return nil
	}
	w := e.table()
	fmt.Fprintln(w, "ID\tTIME\tFORMAT\tSUMMARY")
	for _, m := range slices.Backward(msgs) {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", m.ID, when(m.CreatedAt), cell(m.Format, 20), summary(m))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if len(msgs) == c.Limit {
		fmt.Fprintf(e.stdout, "\nOlder messages: herald message list --channel %s --before %d\n", clean(c.Channel), msgs[len(msgs)-1].ID)
	}
	return nil
}

// printMessageLine prints one message of --follow: "time  summary", or a
// line of JSON.
func printMessageLine(w io.Writer, m client.Message, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		return enc.Encode(m)
	}
	_, err := fmt.Fprintf(w, "%s  %s\n", when(m.CreatedAt), summary(m))
	return err
}

func summary(m client.Message) string {
	if s := cell(m.Summary, 200); s != "-" {
		return s
	}
	return "(no summary)"
}

// Package poll runs the polling connectors: it fetches each RSS, Atom or
// JSON Feed connection's feed on its schedule, posts the items it has not
// seen, and records how the poll went.
//
// # Schedule
//
// Each feed connection has one River job (github.com/riverqueue/river) in
// the store's own database: riversqlite on the embedded SQLite store,
// riverdatabasesql on PostgreSQL. The job is inserted in the transaction
// that creates the connection, so the first poll runs at once; after each
// poll the job snoozes until the next is due. Schedules therefore survive
// restarts, and with several nodes sharing PostgreSQL River hands each job
// to one node at a time, so each feed is polled once per interval whatever
// the number of nodes. Each feed polls at its own phase within the interval
// (from a hash of its id), so feeds of one interval are spread evenly over
// it however they were added and however long Herald was down: no
// thundering herd. A removed connection's job ends at its next turn.
//
// # A poll
//
// A poll checks the organization's and team's switches (a disabled
// connector pauses polling; it resumes on its own), then fetches through
// package outbound: conditional GET with the stored ETag and Last-Modified,
// gzip, a size cap, redirects, and the guard against private addresses. A
// 304 ends there, without parsing. Otherwise package feed parses the body
// and Select picks what to post: on the first successful poll the newest
// few items (3 unless the connection says otherwise) no older than 30 days;
// later, every item not seen before, oldest first, at most MaxPerPoll. Every
// key in the feed is recorded as seen. A permanent redirect (every hop 301
// or 308) updates the connection's URL.
//
// The seen keys, the posted messages and the new state are saved in one
// transaction (store.SavePolls), in which an item is posted only if its key
// was not yet recorded: should two polls of a feed ever overlap (a node
// presumed dead whose job was rescued while it still ran), each item is
// posted once; and a crash loses nothing and repeats nothing.
//
// "Refresh now" (Refresh) and changed settings (PollSoon) do not poll
// themselves: they make the connection's job due at once and, for Refresh,
// wait for its poll. Every poll of a feed is its job's, so there is never
// more than one at a time and the schedule stays the job's.
// Outcomes are group-committed: when thousands of feeds answer 304 in the
// same moment, SQLite pays one commit for many of them.
//
// # Failures
//
// A failed fetch or an unreadable feed is an outcome, not a job error: the
// state records it, and the next poll comes after a backoff that doubles
// the interval for each failure in a row (at most a day, with jitter), or
// after the server's Retry-After when that is longer. After AttentionAfter
// failures in a row the connection shows "Attention required" with the last
// error; the first successful poll clears it. Only store failures reach
// River, which retries them.
package poll

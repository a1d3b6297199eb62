// Package benchkit holds what Herald's load benchmarks (bench/ingest and
// bench/poll) share: building Herald, running it as a child process, calling
// its API, reading CPU and memory from /proc, describing the machine, and
// formatting figures for the markdown reports.
package benchkit

package main

import (
	"os"
	"slices"
	"time"
)

// syncLatency writes and fsyncs 4 KiB to a scratch file in dir n times and
// returns the median time of one write+fsync: the disk's commit latency at
// that moment, which bounds SQLite with synchronous=FULL at low concurrency
// and varies a lot on shared virtual disks. It returns -1 on error.
func syncLatency(dir string, n int) time.Duration {
	f, err := os.CreateTemp(dir, "sync-probe-")
	if err != nil {
		return -1
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	d := make([]time.Duration, 0, n)
	for i := range n {
		t0 := time.Now()
		if _, err := f.WriteAt(buf, int64(i%16)*4096); err != nil {
			return -1
		}
		if err := f.Sync(); err != nil {
			return -1
		}
		d = append(d, time.Since(t0))
	}
	slices.Sort(d)
	return d[len(d)/2]
}

package poll

import (
	"fmt"
	"testing"
	"time"
)

func TestSlotSpreadsFeedsOverTheInterval(t *testing.T) {
	const interval = 15 * time.Minute
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	const feeds, buckets = 10000, 10
	var count [buckets]int
	for i := range feeds {
		id := fmt.Sprintf("%032x", i*7919)
		next := slot(id, now, interval)
		if gap := next.Sub(now); gap < interval/2 || gap >= interval*3/2 {
			t.Fatalf("feed %s: next poll after %v, want within [%v, %v)", id, gap, interval/2, interval*3/2)
		}
		// Polled at its slot, it polls again exactly one interval later.
		if again := slot(id, next, interval); again.Sub(next) != interval {
			t.Fatalf("feed %s: polled at its slot %v, next after %v, want %v", id, next, again.Sub(next), interval)
		}
		// A poll a little late (a busy node) does not shift the phase.
		if late := slot(id, next.Add(20*time.Second), interval); late.Sub(next) != interval {
			t.Fatalf("feed %s: polled 20 s late, next is %v after the slot, want %v", id, late.Sub(next), interval)
		}
		// Feeds added at the same moment are spread over the interval.
		count[int(next.Sub(now.Add(interval/2))/(interval/buckets))]++
	}
	for i, n := range count {
		if n < feeds/buckets*8/10 || n > feeds/buckets*12/10 {
			t.Errorf("bucket %d of the interval has %d of %d feeds: %v", i, n, feeds, count)
		}
	}
}

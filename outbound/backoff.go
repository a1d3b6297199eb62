package outbound

import (
	"math/rand/v2"
	"time"
)

// Backoff bounds.
const (
	BackoffBase = time.Minute
	BackoffMax  = 24 * time.Hour
)

// Backoff returns how long to wait before the next attempt after failures
// consecutive failures: BackoffBase doubled for each failure after the first
// (1 min, 2 min, 4 min, ...), at most BackoffMax, less a random jitter of up
// to a quarter so that sources that failed together do not retry in step.
// It returns 0 for failures <= 0. It depends on nothing but its argument and
// the random source. A server's Retry-After, when longer, should win.
func Backoff(failures int) time.Duration {
	return backoff(failures, rand.Float64())
}

// backoff is Backoff with the random number in [0, 1) given, so tests can
// check exact values.
func backoff(failures int, r float64) time.Duration {
	if failures <= 0 {
		return 0
	}
	d := BackoffMax
	// 2^11 minutes is more than a day, so larger shifts only overflow.
	if failures <= 11 {
		d = min(BackoffBase<<(failures-1), BackoffMax)
	}
	return d - time.Duration(float64(d/4)*r)
}

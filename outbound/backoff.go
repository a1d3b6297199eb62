package outbound

import (
	"math/rand/v2"
	"time"
)

// BackoffMax caps Backoff, unless the base is longer.
const BackoffMax = 24 * time.Hour

// Backoff returns how long to wait before the next attempt after failures
// consecutive failures of something tried every base: base doubled for each
// failure after the first (base, 2×base, 4×base, ...), at most BackoffMax or
// base if that is longer, less a random jitter of up to a quarter so that
// sources that failed together do not retry in step. It returns 0 for
// failures <= 0. A server's Retry-After, when longer, should win.
func Backoff(base time.Duration, failures int) time.Duration {
	return backoff(base, failures, rand.Float64())
}

// backoff is Backoff with the random number in [0, 1) given, so tests can
// check exact values.
func backoff(base time.Duration, failures int, r float64) time.Duration {
	if failures <= 0 || base <= 0 {
		return 0
	}
	ceiling := max(base, BackoffMax)
	d := ceiling
	// Past 2^40 any base worth having exceeds a day; larger shifts only
	// overflow.
	if failures <= 40 {
		if doubled := base << (failures - 1); doubled > 0 && doubled < ceiling {
			d = doubled
		}
	}
	return d - time.Duration(float64(d/4)*r)
}

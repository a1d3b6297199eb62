package main

import (
	"math/bits"
	"time"
)

// hist is a log-bucketed latency histogram in nanoseconds, in the manner of
// HDR histograms: values below 128 ns are exact, above that every power of
// two is split into 64 buckets, so a reported percentile is within about
// 1.6 % of the true value. Recording is an index computation and an
// increment, with no allocation; each load worker owns one, and they are
// merged after a step.
type hist struct {
	counts [histSize]uint64
	n      uint64
	max    uint64
}

const (
	histSubBits = 6
	histLinear  = 1 << (histSubBits + 1) // 128: values below are their own bucket
	histSub     = 1 << histSubBits       // 64 buckets per power of two
	histSize    = histLinear + (64-histSubBits-1)*histSub
)

func histIndex(v uint64) int {
	if v < histLinear {
		return int(v)
	}
	shift := bits.Len64(v) - histSubBits - 1 // >= 1
	top := v >> shift                        // in [64, 127]
	return histLinear + (shift-1)*histSub + int(top-histSub)
}

// histBounds returns the smallest and largest value that land in bucket i.
func histBounds(i int) (lo, hi uint64) {
	if i < histLinear {
		return uint64(i), uint64(i)
	}
	shift := (i-histLinear)/histSub + 1
	top := uint64((i-histLinear)%histSub + histSub)
	return top << shift, (top+1)<<shift - 1
}

func (h *hist) record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[histIndex(v)]++
	h.n++
	if v > h.max {
		h.max = v
	}
}

func (h *hist) merge(o *hist) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.max = max(h.max, o.max)
}

// quantile returns the value at quantile q (0 < q <= 1): the middle of the
// bucket holding the ceil(q*n)-th smallest value.
func (h *hist) quantile(q float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(q*float64(h.n) + 0.999999)
	rank = min(max(rank, 1), h.n)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := histBounds(i)
			return time.Duration(min(lo+(hi-lo)/2, h.max))
		}
	}
	return time.Duration(h.max)
}

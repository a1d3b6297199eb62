package feed

import (
	"slices"
	"time"
)

// Selection rules.
const (
	// DefaultFirstCount is how many items a connection's first poll posts
	// when the caller passes firstCount <= 0.
	DefaultFirstCount = 3
	// FirstMaxAge is the age past which the first poll skips an item.
	FirstMaxAge = 30 * 24 * time.Hour
)

// Select returns the items of one poll to post, oldest first.
//
// items are in feed order (newest first, as feeds list them). seen reports
// whether a key was posted before; nil means nothing was. An item whose key
// occurs earlier in items is a duplicate and is dropped.
//
// On the first poll (first is true), only the newest firstCount items
// (DefaultFirstCount when firstCount <= 0) are kept, and of those none
// published more than FirstMaxAge before now; items without a date are not
// skipped for age. On later polls every unseen item is kept. After the first
// poll the caller records every item's key as seen, not only the keys of the
// items returned: otherwise the second poll posts the archive the first one
// held back.
//
// Ordering: items are sorted by Published, oldest first; ties, and items
// without a date, keep their place relative to their neighbours in reversed
// feed order (an undated item sorts as if it had the date of the nearest
// dated item older than it in the feed, and after it).
func Select(items []Item, seen func(key string) bool, first bool, firstCount int, now time.Time) []Item {
	if firstCount <= 0 {
		firstCount = DefaultFirstCount
	}
	// Reverse feed order, dropping duplicates: the first occurrence in the
	// feed (the newest) wins.
	dup := make(map[string]bool, len(items))
	type ranked struct {
		Item
		at time.Time // Published, or the inherited date for undated items
		i  int       // position in reversed feed order
	}
	rs := make([]ranked, 0, len(items))
	for i := range items {
		if dup[items[i].Key] {
			continue
		}
		dup[items[i].Key] = true
		rs = append(rs, ranked{Item: items[i]})
	}
	slices.Reverse(rs)
	var last time.Time
	for i := range rs {
		rs[i].i = i
		if rs[i].Published.IsZero() {
			rs[i].at = last
		} else {
			rs[i].at = rs[i].Published
			last = rs[i].Published
		}
	}
	slices.SortStableFunc(rs, func(a, b ranked) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.i - b.i
	})

	var out []Item
	if first {
		start := max(0, len(rs)-firstCount)
		for _, r := range rs[start:] {
			if !r.Published.IsZero() && now.Sub(r.Published) > FirstMaxAge {
				continue
			}
			if seen != nil && seen(r.Key) {
				continue
			}
			out = append(out, r.Item)
		}
		return out
	}
	for _, r := range rs {
		if seen != nil && seen(r.Key) {
			continue
		}
		out = append(out, r.Item)
	}
	return out
}

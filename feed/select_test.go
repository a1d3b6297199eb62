package feed

import (
	"strings"
	"testing"
	"time"
)

func TestSelect(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	day := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	// it makes an item keyed by its name, dated daysAgo days before now
	// (-1: undated).
	it := func(name string, daysAgo int) Item {
		i := Item{Key: "guid:" + name, Title: name}
		if daysAgo >= 0 {
			i.Published = day(daysAgo)
		}
		return i
	}
	seenSet := func(names ...string) func(string) bool {
		m := map[string]bool{}
		for _, n := range names {
			m["guid:"+n] = true
		}
		return func(k string) bool { return m[k] }
	}
	newestFirst := []Item{it("e", 0), it("d", 1), it("c", 2), it("b", 3), it("a", 4)}

	for _, tc := range []struct {
		name       string
		items      []Item
		seen       func(string) bool
		first      bool
		firstCount int
		want       string
	}{
		{"first poll: newest three, oldest first", newestFirst, nil, true, 0, "c d e"},
		{"first poll: firstCount", newestFirst, nil, true, 2, "d e"},
		{"first poll: firstCount over the feed", newestFirst, nil, true, 10, "a b c d e"},
		{"first poll: nothing older than 30 days",
			[]Item{it("new", 1), it("month", 30), it("old", 31), it("older", 400)}, nil, true, 3, "month new"},
		{"first poll: all old", []Item{it("old", 31), it("older", 60)}, nil, true, 3, ""},
		{"first poll: undated kept", []Item{it("x", -1), it("y", -1), it("z", -1), it("w", -1)}, nil, true, 3, "z y x"},
		{"first poll: seen skipped", newestFirst, seenSet("e"), true, 3, "c d"},
		{"later poll: every unseen", newestFirst, seenSet("a", "b"), false, 0, "c d e"},
		{"later poll: old items too", []Item{it("new", 0), it("ancient", 900)}, seenSet(), false, 0, "ancient new"},
		{"later poll: nothing new", newestFirst, seenSet("a", "b", "c", "d", "e"), false, 0, ""},
		{"later poll: nil seen", []Item{it("b", 1), it("a", 2)}, nil, false, 0, "a b"},
		{"sorted by date whatever the feed order",
			[]Item{it("b", 3), it("d", 1), it("a", 4), it("c", 2)}, nil, false, 0, "a b c d"},
		{"undated items keep feed order, reversed",
			[]Item{it("z", -1), it("y", -1), it("x", -1)}, nil, false, 0, "x y z"},
		{"undated items stay beside their older neighbour",
			// feed: c(1 day) u(undated) b(3 days) v(undated) a(5 days)
			[]Item{it("c", 1), it("u", -1), it("b", 3), it("v", -1), it("a", 5)}, nil, false, 0, "a v b u c"},
		{"undated at the bottom of the feed come first",
			[]Item{it("b", 1), it("a", 2), it("u", -1)}, nil, false, 0, "u a b"},
		{"same date keeps reversed feed order",
			[]Item{it("second", 1), it("first", 1)}, nil, false, 0, "first second"},
		{"duplicates: one of each key",
			[]Item{it("x", 0), it("y", 1), it("x", 2)}, nil, false, 0, "y x"},
		{"empty", nil, nil, true, 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Select(tc.items, tc.seen, tc.first, tc.firstCount, now)
			var names []string
			for _, g := range got {
				names = append(names, g.Title)
			}
			if s := strings.Join(names, " "); s != tc.want {
				t.Errorf("Select = %q, want %q", s, tc.want)
			}
		})
	}
}

func TestSelectDoesNotModifyInput(t *testing.T) {
	items := []Item{{Key: "b", Title: "b"}, {Key: "a", Title: "a"}}
	Select(items, nil, false, 0, time.Now())
	if items[0].Key != "b" || items[1].Key != "a" {
		t.Fatalf("input reordered: %+v", items)
	}
}

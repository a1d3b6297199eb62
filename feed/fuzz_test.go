package feed

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds arbitrary bytes to Parse, seeded with every document of
// the feed corpus. Parse must not panic, must return only the documented
// errors, and every result must keep the package's promises (keys, safe
// URLs, plain text, valid cards), through Card and Select too.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./feed
func FuzzParse(f *testing.F) {
	root := feedsDir(f)
	for _, name := range corpusFiles(f) {
		b, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, data []byte) {
		feed, err := Parse(data, corpusBase)
		if err != nil {
			if k := errKind(err); k == "UNCLASSIFIED" || k == "parser panic" {
				t.Fatalf("%v (%s)", err, k)
			}
			return
		}
		checkInvariants(t, "fuzz", feed)
		seen := map[string]bool{}
		for _, first := range []bool{true, false} {
			for _, it := range Select(feed.Items, func(k string) bool { return seen[k] }, first, 3, now) {
				if seen[it.Key] {
					t.Fatalf("Select returned seen key %q", it.Key)
				}
				seen[it.Key] = true
			}
		}
	})
}

package card

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestBoundedWork feeds near-limit pathological payloads and requires each to
// finish quickly: no quadratic corner may turn one request into a CPU sink.
func TestBoundedWork(t *testing.T) {
	const n = hardLimit - 64 // just under the hard limit
	rep := func(s string) string { return strings.Repeat(s, n/len(s)) }
	js := func(s string) string { return strconv.Quote(s) }
	manyKeys := func() string {
		var b strings.Builder
		b.WriteString(`{"text":"x"`)
		for i := 0; b.Len() < n-32; i++ {
			b.WriteString(`,"k` + strconv.Itoa(i) + `":1`)
		}
		return b.String() + "}"
	}()
	tests := []struct{ name, ct, body string }{
		{"many keys (messagecard)", "application/json", manyKeys},
		{"many keys (adaptive)", "application/json", envelope(`{"type":"AdaptiveCard","version":"1.0","body":[` + strings.TrimSuffix(manyKeys[:n-300], ",") + `,"type":"TextBlock"}]}`)},
		{"many duplicate keys", "application/json", `{"text":"x"` + strings.Repeat(`,"a":1`, (n-100)/6) + `}`},
		{"many duplicate keys (adaptive)", "application/json", envelope(`{"type":"AdaptiveCard","version":"1.0","body":[{"type":"TextBlock"` + strings.Repeat(`,"a":1`, (n-300)/6) + `}]}`)},
		{"link openers", "application/json", `{"text":` + js(rep("](")) + `}`},
		{"link openers parens", "application/json", `{"text":` + js(rep("](((")) + `}`},
		{"unsafe links", "application/json", `{"text":` + js(rep("[a](javascript:x)")) + `}`},
		{"brackets", "application/json", `{"text":` + js(rep("[")) + `}`},
		{"ref defs one line", "application/json", `{"text":` + js(rep("]:")) + `}`},
		{"autolink starts", "application/json", `{"text":` + js(rep("<a:")) + `}`},
		{"angles", "application/json", `{"text":` + js(rep("<")) + `}`},
		{"tags", "application/json", `{"text":` + js(rep("<b>")) + `}`},
		{"nested links", "application/json", `{"text":` + js(rep("<a href='https://x'>a")) + `}`},
		{"html mode", "application/json", `{"summary":"s","markdown":false,"text":` + js(rep("<p>x *y* </p>")) + `}`},
		{"emphasis", "application/json", `{"text":` + js(rep("*a_b~")) + `}`},
		{"slack angles", "application/json", `{"username":"u","text":` + js(rep("<")) + `}`},
		{"slack angle pairs", "application/json", `{"username":"u","text":` + js(rep("<<")+">") + `}`},
		{"slack emphasis", "application/json", `{"username":"u","text":` + js(rep("*a")) + `}`},
		{"slack backticks", "application/json", `{"username":"u","text":` + js(rep("`")) + `}`},
		{"deep but legal", "application/json", `{"text":"x","a":` + strings.Repeat(`{"a":`, 60) + "1" + strings.Repeat("}", 60) + `}`},
		{"wide array", "application/json", `{"text":"x","a":[` + strings.Repeat("[],", (n-40)/3) + `[]]}`},
		{"many sections", "application/json", `{"text":"x","sections":[` + rep(`{"facts":[{"name":"a","value":"b"}]},`)[:n-80] + `{}]}`},
		{"plain text", "text/plain", rep("<b>*x*</b> [a](b) ")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			m, err := Parse(tt.ct, []byte(tt.body))
			d := time.Since(start)
			checkResult(t, m, err)
			if err != nil {
				t.Errorf("rejected: %v", err)
			}
			// Linear work on 1 MiB takes well under 0.3 s even on a busy
			// machine; the quadratic cases this guards against took minutes.
			limit := 2 * time.Second
			if raceEnabled {
				limit *= 20
			}
			if d > limit {
				t.Errorf("took %v for %d bytes", d, len(tt.body))
			} else {
				t.Logf("%v for %d bytes", d, len(tt.body))
			}
		})
	}
}

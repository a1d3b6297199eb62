package client

import (
	"bufio"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestLineSplitter(t *testing.T) {
	tests := map[string]struct {
		in   string
		want []string
	}{
		"LF":          {"a\nb\n\nc", []string{"a", "b", "", "c"}},
		"CRLF":        {"a\r\nb\r\n\r\n", []string{"a", "b", ""}},
		"CR":          {"a\rb\r\r", []string{"a", "b", ""}},
		"mixed":       {"a\r\n\rb\n\r\n", []string{"a", "", "b", ""}},
		"CR then LF":  {"\r\n\r\n", []string{"", ""}},
		"no line end": {"tail", []string{"tail"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			// One byte at a time, so that a "\r\n" is split across reads.
			sc := bufio.NewScanner(iotest.OneByteReader(strings.NewReader(tc.in)))
			sc.Split(lineSplitter())
			var got []string
			for sc.Scan() {
				got = append(got, sc.Text())
			}
			if err := sc.Err(); err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("lines = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestEventFields(t *testing.T) {
	var ev event
	var retry time.Duration
	for _, line := range []string{": ping", "id: 7", "event: message", "data: {\"a\":", "data:1}", "retry: 1500", "retry: soon", "unknown: x"} {
		if r := ev.field([]byte(line)); r > 0 {
			retry = r
		}
	}
	if ev.id != "7" || ev.typ != "message" || ev.data.String() != "{\"a\":\n1}" || !ev.hasData {
		t.Errorf("event = id %q type %q data %q", ev.id, ev.typ, ev.data.String())
	}
	if retry != 1500*time.Millisecond {
		t.Errorf("retry = %s, want 1.5s", retry)
	}
}

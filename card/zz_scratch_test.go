package card

import (
	"os"
	"testing"
)

func TestScratch(t *testing.T) {
	for _, f := range []string{os.Getenv("F")} {
		b, _ := os.ReadFile(f)
		var m *Message
		var err error
		if os.Getenv("SLACK") != "" {
			m, err = ParseSlack("application/json", b)
		} else {
			m, err = Parse(os.Getenv("CT"), b)
		}
		if err != nil {
			t.Logf("ERR %v", err)
			continue
		}
		t.Logf("%s | %q\n%s", m.Format, m.Summary, m.Card)
	}
}

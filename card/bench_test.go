package card

import (
	"strings"
	"testing"
)

// benchCard is the hot-path reference payload: a ~1.5 KB MessageCard with a
// summary, one section with five facts and text, and one OpenUri action (the
// body used for the project's performance anchors).
var benchCard = []byte(`{
  "@type": "MessageCard",
  "@context": "https://schema.org/extensions",
  "summary": "Build 1842 of payments-service failed on main",
  "themeColor": "D70000",
  "title": "payments-service: build 1842 failed",
  "sections": [
    {
      "activityTitle": "CI pipeline for payments-service",
      "activitySubtitle": "Triggered by a push to main by Jane Doe",
      "text": "The integration test stage failed after 14 minutes. Two tests in the settlement suite timed out while waiting for the ledger service; the remaining 1,284 tests passed. The previous build on this branch succeeded, so the failure is likely caused by one of the 3 commits in this push. Logs and the full test report are attached to the build page.",
      "facts": [
        { "name": "Repository", "value": "acme/payments-service" },
        { "name": "Branch", "value": "main" },
        { "name": "Commit", "value": "9f3c2a1 Retry ledger writes on conflict" },
        { "name": "Duration", "value": "14m 32s" },
        { "name": "Failed stage", "value": "integration-tests (settlement suite)" }
      ],
      "markdown": true
    }
  ],
  "potentialAction": [
    {
      "@type": "OpenUri",
      "name": "View build",
      "targets": [
        { "os": "default", "uri": "https://ci.example.com/acme/payments-service/builds/1842" }
      ]
    }
  ]
}`)

func BenchmarkParseMessageCard(b *testing.B) {
	if n := len(benchCard); n < 1300 || n > 1700 {
		b.Fatalf("bench card is %d bytes, want about 1.5 KB", n)
	}
	b.SetBytes(int64(len(benchCard)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("application/json", benchCard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseAdaptive(b *testing.B) {
	body := []byte(readCorpusBench(b, "messagecard/jenkins-office-365-connector/adaptivecard-success.json"))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("application/json", body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSlack(b *testing.B) {
	body := []byte(readCorpusBench(b, "zulip-fixtures-upstream/slack_incoming/fixtures/attachment.json"))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseSlack("application/json", body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseHTMLMessageCard(b *testing.B) {
	body := []byte(`{"summary":"s","markdown":false,"text":"` + strings.Repeat(`<p>Build <b>failed</b> see <a href=\"https://ci/1\">log</a></p>`, 10) + `"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("application/json", body); err != nil {
			b.Fatal(err)
		}
	}
}

func readCorpusBench(b *testing.B, rel string) string { return string(readCorpus(b, rel)) }

// TestParseMessageCardAllocs keeps the hot path lean: a regression here is a
// throughput regression at 12k webhooks/s.
func TestParseMessageCardAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are not meaningful under -race")
	}
	Parse("application/json", benchCard) // warm the pool
	n := testing.AllocsPerRun(200, func() {
		if _, err := Parse("application/json", benchCard); err != nil {
			t.Fatal(err)
		}
	})
	if n > 5 {
		t.Errorf("%.0f allocations per parse, want at most 5", n)
	}
}

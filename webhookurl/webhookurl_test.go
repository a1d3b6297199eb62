package webhookurl

import (
	"regexp"
	"strings"
	"testing"

	"github.com/heraldhq/herald"
)

func keyring(t *testing.T, b byte) *Keyring {
	t.Helper()
	k, err := NewKeyring([]byte(strings.Repeat(string(rune(b)), KeySize)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// Patterns real clients validate Teams URLs with: prometheus-msteams and
// go-teams-notify accept only lower-case ids and a [A-Za-z0-9-] token.
var (
	teamsURL = regexp.MustCompile(`^https://herald\.example\.com/webhookb2/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@[0-9a-f-]{36}/IncomingWebhook/[0-9a-f]{32}/[0-9a-f-]{36}/V2[A-Za-z0-9-]{43}$`)
	slackURL = regexp.MustCompile(`^https://herald\.example\.com/services/T[0-9A-F]{10}/B[0-9A-Z]{10}/[A-Za-z0-9]{24}$`)
)

func TestURLShapes(t *testing.T) {
	k := keyring(t, 'a')
	c := &herald.Connection{ID: herald.NewConnectionID(), TeamID: herald.NewUUID(), OrgID: herald.NewUUID(),
		CreatorID: herald.NewUUID(), Connector: herald.ConnectorIncomingWebhook, SlackID: herald.NewSlackID('B')}
	salt := NewSalt()
	if u := TeamsURL("https://herald.example.com/", c, "IncomingWebhook", k.Token(c.ID, salt)); !teamsURL.MatchString(u) {
		t.Fatalf("Teams URL %q does not have the Teams shape", u)
	}
	if u := SlackURL("https://herald.example.com", c, k.SlackToken(c.ID, salt)); !slackURL.MatchString(u) {
		t.Fatalf("Slack URL %q does not have the Slack shape", u)
	}
}

func TestTokensDependOnKeySaltAndConnection(t *testing.T) {
	a, b := keyring(t, 'a'), keyring(t, 'b')
	tok := a.Token("c1", "s1")
	if tok != a.Token("c1", "s1") {
		t.Fatal("token derivation is not deterministic")
	}
	for name, other := range map[string]string{
		"other key":        b.Token("c1", "s1"),
		"other salt":       a.Token("c1", "s2"),
		"other connection": a.Token("c2", "s1"),
		"slack purpose":    a.SlackToken("c1", "s1"),
	} {
		if other == tok {
			t.Errorf("%s gives the same token", name)
		}
	}
	if a.ID() == b.ID() || len(a.ID()) != 12 {
		t.Fatalf("key ids %q, %q", a.ID(), b.ID())
	}
}

func TestVerify(t *testing.T) {
	h := Hash("secret-token")
	if !Verify("secret-token", h) {
		t.Fatal("right token refused")
	}
	for _, bad := range []string{"", "secret-tokem", "secret-token ", "SECRET-TOKEN"} {
		if Verify(bad, h) {
			t.Errorf("Verify(%q) accepted", bad)
		}
	}
	if Verify("secret-token", nil) {
		t.Fatal("accepted against an empty hash")
	}
}

func TestKeyEncoding(t *testing.T) {
	k := NewKey()
	got, err := DecodeKey(EncodeKey(k) + "\n")
	if err != nil || string(got) != string(k) {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "not base64!", EncodeKey(k[:16])} {
		if _, err := DecodeKey(bad); err == nil {
			t.Errorf("DecodeKey(%q) accepted", bad)
		}
	}
	if _, err := NewKeyring(k[:31]); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestSeal(t *testing.T) {
	a, b := keyring(t, 'a'), keyring(t, 'b')
	sealed := a.Seal("github-secret")
	if got, err := a.Open(sealed); err != nil || got != "github-secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := b.Open(sealed); err == nil {
		t.Fatal("opened under another key")
	}
	if string(a.Seal("x")) == string(a.Seal("x")) {
		t.Fatal("sealing is deterministic: the nonce is not random")
	}
	if _, err := a.Open([]byte("short")); err == nil {
		t.Fatal("opened garbage")
	}
}

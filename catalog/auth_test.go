package catalog

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"testing"
)

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	body := `{"ref":"refs/heads/main"}`
	const secret = "It's a Secret to Everybody"
	basic := func(user, pw string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pw))
	}
	cases := []struct {
		name   string
		auth   Auth
		header map[string]string
		ok     bool
	}{
		{"github right", AuthHubSignature256, map[string]string{"X-Hub-Signature-256": "sha256=" + sign(secret, body)}, true},
		{"github wrong secret", AuthHubSignature256, map[string]string{"X-Hub-Signature-256": "sha256=" + sign("other", body)}, false},
		{"github sha1 only", AuthHubSignature256, map[string]string{"X-Hub-Signature": "sha1=abc"}, false},
		{"github missing", AuthHubSignature256, nil, false},
		{"github not hex", AuthHubSignature256, map[string]string{"X-Hub-Signature-256": "sha256=zz"}, false},
		{"jira right", AuthHubSignature, map[string]string{"X-Hub-Signature": "sha256=" + sign(secret, body)}, true},
		{"gitea right", AuthGiteaSignature, map[string]string{"X-Gitea-Signature": sign(secret, body)}, true},
		{"forgejo right", AuthGiteaSignature, map[string]string{"X-Forgejo-Signature": sign(secret, body)}, true},
		{"gitea tampered", AuthGiteaSignature, map[string]string{"X-Gitea-Signature": sign(secret, body+" ")}, false},
		{"gitlab token", AuthToken, map[string]string{"X-Gitlab-Token": secret}, true},
		{"gitlab wrong token", AuthToken, map[string]string{"X-Gitlab-Token": "guess"}, false},
		{"bearer", AuthBasicOrBearer, map[string]string{"Authorization": "Bearer " + secret}, true},
		{"basic", AuthBasicOrBearer, map[string]string{"Authorization": basic("azure", secret)}, true},
		{"basic wrong", AuthBasicOrBearer, map[string]string{"Authorization": basic("azure", "nope")}, false},
		{"no scheme", AuthNone, nil, true},
	}
	for _, tc := range cases {
		h := http.Header{}
		for k, v := range tc.header {
			h.Set(k, v)
		}
		if err := Verify(tc.auth, h, []byte(body), secret); (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
	if err := Verify(AuthHubSignature256, http.Header{}, []byte(body), ""); err != nil {
		t.Errorf("no secret set: %v", err)
	}
}

func TestCatalog(t *testing.T) {
	seen := map[string]bool{}
	for _, e := range All() {
		if seen[e.ID] || seen["url:"+e.URLName] {
			t.Fatalf("duplicate id or URL name: %s", e.ID)
		}
		seen[e.ID], seen["url:"+e.URLName] = true, true
		if e.Retired && e.Accepts() {
			t.Errorf("%s is retired but has a translator: retired ones have none", e.ID)
		}
	}
	for _, id := range []string{"incoming-webhook", "generic", "trello", "pagerduty", "simple-in-out", "wunderlist", "aha"} {
		if _, ok := Lookup(id); !ok {
			t.Errorf("catalog lacks %s", id)
		}
	}
	if e, _ := Lookup("sentry"); !e.Retired {
		t.Error("sentry is not retired")
	}
	if n := len(retired); n != 44 {
		t.Errorf("%d retired connectors, want the 43 Teams lists plus Wunderlist", n)
	}
}

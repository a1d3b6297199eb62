package catalog

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// ErrSignature is a delivery whose proof of origin is missing or wrong.
var ErrSignature = errors.New("the request's signature or token does not match this connection's secret")

// Verify checks that a delivery comes from the service, by the connector's
// scheme, when the connection has a secret. Every comparison is constant-time.
func Verify(auth Auth, h http.Header, body []byte, secret string) error {
	if secret == "" {
		return nil
	}
	mac := func() []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write(body)
		return m.Sum(nil)
	}
	hexEqual := func(got string, want []byte) bool {
		b, err := hex.DecodeString(strings.TrimSpace(got))
		return err == nil && hmac.Equal(b, want)
	}
	switch auth {
	case AuthHubSignature256:
		sig, ok := strings.CutPrefix(h.Get("X-Hub-Signature-256"), "sha256=")
		if ok && hexEqual(sig, mac()) {
			return nil
		}
	case AuthHubSignature:
		sig, ok := strings.CutPrefix(h.Get("X-Hub-Signature"), "sha256=")
		if ok && hexEqual(sig, mac()) {
			return nil
		}
	case AuthGiteaSignature:
		for _, name := range []string{"X-Gitea-Signature", "X-Forgejo-Signature", "X-Gogs-Signature"} {
			if v := h.Get(name); v != "" {
				if hexEqual(v, mac()) {
					return nil
				}
				return ErrSignature
			}
		}
	case AuthToken:
		if tok := h.Get("X-Gitlab-Token"); tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(secret)) == 1 {
			return nil
		}
	case AuthBasicOrBearer:
		a := h.Get("Authorization")
		if tok, ok := strings.CutPrefix(a, "Bearer "); ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(secret)) == 1 {
			return nil
		}
		if enc, ok := strings.CutPrefix(a, "Basic "); ok {
			if raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc)); err == nil {
				_, pw, _ := strings.Cut(string(raw), ":")
				if subtle.ConstantTimeCompare([]byte(pw), []byte(secret)) == 1 {
					return nil
				}
			}
		}
	default:
		return nil // the service has no way to prove itself
	}
	return ErrSignature
}

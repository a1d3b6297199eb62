// Package webhookurl builds and checks the secret URLs of push connections:
// the Teams shape
//
//	{base}/webhookb2/{teamId}@{orgId}/IncomingWebhook/{connectionId}/{creatorId}/V2{token}
//
// and the Slack-compatible shape {base}/services/T.../B.../{token}.
//
// Tokens are derived, not stored: token = HMAC-SHA256(server key, purpose,
// connection id, salt), written in the URL-safe alphabet. The store keeps only
// the salt and SHA-256 hashes of the tokens, so a copy of the database alone
// reveals no working URL, while a node holding the key can show a
// connection's current URL again (Teams' "Manage" view). Rotating a URL means
// a new salt.
package webhookurl

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/heraldhq/herald"
)

// KeySize is the length of a server key in bytes.
const KeySize = 32

// Keyring derives URL tokens from the server key.
type Keyring struct {
	key []byte
	id  string
}

// NewKeyring returns a keyring for key, which must be KeySize bytes.
func NewKeyring(key []byte) (*Keyring, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("server key must be %d bytes, got %d", KeySize, len(key))
	}
	sum := sha256.Sum256(append([]byte("herald key id\x00"), key...))
	return &Keyring{key: append([]byte(nil), key...), id: hex.EncodeToString(sum[:6])}, nil
}

// NewKey returns a random server key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// EncodeKey and DecodeKey write a key as text (for files and HERALD_SECRET_KEY).
func EncodeKey(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// DecodeKey reads a key written by EncodeKey.
func DecodeKey(s string) ([]byte, error) {
	k, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(k) != KeySize {
		return nil, errors.New("server key must be 32 bytes in standard base64 (44 characters)")
	}
	return k, nil
}

// ID names the key without revealing it; stored with each connection.
func (k *Keyring) ID() string { return k.id }

// NewSalt returns a fresh salt for a connection's tokens.
func NewSalt() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Token returns the Teams URL token (without the "V2" prefix): 43 characters
// of [A-Za-z0-9-], like the ones Teams issues.
func (k *Keyring) Token(connectionID, salt string) string {
	return k.derive("teams", connectionID, salt, herald.TokenAlphabet, 43)
}

// SlackToken returns the Slack URL token: 24 characters of [A-Za-z0-9], the
// length and alphabet of Slack's own.
func (k *Keyring) SlackToken(connectionID, salt string) string {
	return k.derive("slack", connectionID, salt, herald.SlackAlphabet, 24)
}

func (k *Keyring) derive(purpose, id, salt, alphabet string, n int) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(purpose + "\x00" + id + "\x00" + salt))
	sum := m.Sum(nil)
	// Each character takes one byte mod len(alphabet): with 32 bytes and
	// alphabets of 62-63 symbols this keeps over 180 bits of entropy; the
	// slight bias does not matter for a MAC output.
	out := make([]byte, n)
	for i := range out {
		if i == len(sum) {
			m.Reset()
			m.Write(sum)
			sum = append(sum, m.Sum(nil)...)
		}
		out[i] = alphabet[int(sum[i])%len(alphabet)]
	}
	return string(out)
}

// Hash returns the SHA-256 of a token: what the store keeps.
func Hash(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Verify reports whether token hashes to hash, in constant time.
func Verify(token string, hash []byte) bool {
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(sum[:], hash) == 1
}

// TeamsURL returns a connection's webhook URL. urlName names its connector
// in the path, where Teams has "IncomingWebhook" (see package catalog).
func TeamsURL(base string, c *herald.Connection, urlName, token string) string {
	return strings.TrimRight(base, "/") + "/webhookb2/" + c.TeamID + "@" + c.OrgID + "/" +
		url.PathEscape(urlName) + "/" + c.ID + "/" + c.CreatorID + "/V2" + token
}

// SlackTeamID is the team part of a Slack-compatible URL: "T" and the first
// ten hex digits of the team id, upper-cased as Slack ids are.
func SlackTeamID(teamID string) string {
	return "T" + strings.ToUpper(strings.ReplaceAll(teamID, "-", "")[:10])
}

// SlackURL returns a connection's Slack-compatible URL.
func SlackURL(base string, c *herald.Connection, token string) string {
	return strings.TrimRight(base, "/") + "/services/" + SlackTeamID(c.TeamID) + "/" + c.SlackID + "/" + token
}

// Seal encrypts a connection's service secret (which must be read back to
// check HMAC signatures, so it cannot be hashed) with AES-256-GCM under a
// key derived from the server key.
func (k *Keyring) Seal(plaintext string) []byte {
	aead := k.aead()
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, []byte(plaintext), []byte("herald connection secret"))
}

// Open decrypts what Seal made; it fails under another server key.
func (k *Keyring) Open(sealed []byte) (string, error) {
	aead := k.aead()
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("sealed secret too short")
	}
	pt, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte("herald connection secret"))
	if err != nil {
		return "", errors.New("the connection's secret was sealed with another server key")
	}
	return string(pt), nil
}

func (k *Keyring) aead() cipher.AEAD {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte("herald secret sealing key"))
	block, _ := aes.NewCipher(m.Sum(nil))
	aead, _ := cipher.NewGCM(block)
	return aead
}

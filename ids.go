package herald

import (
	"crypto/rand"
	"encoding/hex"
)

// NewUUID returns a random lower-case UUIDv4, the form Teams uses for team,
// tenant and user ids in webhook URLs (some clients' URL patterns require
// lower case).
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// NewConnectionID returns 32 random lower-case hex characters: the shape of
// the configuration id in a Teams webhook URL.
func NewConnectionID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Token alphabets. Webhook tokens avoid '_' and '=' because some Teams
// clients validate URLs with a pattern that allows only [A-Za-z0-9-].
const (
	TokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"
	SlackAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	slackIDChars  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
)

// NewToken returns n characters drawn uniformly from alphabet with
// crypto/rand (rejection sampling, so no character is favoured).
func NewToken(alphabet string, n int) string {
	out := make([]byte, 0, n)
	limit := 256 - 256%len(alphabet)
	var buf [64]byte
	for len(out) < n {
		rand.Read(buf[:])
		for _, c := range buf {
			if int(c) < limit && len(out) < n {
				out = append(out, alphabet[int(c)%len(alphabet)])
			}
		}
	}
	return string(out)
}

// NewSlackID returns an id in Slack's style: a prefix letter and ten
// upper-case letters or digits (as in /services/T0123456789/B0123456789/...).
func NewSlackID(prefix byte) string {
	return string(prefix) + NewToken(slackIDChars, 10)
}

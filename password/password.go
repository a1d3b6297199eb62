// Package password hashes and checks user passwords with argon2id, stored
// in the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash) so
// that parameters can be raised later without breaking old hashes.
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Parameters: OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane), about
// 20 ms on one core here: slow for an attacker, quick enough for a sign-in.
const (
	memory  = 19 * 1024
	passes  = 2
	lanes   = 1
	saltLen = 16
	keyLen  = 32
)

// MinLength is the shortest password accepted.
const MinLength = 10

// MaxLength bounds the work an attacker can ask for with one sign-in.
const MaxLength = 1024

// Check returns a reason a person can act on when pw is not acceptable.
func Check(pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < MinLength:
		return fmt.Errorf("a password needs at least %d characters", MinLength)
	case len(pw) > MaxLength:
		return fmt.Errorf("a password is at most %d bytes", MaxLength)
	}
	return nil
}

// Hash returns the PHC string of pw with a fresh salt.
func Hash(pw string) string {
	salt := make([]byte, saltLen)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, passes, memory, lanes, keyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, passes, lanes,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

var errFormat = errors.New("password: not an argon2id PHC string")

// Verify reports whether pw matches encoded, in constant time.
func Verify(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errFormat
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errFormat
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<21 || t > 64 {
		return false, errFormat
	}
	enc := base64.RawStdEncoding
	salt, err := enc.DecodeString(parts[4])
	if err != nil {
		return false, errFormat
	}
	want, err := enc.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false, errFormat
	}
	if len(pw) > MaxLength {
		return false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

package password

import (
	"strings"
	"testing"
)

func TestHashAndVerify(t *testing.T) {
	h := Hash("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not argon2id PHC", h)
	}
	if h == Hash("correct horse battery") {
		t.Fatal("two hashes of one password are equal: the salt is not random")
	}
	if ok, err := Verify("correct horse battery", h); !ok || err != nil {
		t.Fatalf("right password: %v, %v", ok, err)
	}
	for _, bad := range []string{"", "correct horse batterY", "correct horse battery "} {
		if ok, _ := Verify(bad, h); ok {
			t.Errorf("Verify(%q) accepted", bad)
		}
	}
	for _, enc := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=8,t=1,p=1$!!$AAAA"} {
		if ok, err := Verify("x", enc); ok || err == nil {
			t.Errorf("Verify against %q = %v, %v; want an error", enc, ok, err)
		}
	}
}

func TestCheck(t *testing.T) {
	if err := Check("short"); err == nil {
		t.Fatal("short password accepted")
	}
	if err := Check(strings.Repeat("x", MaxLength+1)); err == nil {
		t.Fatal("huge password accepted")
	}
	if err := Check("ten chars!"); err != nil {
		t.Fatal(err)
	}
}

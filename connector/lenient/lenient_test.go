package lenient

import "testing"

func TestLenient(t *testing.T) {
	n, err := Decode([]byte(`{"a":{"b":[1,"x",true,null]},"s":"str","n":12.50}`))
	if err != nil {
		t.Fatal(err)
	}
	l := n.Get("a", "b").List()
	if len(l) != 4 || l[0].Str() != "1" || l[1].Str() != "x" || l[2].Str() != "true" || l[3].Str() != "" {
		t.Fatalf("list = %+v", l)
	}
	if n.Get("n").Str() != "12.50" || n.Get("s").Str() != "str" {
		t.Fatal("numbers must keep their text")
	}
	if n.Get("s", "deeper").V != nil || n.Get("missing").List() == nil || len(n.Get("s").List()) != 0 || n.Get("s").Object() != nil {
		t.Fatal("wrong types must read as zero values")
	}
	if _, err := Decode([]byte(`{`)); err == nil {
		t.Fatal("invalid JSON accepted")
	}
}

// Package lenient reads JSON the way webhook translators need to: a missing
// key, a null, or a value of an unexpected type reads as the zero value
// instead of failing the whole payload. Services change their payloads over
// the years, and a field of the wrong type must not cost the message.
package lenient

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Node is a decoded JSON value.
type Node struct{ V any }

// Decode reads a JSON document; numbers keep their text (json.Number).
func Decode(body []byte) (Node, error) {
	if !json.Valid(body) {
		return Node{}, errors.New("invalid JSON")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return Node{}, err
	}
	return Node{v}, nil
}

// Get follows object keys; anything missing on the way gives a null Node.
func (n Node) Get(path ...string) Node {
	v := n.V
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return Node{}
		}
		v = m[k]
	}
	return Node{v}
}

// Str is a string, a number's text or "true"/"false"; "" for anything else.
func (n Node) Str() string {
	switch x := n.V.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	return ""
}

// List is an array's elements; empty for anything else.
func (n Node) List() []Node {
	a, _ := n.V.([]any)
	out := make([]Node, len(a))
	for i, v := range a {
		out[i] = Node{v}
	}
	return out
}

// Object is an object's members; nil for anything else.
func (n Node) Object() map[string]any {
	m, _ := n.V.(map[string]any)
	return m
}

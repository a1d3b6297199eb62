package gitlab

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"strconv"
	"strings"
)

// value is a decoded JSON value read leniently. A missing field or one of
// an unexpected type reads as empty, so a payload that an older or newer
// GitLab shaped differently gives a thinner card, never an error or a panic.
type value struct{ v any }

// decode reads a JSON body, keeping numbers exact (job and pipeline ids
// exceed what float64 prints without an exponent).
func decode(body []byte) (value, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		if err == io.EOF {
			err = errors.New("empty body")
		}
		return value{}, err
	}
	if rest := bytes.TrimLeft(body[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return value{}, errors.New("data after the JSON value")
	}
	return value{v}, nil
}

// get walks object fields. GitLab's documented group merge request payload
// has keys with a trailing space ("iid "), so a key that is missing is
// also looked for with the spaces around it trimmed.
func (x value) get(keys ...string) value {
	for _, k := range keys {
		m, ok := x.v.(map[string]any)
		if !ok {
			return value{}
		}
		v, ok := m[k]
		if !ok {
			for mk, mv := range m {
				if strings.TrimSpace(mk) == k {
					v = mv
					break
				}
			}
		}
		x = value{v}
	}
	return x
}

// str returns a string or a number as text, trimmed; anything else is "".
func (x value) str() string {
	switch v := x.v.(type) {
	case string:
		return strings.TrimSpace(v)
	case json.Number:
		return v.String()
	}
	return ""
}

// raw returns a string untrimmed (a comment or a description); see str.
func (x value) raw() string {
	if s, ok := x.v.(string); ok {
		return s
	}
	return x.str()
}

// num returns a number, or a string holding one.
func (x value) num() (float64, bool) {
	var s string
	switch v := x.v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// count returns a non-negative whole number, 0 when there is none.
func (x value) count() int {
	f, ok := x.num()
	if !ok || f < 0 || f > 1e9 {
		return 0
	}
	return int(f)
}

// boolean reports whether the value is JSON true (or the string "true").
func (x value) boolean() bool {
	switch v := x.v.(type) {
	case bool:
		return v
	case string:
		return strings.EqualFold(strings.TrimSpace(v), "true")
	}
	return false
}

// list returns the elements of an array; nil for anything else.
func (x value) list() []value {
	a, ok := x.v.([]any)
	if !ok {
		return nil
	}
	out := make([]value, len(a))
	for i, e := range a {
		out[i] = value{e}
	}
	return out
}

func (x value) isObject() bool {
	_, ok := x.v.(map[string]any)
	return ok
}

// first returns the first non-empty string among paths, each a
// dot-separated field path ("user.name").
func (x value) first(paths ...string) string {
	for _, p := range paths {
		if s := x.get(strings.Split(p, ".")...).str(); s != "" {
			return s
		}
	}
	return ""
}

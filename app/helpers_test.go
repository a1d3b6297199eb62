package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"testing"
)

type jar struct{ c *http.Client }

func newJar() *jar {
	j, _ := cookiejar.New(nil)
	return &jar{c: &http.Client{Jar: j}}
}

func (j *jar) Do(r *http.Request) (*http.Response, error) { return j.c.Do(r) }

func jsonReq(t *testing.T, method, url string, body any) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

func fmtJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// jsonRaw embeds a JSON text as is in a request body.
func jsonRaw(s string) json.RawMessage { return json.RawMessage(s) }

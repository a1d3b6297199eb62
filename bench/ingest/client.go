package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"
)

// A poster sends one webhook POST on its own keep-alive connection and
// reports how it was answered. Each load worker owns one poster, so the
// load is closed-loop: one request in flight per connection.
type poster interface {
	// post sends the request and reads the whole answer. status is 0 when
	// no HTTP answer arrived; body holds the first bytes of the answer body
	// and is only valid until the next call.
	post() (status int, body []byte, err error)
	close()
}

// maxKeep is how much of an answer body a poster keeps: enough to tell "1"
// from an error text and to quote the error.
const maxKeep = 256

// accepted reports whether an answer counts as a stored message: 200 with a
// body of exactly "1", which Herald sends only after the commit.
func accepted(status int, body []byte) bool {
	return status == http.StatusOK && len(body) == 1 && body[0] == '1'
}

// rawPoster speaks HTTP/1.1 over a plain TCP connection: the request is one
// prebuilt buffer written with a single write, and the answer is parsed with
// a bufio.Reader without allocating. This costs the load generator a small
// fraction of what net/http's client does, which matters because the client
// shares two cores with the servers (wrk does the same thing in C).
type rawPoster struct {
	addr     string
	req      []byte
	deadline time.Time
	c        net.Conn
	br       *bufio.Reader
	keep     []byte
}

func newRawPoster(addr, path string, body []byte, deadline time.Time) *rawPoster {
	var b bytes.Buffer
	fmt.Fprintf(&b, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: herald-bench\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, addr, len(body))
	b.Write(body)
	return &rawPoster{addr: addr, req: b.Bytes(), deadline: deadline, keep: make([]byte, 0, maxKeep)}
}

func (p *rawPoster) dial() error {
	c, err := net.DialTimeout("tcp", p.addr, 5*time.Second)
	if err != nil {
		return err
	}
	// One deadline for the whole step instead of one per request: setting a
	// deadline re-arms a runtime timer, which is not free at 50k req/s.
	c.SetDeadline(p.deadline)
	p.c = c
	if p.br == nil {
		p.br = bufio.NewReaderSize(c, 4096)
	} else {
		p.br.Reset(c)
	}
	return nil
}

func (p *rawPoster) close() {
	if p.c != nil {
		p.c.Close()
		p.c = nil
	}
}

var errMalformed = errors.New("malformed HTTP answer")

func (p *rawPoster) post() (int, []byte, error) {
	if p.c == nil {
		if err := p.dial(); err != nil {
			return 0, nil, err
		}
	}
	status, body, keepAlive, err := p.roundTrip()
	if err != nil || !keepAlive {
		p.close()
	}
	return status, body, err
}

func (p *rawPoster) roundTrip() (status int, body []byte, keepAlive bool, err error) {
	if _, err = p.c.Write(p.req); err != nil {
		return 0, nil, false, err
	}
	line, err := p.br.ReadSlice('\n')
	if err != nil {
		return 0, nil, false, err
	}
	// "HTTP/1.1 200 OK\r\n"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, nil, false, errMalformed
	}
	status, ok := parseDecimal(line[9:12])
	if !ok {
		return 0, nil, false, errMalformed
	}
	keepAlive = line[7] == '1' // HTTP/1.1 keeps the connection by default
	contentLength, chunked := int64(-1), false
	for {
		line, err = p.br.ReadSlice('\n')
		if err != nil {
			return status, nil, false, err
		}
		if len(line) <= 2 { // the empty line ending the header
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			return status, nil, false, errMalformed
		}
		name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, ok := parseDecimal(value)
			if !ok {
				return status, nil, false, errMalformed
			}
			contentLength = int64(n)
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			if bytes.EqualFold(value, []byte("close")) {
				keepAlive = false
			} else if bytes.EqualFold(value, []byte("keep-alive")) {
				keepAlive = true
			}
		}
	}
	p.keep = p.keep[:0]
	switch {
	case status == http.StatusNoContent || status == http.StatusNotModified || status < 200:
	case chunked:
		err = p.readChunked()
	case contentLength >= 0:
		err = p.readN(contentLength)
	default: // the body runs until the server closes the connection
		keepAlive = false
		err = p.readN(-1)
	}
	if err != nil {
		return status, nil, false, err
	}
	return status, p.keep, keepAlive, nil
}

// parseDecimal parses a short unsigned decimal number without allocating.
func parseDecimal(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 15 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// readN reads n bytes of body (n < 0: up to EOF), keeping the first maxKeep.
func (p *rawPoster) readN(n int64) error {
	for n != 0 {
		b, err := p.br.Peek(1)
		if err != nil {
			if n < 0 && err == io.EOF {
				return nil
			}
			return err
		}
		avail := int64(p.br.Buffered())
		if n > 0 {
			avail = min(avail, n)
		}
		b, _ = p.br.Peek(int(avail))
		if room := maxKeep - len(p.keep); room > 0 {
			p.keep = append(p.keep, b[:min(len(b), room)]...)
		}
		p.br.Discard(int(avail))
		if n > 0 {
			n -= avail
		}
	}
	return nil
}

func (p *rawPoster) readChunked() error {
	for {
		line, err := p.br.ReadSlice('\n')
		if err != nil {
			return err
		}
		line = bytes.TrimSpace(line)
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(line), 16, 64)
		if err != nil || size < 0 {
			return errMalformed
		}
		if size == 0 {
			for { // trailers, up to the empty line
				line, err = p.br.ReadSlice('\n')
				if err != nil {
					return err
				}
				if len(line) <= 2 {
					return nil
				}
			}
		}
		if err := p.readN(size); err != nil {
			return err
		}
		if _, err := p.br.Discard(2); err != nil { // CRLF after the chunk
			return err
		}
	}
}

// stdPoster uses net/http's client, with a transport of its own limited to
// one connection, so that every worker keeps exactly one keep-alive
// connection. It is the reference for the raw poster (-client std) and costs
// the client several times more CPU.
type stdPoster struct {
	client *http.Client
	url    string
	body   []byte
	buf    []byte
}

func newStdPoster(addr, path string, body []byte) *stdPoster {
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        1,
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &stdPoster{
		client: &http.Client{Transport: tr, Timeout: 30 * time.Second},
		url:    "http://" + addr + path,
		body:   body,
		buf:    make([]byte, maxKeep),
	}
}

func (p *stdPoster) post() (int, []byte, error) {
	req, err := http.NewRequest(http.MethodPost, p.url, bytes.NewReader(p.body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := p.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	n, err := io.ReadFull(resp.Body, p.buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		err = nil
	} else if err == nil {
		_, err = io.Copy(io.Discard, resp.Body) // drain, so the connection is reused
	}
	resp.Body.Close()
	if err != nil {
		return resp.StatusCode, nil, err
	}
	return resp.StatusCode, p.buf[:n], nil
}

func (p *stdPoster) close() { p.client.CloseIdleConnections() }

package main

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

// runBare is the baseline: the HTTP ceiling of this machine for the same
// request. It is plain net/http with the pattern mux and Herald's route and
// server timeouts; it reads the whole body (capped like Herald's limit) and
// answers 200 "1", storing nothing. The benchmark starts it as a separate
// process (this binary with HERALD_BENCH_ROLE=bare), as it does Herald.
func runBare(addr string) {
	const maxBody = 28672 // Herald's default --max-body
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("POST /webhookb2/{group}/{connector}/{connection}/{creator}/{token}", func(w http.ResponseWriter, r *http.Request) {
		buf := bufs.Get().(*bytes.Buffer)
		buf.Reset()
		n, err := buf.ReadFrom(io.LimitReader(r.Body, maxBody+1))
		bufs.Put(buf)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch {
		case err != nil:
			http.Error(w, "bad body", http.StatusBadRequest)
		case n > maxBody:
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
		default:
			w.Write([]byte("1"))
		}
	})
	srv := &http.Server{
		Addr:              addr,
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	fmt.Fprintf(os.Stderr, "bare baseline listening on %s\n", addr)
	log.Fatal(srv.ListenAndServe())
}

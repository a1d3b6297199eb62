package main

import (
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// bareFetch is the baseline: a round of the same HTTP work with nothing
// else. workers goroutines GET every feed once through one net/http
// transport (gzip asked and decompressed, as Herald's client does), read
// each body to the end and throw it away: no parsing, no database, no
// scheduler. With conditional set it sends the feed's current ETag and
// Last-Modified, so an unchanged feed answers 304. It returns the wall time
// and the number of failed requests.
func bareFetch(fs *feedSet, base string, workers int, conditional bool) (time.Duration, int64) {
	tr := &http.Transport{
		MaxIdleConns:        workers,
		MaxIdleConnsPerHost: workers,
		IdleConnTimeout:     90 * time.Second,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	t0 := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= fs.n {
					return
				}
				req, _ := http.NewRequest("GET", fmt.Sprintf("%s/feeds/%d.xml", base, i), nil)
				if conditional {
					fs.mu.RLock()
					req.Header.Set("If-None-Match", fs.bodies[i].etag)
					req.Header.Set("If-Modified-Since", fs.bodies[i].lastMo)
					fs.mu.RUnlock()
				}
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if want := http.StatusOK; conditional && resp.StatusCode != http.StatusNotModified || !conditional && resp.StatusCode != want {
					failed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(t0), failed.Load()
}

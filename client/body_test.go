package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// stallAfterHeaders sends the headers and the start of a JSON body, then
// sends nothing more until the client gives up.
func stallAfterHeaders(contentType string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(200)
		io.WriteString(w, `{"ok":`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
}

// getSecondAttemptBody GETs /x from srv through a pipeline with opts and
// checks that the call returns the second attempt's body {"ok":true}.
func getSecondAttemptBody(t *testing.T, srv *scripted, opts ...Option) {
	t.Helper()
	hc, _ := buildPipeline(t, nil, append([]Option{noSleep(&sleepRecorder{}, RetryPolicy{})}, opts...)...)
	resp, err := hc.Get(srv.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body) // the final attempt's body outlives RoundTrip
	resp.Body.Close()
	if err != nil || string(body) != `{"ok":true}` {
		t.Errorf("body %q, %v; want the second attempt's", body, err)
	}
	if srv.attempts() != 2 {
		t.Errorf("%d attempts, want 2", srv.attempts())
	}
}

func TestAnAttemptThatTimesOutWhileReadingTheBodyIsRetried(t *testing.T) {
	getSecondAttemptBody(t, newScripted(t, stallAfterHeaders("application/json"), ok), WithTimeouts(Timeouts{Attempt: 300 * time.Millisecond}))
}

func TestABodyThatStallsAfterTheHeadersFailsAfterTheIdleTimeout(t *testing.T) {
	t.Run("a JSON answer is retried", func(t *testing.T) {
		getSecondAttemptBody(t, newScripted(t, stallAfterHeaders("application/json"), ok), WithTimeouts(Timeouts{BodyIdle: 200 * time.Millisecond}))
	})
	t.Run("a download fails the read", func(t *testing.T) {
		srv := newScripted(t, stallAfterHeaders("application/pdf"))
		hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}), WithTimeouts(Timeouts{BodyIdle: 200 * time.Millisecond}))
		resp, err := hc.Get(srv.URL + "/doc")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		done := make(chan error, 1)
		go func() { _, err := io.ReadAll(resp.Body); done <- err }()
		select {
		case err := <-done:
			var idle *BodyIdleError
			if !errors.As(err, &idle) || idle.Idle != 200*time.Millisecond {
				t.Errorf("read error %v, want *BodyIdleError", err)
			}
		case <-time.After(20 * time.Second):
			t.Fatal("the stalled body hangs")
		}
	})
	t.Run("the idle limit is on by default", func(t *testing.T) {
		hc, _ := buildPipeline(t, nil)
		rt := findRetry(t, hc.Transport)
		if rt.bodyIdle != defaultBodyIdleTimeout || defaultBodyIdleTimeout <= 0 {
			t.Errorf("default body idle limit %v", rt.bodyIdle)
		}
	})
}

// findRetry digs the retry layer out of a pipeline built by newHTTPClient.
func findRetry(t *testing.T, rt http.RoundTripper) *retryTransport {
	t.Helper()
	for {
		switch x := rt.(type) {
		case *errorTransport:
			rt = x.next
		case *logTransport:
			rt = x.next
		case *retryTransport:
			return x
		default:
			t.Fatalf("no retry layer in %T", rt)
			return nil
		}
	}
}

func TestJSONBodiesAreCappedAndDownloadsAreNot(t *testing.T) {
	big := `{"data":"` + strings.Repeat("x", 4096) + `"}`
	serve := func(contentType string, chunked bool) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			if chunked {
				w.WriteHeader(200)
				w.(http.Flusher).Flush() // no Content-Length
			}
			io.WriteString(w, big)
		}
	}
	for _, chunked := range []bool{false, true} {
		srv := newScripted(t, serve("application/json; charset=utf-8", chunked))
		hc, _ := buildPipeline(t, nil, WithMaxJSONBody(1024))
		_, err := hc.Get(srv.URL + "/x")
		var de *DecodeError
		if !errors.Is(err, ErrBodyTooLarge) || !errors.As(err, &de) || !strings.Contains(err.Error(), "1024 bytes") {
			t.Errorf("chunked=%v: error %v, want a *DecodeError matching ErrBodyTooLarge", chunked, err)
		}
		if srv.attempts() != 1 {
			t.Errorf("a body over the limit was retried (%d attempts)", srv.attempts())
		}
		// Opting out per call streams it whole.
		if n := bodySize(t, hc, WithStreamedResponse(context.Background()), srv.URL+"/x"); n != len(big) {
			t.Errorf("streamed body %d bytes, want %d", n, len(big))
		}
	}
	srv := newScripted(t, serve("application/pdf", true))
	hc, _ := buildPipeline(t, nil, WithMaxJSONBody(1024))
	if n := bodySize(t, hc, context.Background(), srv.URL+"/doc"); n != len(big) {
		t.Errorf("download %d bytes, want %d uncapped", n, len(big))
	}
	cfg := &config{}
	WithMaxJSONBody(0)(cfg)
	if len(cfg.errs) != 1 {
		t.Errorf("WithMaxJSONBody(0) accepted")
	}
}

// zeros is an endless JSON-looking body: `"` and then zeros.
type zeros struct{ started bool }

func (z *zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	if !z.started && len(p) > 0 {
		p[0], z.started = '[', true
	}
	return len(p), nil
}

func TestDecodeJSONRefusesAnEndlessBody(t *testing.T) {
	resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}}, Body: io.NopCloser(&zeros{})}
	var v any
	err := DecodeJSON(resp, &v)
	if !errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("DecodeJSON error %v, want ErrBodyTooLarge", err)
	}
}

// bodySize GETs url through hc with ctx and returns the body's length.
func bodySize(t *testing.T, hc *http.Client, ctx context.Context, url string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return len(body)
}

// stalled ends at once, as a connection cut after the headers does.
type stalled struct{}

func (stalled) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }
func (stalled) Close() error             { return nil }

// TestBufferJSONBodyDoesNotTrustContentLength: a Content-Length with no
// body behind it neither panics (a huge value with no limit) nor makes the
// Client allocate the claimed size (up to the limit) before data arrives.
func TestBufferJSONBodyDoesNotTrustContentLength(t *testing.T) {
	for _, tc := range []struct {
		name   string
		length int64
		limit  int64
	}{
		{"huge, no limit", 1 << 62, -1},
		{"at the default limit", DefaultMaxJSONBody, DefaultMaxJSONBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "https://demo.docusign.net/x", nil)
			resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: stalled{}, ContentLength: tc.length, Request: req}
			var err error
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			func() {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("panic: %v", p)
					}
				}()
				err = bufferJSONBody(req, resp, tc.limit)
			}()
			runtime.ReadMemStats(&after)
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("bufferJSONBody = %v, want io.ErrUnexpectedEOF", err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
				t.Errorf("allocated %d bytes for a body that never came", n)
			}
		})
	}
}

// TestBufferJSONBodyReadsALongBodyWhole: a body longer than the initial
// reservation is read whole, and one shorter than its Content-Length fails.
func TestBufferJSONBodyReadsALongBodyWhole(t *testing.T) {
	want := `"` + strings.Repeat("z", 3*maxBodyPrealloc+17) + `"`
	for _, tc := range []struct {
		length  int64
		wantErr bool
	}{{int64(len(want)), false}, {int64(len(want)) + 1, true}} {
		req := httptest.NewRequest(http.MethodGet, "https://demo.docusign.net/x", nil)
		resp := &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader(want)), ContentLength: tc.length, Request: req}
		err := bufferJSONBody(req, resp, -1)
		if tc.wantErr {
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("Content-Length %d: err = %v, want io.ErrUnexpectedEOF", tc.length, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		if string(got) != want {
			t.Errorf("read %d bytes, want %d", len(got), len(want))
		}
	}
}

// A page's Content-Length is trusted no more than bufferJSONBody trusts
// one: a page that claims 60 MiB (under the page limit) and sends nothing
// fails as truncated without the pager reserving the claimed size.
func TestPagerDoesNotTrustContentLength(t *testing.T) {
	g := pageGetter{do: pageDoerFunc(func(req *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: stalled{}, ContentLength: 60 << 20, Request: req}, nil
	})}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := g.get(context.Background(), "https://lens-d.docusign.net/api/v2.0/datasets/monitor/stream")
	runtime.ReadMemStats(&after)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("get = %v, want io.ErrUnexpectedEOF", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 4<<20 {
		t.Errorf("allocated %d bytes for a page that never came", n)
	}
}

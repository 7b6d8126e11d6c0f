package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// trackedSeeker is an in-memory file that can read, seek and close; it
// counts closes and reads after the first close.
type trackedSeeker struct {
	r *bytes.Reader

	mu         sync.Mutex
	closes     int
	afterClose int // reads attempted after Close
	closed     chan struct{}
}

func newTrackedSeeker(data []byte) *trackedSeeker {
	return &trackedSeeker{r: bytes.NewReader(data), closed: make(chan struct{})}
}

func (s *trackedSeeker) note() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closes > 0 {
		s.afterClose++
	}
}

func (s *trackedSeeker) Read(p []byte) (int, error) {
	s.note()
	return s.r.Read(p)
}

func (s *trackedSeeker) Seek(off int64, whence int) (int64, error) { return s.r.Seek(off, whence) }

func (s *trackedSeeker) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closes == 0 {
		close(s.closed)
	}
	s.closes++
	return nil
}

// waitClosed waits (up to a deadline) for the transport to close the body,
// which it may do after RoundTrip returns, then checks it was closed once
// and never read afterwards.
func (s *trackedSeeker) waitClosed(t *testing.T) {
	t.Helper()
	select {
	case <-s.closed:
	case <-time.After(10 * time.Second):
		t.Fatal("the caller's body was never closed")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closes != 1 || s.afterClose != 0 {
		t.Errorf("the caller's body was closed %d times and read %d times after closing, want once and never", s.closes, s.afterClose)
	}
}

// trackedFile is a trackedSeeker that can also ReadAt, like an *os.File.
type trackedFile struct{ *trackedSeeker }

func (f trackedFile) ReadAt(p []byte, off int64) (int, error) {
	f.note()
	return f.r.ReadAt(p, off)
}

// wireLog records what each attempt looked like on the wire.
type wireLog struct {
	mu       sync.Mutex
	attempts []wireAttempt
}

type wireAttempt struct {
	contentLength    int64
	transferEncoding []string
	sum              [32]byte
	size             int
}

// uploadServer answers the first `fail` requests with 503 and the rest with
// 200, recording each request's framing and body.
func uploadServer(t *testing.T, fail int) (*httptest.Server, *wireLog) {
	t.Helper()
	log := &wireLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		log.mu.Lock()
		log.attempts = append(log.attempts, wireAttempt{r.ContentLength, r.TransferEncoding, sha256.Sum256(body), len(body)})
		n := len(log.attempts)
		log.mu.Unlock()
		if n <= fail {
			status(503)(w, r)
			return
		}
		ok(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, log
}

func (l *wireLog) get() []wireAttempt {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]wireAttempt(nil), l.attempts...)
}

// checkAttempts asserts that n attempts each sent want with a
// Content-Length, not chunked.
func checkAttempts(t *testing.T, got []wireAttempt, n int, want []byte) {
	t.Helper()
	if len(got) != n {
		t.Fatalf("%d attempts, want %d", len(got), n)
	}
	for i, a := range got {
		if a.contentLength != int64(len(want)) || len(a.transferEncoding) != 0 {
			t.Errorf("attempt %d: Content-Length %d, Transfer-Encoding %v; want Content-Length %d and no Transfer-Encoding", i+1, a.contentLength, a.transferEncoding, len(want))
		}
		if a.size != len(want) || a.sum != sha256.Sum256(want) {
			t.Errorf("attempt %d sent %d bytes differing from the %d expected", i+1, a.size, len(want))
		}
	}
}

func tempFile(t *testing.T, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "document.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// osPipe returns the read end of an OS pipe holding data.
func osPipe(t *testing.T, data []byte) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	go func() {
		w.Write(data)
		w.Close()
	}()
	return r
}

func TestEveryBodyOfKnownLengthIsSentWithItsContentLengthOnEveryAttempt(t *testing.T) {
	small := bytes.Repeat([]byte("%PDF-1.7 small "), 100)
	large := bytes.Repeat([]byte("%PDF-1.7 large "), 3*MaxReplayBuffer/15) // 3 MiB
	tests := []struct {
		name string
		body func(t *testing.T) io.Reader
		want []byte
	}{
		{"a small *os.File", func(t *testing.T) io.Reader { return tempFile(t, small) }, small},
		{"a large *os.File", func(t *testing.T) io.Reader { return tempFile(t, large) }, large},
		{"an *os.File already read partway sends the rest", func(t *testing.T) io.Reader {
			f := tempFile(t, large)
			if _, err := f.Seek(100, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			return f
		}, large[100:]},
		{"a *bytes.Reader", func(*testing.T) io.Reader { return bytes.NewReader(small) }, small},
		{"a *strings.Reader", func(*testing.T) io.Reader { return strings.NewReader(string(small)) }, small},
		{"a small plain reader (buffered)", func(*testing.T) io.Reader { return io.MultiReader(bytes.NewReader(small)) }, small},
		{"a large io.SectionReader (wrapped in io.NopCloser by net/http)", func(*testing.T) io.Reader {
			return io.NewSectionReader(bytes.NewReader(large), 0, int64(len(large)))
		}, large},
		{"a large seeker that cannot ReadAt", func(*testing.T) io.Reader { return newTrackedSeeker(large) }, large},
		{"an *os.File that is a pipe (buffered)", func(t *testing.T) io.Reader { return osPipe(t, small) }, small},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, wire := uploadServer(t, 1)
			hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
			req, _ := http.NewRequest(http.MethodPut, srv.URL+"/restapi/v2.1/accounts/1/envelopes/2/documents/1", tt.body(t))
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			checkAttempts(t, wire.get(), 2, tt.want)
		})
	}
}

func TestAFileIsSentWithItsLengthEvenWhenNotRetried(t *testing.T) {
	data := bytes.Repeat([]byte("x"), 5000)
	srv, wire := uploadServer(t, 0)
	hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/restapi/v2.1/accounts/1/envelopes", tempFile(t, data))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	checkAttempts(t, wire.get(), 1, data)
}

func TestALargeFileUploadIsRetriedWithIdenticalBytesAndClosedOnce(t *testing.T) {
	data := make([]byte, 3*MaxReplayBuffer+7)
	for i := range data {
		data[i] = byte(i * 31)
	}
	for _, readerAt := range []bool{true, false} {
		t.Run(fmt.Sprintf("ReaderAt=%v", readerAt), func(t *testing.T) {
			s := newTrackedSeeker(data)
			var body io.Reader = s
			if readerAt {
				body = trackedFile{s}
			}
			srv, wire := uploadServer(t, 1)
			hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
			req, _ := http.NewRequest(http.MethodPut, srv.URL+"/restapi/v2.1/accounts/1/envelopes/2/documents/1", body)
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			checkAttempts(t, wire.get(), 2, data)
			s.waitClosed(t)
		})
	}
}

// TestAnEarlyAnswerMidUploadIsRetriedWithoutSharingTheReader: the server
// answers 503 after reading only the start of the body, while the client
// is still sending it. Attempt 1 is abandoned mid-body and attempt 2 sends
// the whole file; the caller's body is closed once, after both stopped
// reading. (net/http usually closes attempt 1's body before the retry
// starts; TestTwoAttemptsReadingAtOnceNeverShareAnOffset covers the
// attempts overlapping.) Run with -race.
func TestAnEarlyAnswerMidUploadIsRetriedWithoutSharingTheReader(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 8*MaxReplayBuffer/16) // 8 MiB
	for _, readerAt := range []bool{true, false} {
		t.Run(fmt.Sprintf("ReaderAt=%v", readerAt), func(t *testing.T) {
			var mu sync.Mutex
			calls := 0
			var second [32]byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				calls++
				n := calls
				mu.Unlock()
				if n == 1 {
					// Answer after 64 KiB, then read on: the client has
					// the answer while it is still sending the body.
					rc := http.NewResponseController(w)
					rc.EnableFullDuplex()
					io.CopyN(io.Discard, r.Body, 64<<10)
					const answer = `{"errorCode":"E503","message":"status 503"}`
					w.Header().Set("Content-Length", strconv.Itoa(len(answer)))
					statusBody(503, answer)(w, r)
					rc.Flush()
					io.Copy(io.Discard, r.Body)
					return
				}
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				second = sha256.Sum256(b)
				mu.Unlock()
				ok(w, r)
			}))
			defer srv.Close()
			s := newTrackedSeeker(data)
			var body io.Reader = s
			if readerAt {
				body = trackedFile{s}
			}
			hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}))
			req, _ := http.NewRequest(http.MethodPut, srv.URL+"/restapi/v2.1/accounts/1/envelopes/2/documents/1", body)
			resp, err := hc.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			mu.Lock()
			defer mu.Unlock()
			if calls != 2 || second != sha256.Sum256(data) {
				t.Errorf("%d attempts; the second sent other bytes than the file: %v", calls, second != sha256.Sum256(data))
			}
			s.waitClosed(t)
		})
	}
}

func TestTwoAttemptsReadingAtOnceNeverShareAnOffset(t *testing.T) {
	data := bytes.Repeat([]byte("abcdefgh"), 64<<10)
	t.Run("a ReaderAt is read by both in full", func(t *testing.T) {
		s := newTrackedSeeker(data)
		b, ok := newSeekableBody(trackedFile{s}, 0)
		if !ok {
			t.Fatal("a ReadSeeker is seekable")
		}
		first, _ := b.open()
		second, _ := b.open()
		var wg sync.WaitGroup
		var got [2][]byte
		for i, r := range []io.Reader{first, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], _ = io.ReadAll(r)
			}()
		}
		wg.Wait()
		if !bytes.Equal(got[0], data) || !bytes.Equal(got[1], data) {
			t.Errorf("attempts read %d and %d bytes, want %d each", len(got[0]), len(got[1]), len(data))
		}
		first.Close()
		second.Close()
		b.finish()
		s.waitClosed(t)
	})
	t.Run("a plain seeker belongs to the newest attempt", func(t *testing.T) {
		s := newTrackedSeeker(data)
		b, _ := newSeekableBody(s, 0)
		first, _ := b.open()
		if _, err := io.ReadFull(first, make([]byte, 1000)); err != nil {
			t.Fatal(err)
		}
		second, _ := b.open()
		done := make(chan error, 1)
		go func() {
			_, err := io.Copy(io.Discard, first)
			done <- err
		}()
		got, err := io.ReadAll(second)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("the newest attempt read %d bytes (%v), want all %d", len(got), err, len(data))
		}
		if err := <-done; !errors.Is(err, errBodySuperseded) {
			t.Errorf("the abandoned attempt read on: %v", err)
		}
		b.finish()
		first.Close()
		select {
		case <-s.closed:
			t.Fatal("the caller's body was closed while an attempt still had it open")
		default:
		}
		second.Close()
		s.waitClosed(t)
	})
}

func TestTheCallersBodyIsClosedOnceWhenNoAttemptIsMade(t *testing.T) {
	// The first answer spends the burst budget, so the next call waits for
	// pacing, and its context ends during that wait.
	srv := newScripted(t, statusBody(200, `{}`, "X-BurstLimit-Limit", "500", "X-BurstLimit-Remaining", "0"))
	hc, _ := buildPipeline(t, nil, noSleep(&sleepRecorder{}, RetryPolicy{}), WithPacing(Pacing{}))
	url := srv.URL + "/restapi/v2.1/accounts/1/envelopes/2/documents/1"
	req, _ := http.NewRequest(http.MethodPut, url, strings.NewReader("x"))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, tt := range []struct {
		name string
		body func(*trackedSeeker) io.Reader
	}{
		{"a ReaderAt", func(s *trackedSeeker) io.Reader { return trackedFile{s} }},
		{"a plain seeker", func(s *trackedSeeker) io.Reader { return s }},
		{"a stream", func(s *trackedSeeker) io.Reader { return struct{ io.ReadCloser }{s} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			s := newTrackedSeeker([]byte("%PDF"))
			req, _ := http.NewRequestWithContext(ctx, http.MethodPut, url, tt.body(s))
			if _, err := hc.Do(req); !errors.Is(err, context.Canceled) {
				t.Fatalf("got %v, want the pacing wait cancelled", err)
			}
			s.waitClosed(t)
			if srv.attempts() != 1 {
				t.Errorf("%d requests reached the server, want only the first call's", srv.attempts())
			}
		})
	}
}

func TestALargeStreamIsStillSentOnceAndTheLogSaysWhy(t *testing.T) {
	payload := bytes.Repeat([]byte("z"), 2*MaxReplayBuffer)
	srv, wire := uploadServer(t, 1)
	logs, logger := captureLogs(slog.LevelInfo)
	hc, _ := buildPipeline(t, nil, WithLogger(logger), noSleep(&sleepRecorder{}, RetryPolicy{}))
	pr, pw := io.Pipe()
	go func() {
		pw.Write(payload)
		pw.Close()
	}()
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/restapi/v2.1/accounts/1/envelopes/2/documents/1", pr)
	_, err := hc.Do(req)
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != 503 {
		t.Errorf("got %v, want the 503 answered to the only attempt", err)
	}
	got := wire.get()
	if len(got) != 1 || got[0].size != len(payload) || got[0].contentLength != -1 {
		t.Errorf("attempts %+v: want one streamed attempt of unknown length", got)
	}
	lines := logs.lines(t)
	if len(lines) != 1 || !strings.Contains(fmt.Sprint(lines[0]["not_retried"]), "streamed once") {
		t.Errorf("log %v: want one line saying the body was streamed once", lines)
	}
}

func TestADeviceThatSeeksIsStillAStream(t *testing.T) {
	f, err := os.Open("/dev/zero") // seeks without error, and ends at 0
	if err != nil {
		t.Skip("no /dev/zero here:", err)
	}
	defer f.Close()
	if _, ok := newSeekableBody(f, 0); ok {
		t.Error("/dev/zero was taken for a seekable body of known size")
	}
	if _, ok := newSeekableBody(tempFile(t, []byte("%PDF")), 0); !ok {
		t.Error("a regular file is seekable")
	}
}

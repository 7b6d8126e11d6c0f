package connect

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is user code that records what it was handed.
type recorder struct {
	mu   sync.Mutex
	got  []*Message
	fail func(m *Message) error
}

func (r *recorder) handle(_ context.Context, m *Message) error {
	if r.fail != nil {
		if err := r.fail(m); err != nil {
			return err
		}
	}
	r.mu.Lock()
	r.got = append(r.got, m)
	r.mu.Unlock()
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestHandlerRefusalsNeverReachUserCode(t *testing.T) {
	rec := &recorder{}
	h, err := NewHandler(rec.handle, WithHMACKeys(testKey, testOldKey), WithMaxBodyBytes(4096))
	if err != nil {
		t.Fatal(err)
	}
	body := typicalMessage(EnvelopeCompleted, 0)
	tampered := []byte(strings.Replace(string(body), "completed", "voided", 1))
	for _, tt := range []struct {
		name   string
		req    *http.Request
		status int
		body   string
	}{
		{"tampered body", func() *http.Request {
			r := signedRequest(tampered)
			r.Header.Set("X-DocuSign-Signature-1", Sign(testKey, body))
			return r
		}(), 401, "no signature matches"},
		{"wrong key", signedRequest(body, "wrong"), 401, "no signature matches"},
		{"missing header", signedRequest(body), 401, "no X-DocuSign-Signature-N"},
		{"oversize body", signedRequest([]byte(`{"event":"envelope-sent","pad":"`+strings.Repeat("x", 5000)+`"}`), testKey), 413, "body too large"},
		{"malformed JSON", signedRequest([]byte(`{"event":`), testKey), 400, "malformed message"},
		{"XML message", signedRequest([]byte(`<DocuSignEnvelopeInformation/>`), testKey), 400, "JSON SIM"},
		{"GET", httptest.NewRequest(http.MethodGet, "/connect", nil), 405, "method"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.req)
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.body) {
				t.Fatalf("answer %d %q, want %d mentioning %q", w.Code, w.Body, tt.status, tt.body)
			}
			if strings.Contains(w.Body.String(), testKey) {
				t.Fatal("the answer shows the key")
			}
		})
	}
	if rec.count() != 0 {
		t.Fatalf("user code saw %d refused deliveries", rec.count())
	}
	// Both keys of a rotation are accepted.
	for i, k := range []string{testOldKey, testKey} {
		if w := serve(h, signedRequest(typicalMessage(Events[i], 0), k)); w.Code != 200 {
			t.Fatalf("key %d: %d %s", i, w.Code, w.Body)
		}
	}
	if rec.count() != 2 {
		t.Fatalf("user code saw %d deliveries, want 2", rec.count())
	}
}

func TestHandlerDuplicatesAndRetries(t *testing.T) {
	failures := 2
	rec := &recorder{fail: func(*Message) error {
		if failures > 0 {
			failures--
			return errors.New("database down")
		}
		return nil
	}}
	h, err := NewHandler(rec.handle, WithHMACKeys(testKey))
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	for retry := range 5 {
		w := serve(h, signedRequest(typicalMessage(EnvelopeCompleted, retry), testKey))
		codes = append(codes, w.Code)
		if strings.Contains(w.Body.String(), "database down") {
			t.Fatal("user code's error text reached the answer")
		}
	}
	if want := []int{500, 500, 200, 200, 200}; !slices.Equal(codes, want) {
		t.Fatalf("answers %v, want %v", codes, want)
	}
	if rec.count() != 1 {
		t.Fatalf("user code saw the event %d times, want once", rec.count())
	}
}

func TestHandlerPanicAnswers500(t *testing.T) {
	calls := 0
	h, err := NewHandler(func(context.Context, *Message) error {
		calls++
		if calls == 1 {
			panic("nil map")
		}
		return nil
	}, WithHMACKeys(testKey))
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 0), testKey)); w.Code != 500 {
		t.Fatalf("panic answered %d", w.Code)
	}
	if w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 1), testKey)); w.Code != 200 || calls != 2 {
		t.Fatalf("retry answered %d after %d calls", w.Code, calls)
	}
}

// TestHandlerTimeoutThenLateSuccess: user code outlives the timeout (503),
// then succeeds; the retry that arrives meanwhile waits for it and is
// answered 200 without a second call.
func TestHandlerTimeoutThenLateSuccess(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	h, err := NewHandler(func(ctx context.Context, m *Message) error {
		calls.Add(1)
		<-release
		return nil // ignores ctx: a slow but successful handler
	}, WithHMACKeys(testKey), WithTimeout(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(h, signedRequest(typicalMessage(EnvelopeCompleted, 0), testKey)); w.Code != 503 {
		t.Fatalf("timeout answered %d", w.Code)
	}
	done := make(chan int)
	go func() { done <- serve(h, signedRequest(typicalMessage(EnvelopeCompleted, 1), testKey)).Code }()
	close(release)
	select {
	case code := <-done:
		if code != 200 {
			t.Fatalf("retry answered %d", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("retry never answered")
	}
	if calls.Load() != 1 {
		t.Fatalf("user code called %d times", calls.Load())
	}
}

// TestHandlerSerializesConcurrentDuplicates: many deliveries of one event
// at once reach user code once.
func TestHandlerSerializesConcurrentDuplicates(t *testing.T) {
	var calls atomic.Int32
	h, err := NewHandler(func(context.Context, *Message) error {
		calls.Add(1)
		time.Sleep(time.Millisecond)
		return nil
	}, WithHMACKeys(testKey))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if w := serve(h, signedRequest(typicalMessage(EnvelopeCompleted, i), testKey)); w.Code != 200 {
				t.Errorf("delivery %d answered %d", i, w.Code)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("user code called %d times, want 1", calls.Load())
	}
}

type failingStore struct{ seenErr, commitErr error }

func (s failingStore) Seen(context.Context, string) (bool, error) { return false, s.seenErr }
func (s failingStore) Commit(context.Context, string) error       { return s.commitErr }

func TestHandlerStoreFailures(t *testing.T) {
	rec := &recorder{}
	h, _ := NewHandler(rec.handle, WithHMACKeys(testKey), WithStore(failingStore{seenErr: errors.New("redis down")}))
	w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 0), testKey))
	if w.Code != 503 || rec.count() != 0 {
		t.Fatalf("Seen failure: %d, user code saw %d", w.Code, rec.count())
	}
	// A failed commit after success still acknowledges: user code has
	// handled the event, a redelivery would repeat it.
	h, _ = NewHandler(rec.handle, WithHMACKeys(testKey), WithStore(failingStore{commitErr: errors.New("redis down")}))
	if w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 0), testKey)); w.Code != 200 || rec.count() != 1 {
		t.Fatalf("Commit failure: %d, user code saw %d", w.Code, rec.count())
	}
}

func TestHandlerConfiguration(t *testing.T) {
	_, err := NewHandler(nil, WithStore(nil), WithTimeout(0), WithKeyFunc(nil))
	for _, want := range []string{"HandlerFunc is nil", "WithStore(nil)", "WithTimeout(0s)", "WithKeyFunc(nil)", "no HMAC key"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
}

func TestMemoryStoreIsBounded(t *testing.T) {
	s := NewMemoryStore(2)
	ctx := context.Background()
	for _, k := range []string{"a", "b", "a", "c"} {
		s.Commit(ctx, k)
	}
	for k, want := range map[string]bool{"a": false, "b": true, "c": true} {
		if got, _ := s.Seen(ctx, k); got != want {
			t.Errorf("Seen(%q) = %v, want %v", k, got, want)
		}
	}
	if s.Len() != 2 {
		t.Errorf("Len = %d", s.Len())
	}
}

// TestHandlerDuplicateWaitsAtMostTheTimeout: while user code hangs on the
// first delivery, a retry of the same event is answered 503 after the
// timeout instead of piling up; user code is not called for it.
func TestHandlerDuplicateWaitsAtMostTheTimeout(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var calls atomic.Int32
	h, err := NewHandler(func(ctx context.Context, m *Message) error {
		calls.Add(1)
		<-release
		return nil
	}, WithHMACKeys(testKey), WithTimeout(30*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan int)
	go func() { first <- serve(h, signedRequest(typicalMessage(EnvelopeSent, 0), testKey)).Code }()
	deadline := time.Now().Add(10 * time.Second)
	for calls.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 1), testKey))
	if w.Code != 503 || !strings.Contains(w.Body.String(), "handler failed") {
		t.Fatalf("waiting retry answered %d %s", w.Code, w.Body)
	}
	if code := <-first; code != 503 {
		t.Fatalf("hanging first delivery answered %d", code)
	}
	if calls.Load() != 1 {
		t.Fatalf("user code called %d times", calls.Load())
	}
}

type panickingStore struct{ seen, commit bool }

func (s panickingStore) Seen(context.Context, string) (bool, error) {
	if s.seen {
		panic("store bug")
	}
	return false, nil
}

func (s panickingStore) Commit(context.Context, string) error {
	if s.commit {
		panic("store bug")
	}
	return nil
}

// TestHandlerSurvivesAPanickingStore: a Store that panics in Commit does
// not take the process down (it runs on the Handler's goroutine), and one
// that panics in Seen is answered 503 like a failing Store, without
// leaving the event's key held.
func TestHandlerSurvivesAPanickingStore(t *testing.T) {
	rec := &recorder{}
	h, _ := NewHandler(rec.handle, WithHMACKeys(testKey), WithStore(panickingStore{commit: true}))
	if w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 0), testKey)); w.Code != 200 || rec.count() != 1 {
		t.Fatalf("Commit panic: %d, user code saw %d", w.Code, rec.count())
	}
	h, _ = NewHandler(rec.handle, WithHMACKeys(testKey), WithStore(panickingStore{seen: true}), WithTimeout(time.Second))
	for range 2 {
		if w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 0), testKey)); w.Code != 503 {
			t.Fatalf("Seen panic answered %d", w.Code)
		}
	}
	h.mu.Lock()
	held := len(h.inflight)
	h.mu.Unlock()
	if held != 0 || rec.count() != 1 {
		t.Fatalf("%d keys still held after Seen panicked; user code saw %d", held, rec.count())
	}
}

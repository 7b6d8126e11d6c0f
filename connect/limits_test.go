package connect

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// waitFor polls cond until it holds, failing the test after ten seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// gate is user code that blocks every call until open is closed.
type gate struct {
	calls atomic.Int32
	open  chan struct{}
}

func newGate() *gate { return &gate{open: make(chan struct{})} }

func (g *gate) handle(ctx context.Context, m *Message) error {
	g.calls.Add(1)
	<-g.open
	return nil
}

// countingBody records whether anything read it.
type countingBody struct {
	io.Reader
	reads atomic.Int32
}

func (b *countingBody) Read(p []byte) (int, error) { b.reads.Add(1); return b.Reader.Read(p) }
func (b *countingBody) Close() error               { return nil }

func (h *Handler) held() int { return len(h.slots) }

// TestHandlerAnswersBusyWithoutReadingTheBody: with every place taken, a
// delivery is answered 503 with Retry-After at once, its body unread;
// places come back when deliveries are answered.
func TestHandlerAnswersBusyWithoutReadingTheBody(t *testing.T) {
	g := newGate()
	h, err := NewHandler(g.handle, WithHMACKeys(testKey), WithMaxConcurrent(2))
	if err != nil {
		t.Fatal(err)
	}
	answers := make(chan int, 2)
	for _, ev := range []Event{EnvelopeSent, EnvelopeCompleted} {
		go func() { answers <- serve(h, signedRequest(typicalMessage(ev, 0), testKey)).Code }()
	}
	waitFor(t, "two deliveries in user code", func() bool { return g.calls.Load() == 2 })

	body := typicalMessage(EnvelopeDelivered, 0)
	r := signedRequest(body, testKey)
	cb := &countingBody{Reader: bytes.NewReader(body)}
	r.Body = cb
	w := serve(h, r)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), ErrBusy.Error()) {
		t.Fatalf("third delivery answered %d (Retry-After %q) %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	if cb.reads.Load() != 0 {
		t.Errorf("the busy answer read the body %d time(s)", cb.reads.Load())
	}
	close(g.open)
	for range 2 {
		if code := <-answers; code != 200 {
			t.Errorf("held delivery answered %d", code)
		}
	}
	if w := serve(h, signedRequest(body, testKey)); w.Code != 200 || g.calls.Load() != 3 || h.held() != 0 {
		t.Fatalf("after the others were answered: %d, %d calls, %d places held", w.Code, g.calls.Load(), h.held())
	}
}

// TestHandlerTimedOutUserCodeKeepsItsPlace: user code past the timeout
// still holds its message, so its place is given back only when it
// returns.
func TestHandlerTimedOutUserCodeKeepsItsPlace(t *testing.T) {
	g := newGate()
	h, err := NewHandler(g.handle, WithHMACKeys(testKey), WithMaxConcurrent(1), WithTimeout(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 0), testKey)); w.Code != 503 || !strings.Contains(w.Body.String(), ErrHandler.Error()) {
		t.Fatalf("hanging user code answered %d %s", w.Code, w.Body)
	}
	if w := serve(h, signedRequest(typicalMessage(EnvelopeCompleted, 0), testKey)); w.Code != 503 || !strings.Contains(w.Body.String(), ErrBusy.Error()) {
		t.Fatalf("while user code still runs: %d %s, want busy", w.Code, w.Body)
	}
	close(g.open)
	waitFor(t, "the place to come back", func() bool { return h.held() == 0 })
	if w := serve(h, signedRequest(typicalMessage(EnvelopeCompleted, 0), testKey)); w.Code != 200 {
		t.Fatalf("after user code returned: %d %s", w.Code, w.Body)
	}
}

// TestHandlerWaitersBeyondTheFirstHoldNothing: while an event is being
// handled, the first redelivery waits with its message and place; further
// ones (a replayed capture) give their place back, are bounded in number,
// and are answered from the outcome. User code runs once.
func TestHandlerWaitersBeyondTheFirstHoldNothing(t *testing.T) {
	g := newGate()
	var finalized atomic.Int32
	h, err := NewHandler(g.handle, WithHMACKeys(testKey), WithMaxConcurrent(3), WithKeyFunc(func(m *Message) string {
		if m.RetryCount == 2 { // the light waiters' messages
			runtime.SetFinalizer(m, func(*Message) { finalized.Add(1) })
		}
		return DedupKey(m)
	}))
	if err != nil {
		t.Fatal(err)
	}
	answers := make(chan int, 8)
	deliver := func(retry int) {
		go func() { answers <- serve(h, signedRequest(typicalMessage(EnvelopeSent, retry), testKey)).Code }()
	}
	deliver(0)
	waitFor(t, "the first delivery in user code", func() bool { return g.calls.Load() == 1 })
	deliver(1)
	waitFor(t, "the first waiter", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		f := h.inflight[DedupKey(mustDecode(t, typicalMessage(EnvelopeSent, 0)))]
		return f != nil && f.queued
	})
	for i := range 3 { // one after another: each needs the free place to be read
		deliver(2)
		waitFor(t, "a waiter holding nothing", func() bool { return h.waiters.Load() == int64(i+1) })
	}
	if h.held() != 2 {
		t.Errorf("%d places held, want 2 (the delivery in user code and the first waiter)", h.held())
	}
	// The waiters' messages are garbage while they wait.
	waitFor(t, "the waiters' messages to be collected", func() bool { runtime.GC(); return finalized.Load() == 3 })

	// Waiters are bounded (by WithMaxConcurrent)...
	if w := serve(h, signedRequest(typicalMessage(EnvelopeSent, 3), testKey)); w.Code != 503 || !strings.Contains(w.Body.String(), ErrBusy.Error()) {
		t.Fatalf("a waiter beyond the bound answered %d %s", w.Code, w.Body)
	}
	// ...and the place they gave back serves another event.
	go func() { answers <- serve(h, signedRequest(typicalMessage(EnvelopeCompleted, 0), testKey)).Code }()
	waitFor(t, "another event in user code", func() bool { return g.calls.Load() == 2 })
	close(g.open)
	for range 6 {
		if code := <-answers; code != 200 {
			t.Errorf("a delivery answered %d", code)
		}
	}
	if n := g.calls.Load(); n != 2 {
		t.Fatalf("user code called %d times, want 2 (each event once)", n)
	}
}

func mustDecode(t *testing.T, b []byte) *Message {
	t.Helper()
	m, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestHandlerWaitersAfterAFailure: when the delivery being waited for
// fails, the first waiter handles the event afresh and the others are
// answered ErrBusy, so DocuSign retries them; none is lost or doubled.
func TestHandlerWaitersAfterAFailure(t *testing.T) {
	var calls atomic.Int32
	fail := make(chan struct{})
	h, err := NewHandler(func(ctx context.Context, m *Message) error {
		if calls.Add(1) == 1 {
			<-fail
			return errors.New("downstream unavailable")
		}
		return nil
	}, WithHMACKeys(testKey))
	if err != nil {
		t.Fatal(err)
	}
	first := make(chan int, 1)
	go func() { first <- serve(h, signedRequest(typicalMessage(EnvelopeSent, 0), testKey)).Code }()
	waitFor(t, "the first delivery in user code", func() bool { return calls.Load() == 1 })
	answers := make(chan int, 3)
	go func() { answers <- serve(h, signedRequest(typicalMessage(EnvelopeSent, 1), testKey)).Code }()
	waitFor(t, "the first waiter", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, f := range h.inflight {
			return f.queued
		}
		return false
	})
	for range 2 {
		go func() { answers <- serve(h, signedRequest(typicalMessage(EnvelopeSent, 2), testKey)).Code }()
	}
	waitFor(t, "two more waiters", func() bool { return h.waiters.Load() == 2 })
	close(fail)
	if code := <-first; code != 500 {
		t.Errorf("failing delivery answered %d", code)
	}
	got := map[int]int{}
	for range 3 {
		got[<-answers]++
	}
	if got[200] != 1 || got[503] != 2 || calls.Load() != 2 {
		t.Fatalf("answers %v, %d calls; want one 200 (handled afresh), two 503, 2 calls", got, calls.Load())
	}
}

func TestWithMaxConcurrentValidation(t *testing.T) {
	if _, err := NewHandler(func(context.Context, *Message) error { return nil }, WithHMACKeys(testKey), WithMaxConcurrent(0)); err == nil || !strings.Contains(err.Error(), "WithMaxConcurrent(0)") {
		t.Errorf("WithMaxConcurrent(0): %v", err)
	}
	if _, err := NewVerifier(WithHMACKeys(testKey), WithMaxConcurrent(4)); err == nil || !strings.Contains(err.Error(), "WithMaxConcurrent applies to NewHandler") {
		t.Errorf("NewVerifier(WithMaxConcurrent): %v", err)
	}
}

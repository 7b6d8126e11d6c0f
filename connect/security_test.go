package connect

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
)

// allocated is how many bytes f allocates (cumulative, garbage included).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// stalledBody ends at once, as a connection cut after the headers does.
type stalledBody struct{}

func (stalledBody) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

// TestVerifyDoesNotReserveTheClaimedContentLength: a request claiming a
// body just under the cap and sending none must not make the Verifier
// allocate the cap (a header costs the sender nothing; many such
// connections would exhaust memory before any check).
func TestVerifyDoesNotReserveTheClaimedContentLength(t *testing.T) {
	v, err := NewVerifier(WithHMACKeys(testKey))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/connect", nil)
	r.Body = io.NopCloser(stalledBody{})
	r.ContentLength = DefaultMaxBodyBytes
	var verr error
	n := allocated(func() { _, verr = v.Verify(r) })
	if !errors.Is(verr, ErrBodyRead) {
		t.Fatalf("Verify = %v, want ErrBodyRead", verr)
	}
	if n > 1<<20 {
		t.Errorf("Verify allocated %d bytes for a body that never came (Content-Length %d)", n, r.ContentLength)
	}
}

// endless yields an unbounded body in big reads, as a chunked request
// does, counting the bytes taken from it.
type endless struct{ taken int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.taken += len(p)
	return len(p), nil
}

// TestReadAllCappedNeverHoldsMoreThanTheCap: a chunked body (no
// Content-Length) past the cap is refused after taking at most the cap
// plus one byte from the connection, and memory stays within the doubling
// of the buffer up to that size.
func TestReadAllCappedNeverHoldsMoreThanTheCap(t *testing.T) {
	const limit = 1 << 20
	var got []byte
	var err error
	r := &endless{}
	n := allocated(func() { got, err = readAllCapped(r, limit, 512) })
	if !errors.Is(err, errTooLarge) || got != nil {
		t.Fatalf("readAllCapped = %d bytes, %v; want errTooLarge", len(got), err)
	}
	if r.taken > limit+1 {
		t.Errorf("read %d bytes from the body for a cap of %d", r.taken, limit)
	}
	// 512, 1024, ... limit, limit+1: about 3*(limit+1) in all.
	if n > 7*(limit+1)/2 {
		t.Errorf("allocated %d bytes for a cap of %d", n, limit)
	}
	body, err := readAllCapped(strings.NewReader(strings.Repeat("y", limit)), limit, 512)
	if err != nil || len(body) != limit {
		t.Errorf("a body of exactly the cap: %d bytes, %v", len(body), err)
	}
}

// TestMemoryStoreMemoryDoesNotDependOnKeyLength: the store keeps digests,
// so long keys (WithKeyFunc, or long fields in a message) do not multiply
// its memory by their length.
func TestMemoryStoreMemoryDoesNotDependOnKeyLength(t *testing.T) {
	s := NewMemoryStore(100)
	ctx := context.Background()
	long := strings.Repeat("k", 256<<10)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 100 {
		_ = s.Commit(ctx, long+string(rune('A'+i%26))+string(rune('a'+i/26)))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > 4<<20 {
		t.Errorf("100 keys of 256 KiB kept %d bytes alive", grew)
	}
	if got, _ := s.Seen(ctx, long+"Aa"); !got {
		t.Error("a committed key is not seen")
	}
	runtime.KeepAlive(s)
}

// TestHandlerSurvivesAPanickingKeyFunc: a WithKeyFunc that panics fails
// the delivery with 500 (DocuSign retries) instead of taking down the
// request goroutine, and Deliver returns an error rather than panicking.
func TestHandlerSurvivesAPanickingKeyFunc(t *testing.T) {
	called := false
	h, err := NewHandler(func(context.Context, *Message) error { called = true; return nil },
		WithHMACKeys(testKey), WithKeyFunc(func(*Message) string { panic("boom") }))
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, signedRequest(typicalMessage(EnvelopeCompleted, 0), testKey))
	if w.Code != http.StatusInternalServerError || called {
		t.Errorf("status %d, user code called %t; want 500 without user code", w.Code, called)
	}
}

package connect

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
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

// TestNoFormatVerbPrintsTheHandlersKeysOrCredentials: a Handler printed
// with any verb (a struct dump in a log line, %s by mistake) shows neither
// the HMAC keys nor the Basic credentials nor their digests, which fmt
// would otherwise reach through the Handler's Verifier field.
func TestNoFormatVerbPrintsTheHandlersKeysOrCredentials(t *testing.T) {
	const key, user, pass = "cm90YXRlLW1lLXNvb24", "connect-user", "connect-pass"
	h, err := NewHandler(func(context.Context, *Message) error { return nil }, WithHMACKeys(key), WithBasicAuth(user, pass))
	if err != nil {
		t.Fatal(err)
	}
	passSum := sha256.Sum256([]byte(pass))
	secrets := []string{key, user, pass, fmt.Sprint([]byte(key)), fmt.Sprintf("%x", key),
		strings.Trim(fmt.Sprint(passSum[:4]), "[]"), fmt.Sprintf("%x", passSum[:4])}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q", "%o", "%b"} {
		for _, arg := range []any{h, holder{h}, holder2{h.Verifier()}} {
			out := fmt.Sprintf(verb, arg)
			for _, secret := range secrets {
				if strings.Contains(out, secret) {
					t.Errorf("%s of %T shows %q: %.200s", verb, arg, secret, out)
				}
			}
		}
	}
}

// holder and holder2 are application structs that keep the Handler or
// Verifier in an unexported field, printed with a struct dump.
type holder struct{ h *Handler }
type holder2 struct{ v *Verifier }

// TestZeroVerifierRefusesEverything: a Verifier not built by NewVerifier
// neither panics nor accepts a delivery.
func TestZeroVerifierRefusesEverything(t *testing.T) {
	var v Verifier
	_ = v.String()
	body := typicalMessage(EnvelopeCompleted, 0)
	if err := v.VerifySignature(body, signedRequest(body, testKey).Header); !errors.Is(err, ErrBadSignature) {
		t.Errorf("zero Verifier: %v, want ErrBadSignature", err)
	}
}

// TestBadSignatureAnswerHidesTheKeyCount: the 401 goes to whoever sent the
// request, so it must read the same however many keys are configured, and
// past the cap on compared headers it must not claim to have checked them
// all.
func TestBadSignatureAnswerHidesTheKeyCount(t *testing.T) {
	body := typicalMessage(EnvelopeSent, 0)
	answer := func(keys []string, sigs int) string {
		h, err := NewHandler(func(context.Context, *Message) error { return nil }, WithHMACKeys(keys...))
		if err != nil {
			t.Fatal(err)
		}
		r := signedRequest(body)
		for i := range sigs {
			r.Header.Set(SignatureHeaderPrefix+strconv.Itoa(i+1), Sign("stranger-"+strconv.Itoa(i), body))
		}
		w := serve(h, r)
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("answered %d %s", w.Code, w.Body)
		}
		return w.Body.String()
	}
	one, three := answer([]string{testKey}, 2), answer([]string{testKey, testOldKey, "third"}, 2)
	if one != three {
		t.Errorf("the answer depends on the key count:\n  1 key:  %q\n  3 keys: %q", one, three)
	}
	if strings.Contains(one, "key(s)") || strings.Contains(one, "checked against") {
		t.Errorf("the answer mentions the configured keys: %q", one)
	}
	over := answer([]string{testKey}, maxSignatureHeaders+50)
	if !strings.Contains(over, strconv.Itoa(maxSignatureHeaders)+" signature headers compared") || !strings.Contains(over, strconv.Itoa(maxSignatureHeaders+50)+" present") {
		t.Errorf("past the cap the answer does not say how many were compared of how many: %q", over)
	}
}

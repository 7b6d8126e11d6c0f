package connect

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// BenchmarkVerifyDecode is the listener's own cost per typical message
// (about 1.7 KB, envelope summary with two signers): HMAC check against
// two keys, then Decode into the typed Message; the sub-benchmarks split
// the two.
func BenchmarkVerifyDecode(b *testing.B) {
	body := typicalMessage(EnvelopeCompleted, 0)
	v, err := NewVerifier(WithHMACKeys(testOldKey, testKey))
	if err != nil {
		b.Fatal(err)
	}
	h := http.Header{}
	h.Set("X-DocuSign-Signature-1", Sign(testKey, body))
	for _, bm := range []struct {
		name           string
		verify, decode bool
	}{{"both", true, true}, {"verify", true, false}, {"decode", false, true}} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if bm.verify {
					if err := v.VerifySignature(body, h); err != nil {
						b.Fatal(err)
					}
				}
				if bm.decode {
					if _, err := Decode(body); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkHandler is one delivery through ServeHTTP: read, verify,
// decode, duplicate check, user code (a no-op), commit, answer.
func BenchmarkHandler(b *testing.B) {
	// Every delivery is a new event: the key is DedupKey plus a counter,
	// so Seen and Commit run each time and user code is reached.
	var n int
	keyFunc := func(m *Message) string { n++; return DedupKey(m) + strconv.Itoa(n) }
	h, err := NewHandler(func(context.Context, *Message) error { return nil }, WithHMACKeys(testKey), WithKeyFunc(keyFunc))
	if err != nil {
		b.Fatal(err)
	}
	body := typicalMessage(EnvelopeCompleted, 0)
	sig := Sign(testKey, body)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		r.Header.Set("X-DocuSign-Signature-1", sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

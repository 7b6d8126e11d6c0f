package connect

import (
	"errors"
	"net/http"
	"testing"

	"github.com/dsgo/docusign/internal/specfile"
)

// FuzzDecode: Decode never panics, and either returns a message whose Raw
// is the input or a *RejectError wrapping ErrMalformed.
func FuzzDecode(f *testing.F) {
	for _, e := range []Event{EnvelopeSent, RecipientCompleted, "unknown-event"} {
		f.Add(typicalMessage(e, 1))
	}
	if b, err := specfile.Read("connect-message"); err == nil {
		f.Add(b)
	}
	for _, s := range []string{``, `{}`, `null`, `{"event":null}`, `{"event":1,"retryCount":"x","data":null}`,
		`{"event":"a","data":{"envelopeSummary":{"recipients":7}}}`, `{"event":"a","data":{"envelopeId":{}}}`,
		`<xml/>`, `{"event":"a\u0000\"b"}`, `{"event":"e","generatedDateTime":"2026-13-45T99:99:99Z"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := Decode(body)
		if err != nil {
			if !errors.Is(err, ErrMalformed) || StatusOf(err) != http.StatusBadRequest {
				t.Fatalf("Decode error %v is not ErrMalformed/400", err)
			}
			return
		}
		if m.Event == "" || &m.Raw[0] != &body[0] {
			t.Fatalf("message without event or with a copied Raw: %+v", m)
		}
		_ = DedupKey(m)
	})
}

// FuzzVerify: a signature verifies exactly when it was made over the same
// bytes with a configured key; the Verifier never panics on any header.
func FuzzVerify(f *testing.F) {
	body := typicalMessage(EnvelopeCompleted, 0)
	f.Add(body, Sign(testKey, body), "")
	f.Add(body, Sign(testOldKey, body), "extra")
	f.Add([]byte("x"), Sign("other", []byte("x")), "%%%")
	f.Add([]byte{}, "", "")
	v, err := NewVerifier(WithHMACKeys(testKey, testOldKey))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte, sig1, sig2 string) {
		h := http.Header{}
		if sig1 != "" {
			h.Set("X-DocuSign-Signature-1", sig1)
		}
		if sig2 != "" {
			h.Set("X-DocuSign-Signature-2", sig2)
		}
		err := v.VerifySignature(body, h)
		valid := sig1 == Sign(testKey, body) || sig1 == Sign(testOldKey, body) ||
			sig2 == Sign(testKey, body) || sig2 == Sign(testOldKey, body)
		switch {
		case valid && err != nil:
			t.Fatalf("a valid signature was refused: %v", err)
		case !valid && err == nil:
			t.Fatal("an invalid signature was accepted")
		case sig1 == "" && sig2 == "" && !errors.Is(err, ErrNoSignature):
			t.Fatalf("no header: %v", err)
		}
	})
}

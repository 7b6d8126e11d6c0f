package connect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestVerifierAnswers(t *testing.T) {
	body := typicalMessage(EnvelopeCompleted, 0)
	tampered := bytes.Replace(body, []byte("Please sign"), []byte("Please pay!"), 1)
	v, err := NewVerifier(WithHMACKeys(testKey, testOldKey), WithMaxBodyBytes(int64(len(body))))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		req    func() *http.Request
		check  error
		status int
	}{
		{"a body signed with the current key passes", func() *http.Request { return signedRequest(body, testKey) }, nil, 200},
		{"a body signed with the previous key passes while rotating", func() *http.Request { return signedRequest(body, testOldKey) }, nil, 200},
		{"a body signed with both keys passes", func() *http.Request { return signedRequest(body, testOldKey, testKey) }, nil, 200},
		{"a signature under an unknown key next to a good one passes", func() *http.Request { return signedRequest(body, "stranger", testKey) }, nil, 200},
		{"a tampered body is refused", func() *http.Request {
			r := signedRequest(body, testKey)
			r.Body = io.NopCloser(bytes.NewReader(tampered))
			return r
		}, ErrBadSignature, 401},
		{"a wrong key is refused", func() *http.Request { return signedRequest(body, "not-our-key") }, ErrBadSignature, 401},
		{"a signature that is not base64 is refused", func() *http.Request {
			r := signedRequest(body)
			r.Header.Set("X-DocuSign-Signature-1", "%%%")
			return r
		}, ErrBadSignature, 401},
		{"a missing signature header is refused", func() *http.Request { return signedRequest(body) }, ErrNoSignature, 401},
		{"a lower-case signature header is read", func() *http.Request {
			r := signedRequest(body)
			r.Header["x-docusign-signature-1"] = []string{Sign(testKey, body)}
			return r
		}, nil, 200},
		{"an oversize body with Content-Length is refused before reading", func() *http.Request {
			big := append(bytes.Clone(body), ' ')
			return signedRequest(big, testKey)
		}, ErrBodyTooLarge, 413},
		{"an oversize chunked body is refused", func() *http.Request {
			big := append(bytes.Clone(body), ' ')
			r := signedRequest(big, testKey)
			r.ContentLength = -1
			r.Body = io.NopCloser(struct{ io.Reader }{bytes.NewReader(big)})
			return r
		}, ErrBodyTooLarge, 413},
		{"a GET is refused", func() *http.Request { return httptest.NewRequest(http.MethodGet, "/connect", nil) }, ErrMethod, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(tt.req())
			if tt.check == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if !bytes.Equal(got, body) {
					t.Fatal("Verify returned a different body")
				}
				return
			}
			if !errors.Is(err, tt.check) {
				t.Fatalf("Verify error = %v, want %v", err, tt.check)
			}
			if s := StatusOf(err); s != tt.status {
				t.Fatalf("StatusOf = %d, want %d", s, tt.status)
			}
			for _, secret := range []string{testKey, testOldKey, Sign(testKey, body)} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q shows a secret or signature", err)
				}
			}
		})
	}
}

func TestVerifierBasicAuth(t *testing.T) {
	body := typicalMessage(EnvelopeSent, 0)
	v, err := NewVerifier(WithHMACKeys(testKey), WithBasicAuth("docusign", "pa55word"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name       string
		user, pass string
		set        bool
		ok         bool
	}{
		{"right credentials pass", "docusign", "pa55word", true, true},
		{"a wrong password is refused", "docusign", "pa55wort", true, false},
		{"a wrong user is refused", "someone", "pa55word", true, false},
		{"no credentials are refused", "", "", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := signedRequest(body, testKey)
			if tt.set {
				r.SetBasicAuth(tt.user, tt.pass)
			}
			_, err := v.Verify(r)
			if tt.ok != (err == nil) {
				t.Fatalf("Verify: %v", err)
			}
			if err != nil && (!errors.Is(err, ErrBasicAuth) || StatusOf(err) != 401 || strings.Contains(err.Error(), "pa55")) {
				t.Fatalf("error = %v", err)
			}
		})
	}
}

func TestVerifierConfiguration(t *testing.T) {
	_, err := NewVerifier()
	if err == nil || !strings.Contains(err.Error(), "WithHMACKeys") {
		t.Fatalf("no keys: %v", err)
	}
	_, err = NewVerifier(WithHMACKeys(""), WithMaxBodyBytes(0), WithStore(NewMemoryStore(1)))
	for _, want := range []string{"key 1 is empty", "WithMaxBodyBytes(0)", "WithStore applies to NewHandler"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %q", err, want)
		}
	}
	if _, err := NewVerifier(WithoutHMAC()); err == nil {
		t.Error("WithoutHMAC without Basic auth was accepted")
	}
	v, err := NewVerifier(WithoutHMAC(), WithBasicAuth("u", "secret-pass"))
	if err != nil {
		t.Fatal(err)
	}
	r := signedRequest([]byte(`{}`))
	r.SetBasicAuth("u", "secret-pass")
	if _, err := v.Verify(r); err != nil {
		t.Fatalf("unsigned delivery with Basic auth: %v", err)
	}
}

func TestVerifierDoesNotPrintKeys(t *testing.T) {
	v, err := NewVerifier(WithHMACKeys(testKey), WithBasicAuth("user", "hunter2"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%v %+v %#v %s %+v %#v", v, v, v, v, *v, *v)} {
		if strings.Contains(s, testKey) || strings.Contains(s, "hunter2") {
			t.Fatalf("%q shows a secret", s)
		}
	}
}

func TestNoFormatVerbPrintsTheVerifiersKeysOrCredentials(t *testing.T) {
	const key, user, pass = "cm90YXRlLW1lLXNvb24", "connect-user", "connect-pass"
	v, err := NewVerifier(WithHMACKeys(key), WithBasicAuth(user, pass))
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q"} {
		for _, arg := range []any{v, *v} {
			out := fmt.Sprintf(verb, arg)
			for _, secret := range []string{key, user, pass, fmt.Sprint([]byte(key)), fmt.Sprintf("%x", key)} {
				if strings.Contains(out, secret) {
					t.Errorf("%s of %T shows %q: %s", verb, arg, secret, out)
				}
			}
		}
	}
}

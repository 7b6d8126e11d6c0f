package connect

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Header names DocuSign Connect uses.
const (
	// SignatureHeaderPrefix is followed by 1, 2, ...: one header per active
	// HMAC key, each the base64 HMAC-SHA256 of the raw body.
	SignatureHeaderPrefix = "X-DocuSign-Signature-"
	// DigestHeader names the HMAC algorithm (HMACSHA256).
	DigestHeader = "X-Authorization-Digest"
)

// Verifier checks that a delivery comes from DocuSign: Basic credentials
// when configured, a body within the size cap, and an HMAC-SHA256 of the
// raw body matching an X-DocuSign-Signature-N header under one of the
// configured keys. It is safe for concurrent use; %v never shows its keys.
type Verifier struct {
	// The secrets sit behind a pointer: fmt dereferences one pointer level
	// of a struct field it cannot call methods on (an unexported *Verifier
	// in an application's struct printed with %s), and there shows only
	// this address.
	sec     *verifierSecrets
	noHMAC  bool
	basic   bool
	maxBody int64
}

// secrets returns v's secrets; a zero Verifier has none (and accepts
// nothing).
func (v *Verifier) secrets() *verifierSecrets {
	if v.sec == nil {
		return &verifierSecrets{}
	}
	return v.sec
}

// verifierSecrets are the HMAC keys and the digests of the Basic
// credentials.
type verifierSecrets struct {
	keys    [][]byte
	userSum [32]byte
	passSum [32]byte
}

// NewVerifier builds a Verifier from WithHMACKeys, WithBasicAuth,
// WithoutHMAC and WithMaxBodyBytes, reporting every problem at once.
func NewVerifier(opts ...Option) (*Verifier, error) {
	c, err := newConfig(opts)
	for _, name := range c.handlerOnly {
		err = errors.Join(err, fmt.Errorf("connect: %s applies to NewHandler, not NewVerifier", name))
	}
	if err != nil {
		return nil, err
	}
	return newVerifier(c), nil
}

func newVerifier(c *config) *Verifier {
	v := &Verifier{
		sec:     &verifierSecrets{keys: c.keys},
		noHMAC:  c.noHMAC,
		basic:   c.basicSet,
		maxBody: c.maxBody,
	}
	if c.basicSet {
		v.sec.userSum = sha256.Sum256([]byte(c.basicUser))
		v.sec.passSum = sha256.Sum256([]byte(c.basicPass))
	}
	return v
}

// String describes the Verifier without its keys or credentials.
func (v Verifier) String() string {
	return fmt.Sprintf("connect.Verifier{hmacKeys: %d, basicAuth: %t, maxBodyBytes: %d}", len(v.secrets().keys), v.basic, v.maxBody)
}

// GoString is String, so %#v does not print the keys either.
func (v Verifier) GoString() string { return v.String() }

// Format prints String for every verb, so that no verb (%d, %x, %+v)
// prints the keys or the credential digests field by field.
func (v Verifier) Format(f fmt.State, verb rune) { formatAs(f, verb, v.String()) }

// formatAs prints s for any verb (quoted for %q): the Format of types
// holding secrets.
func formatAs(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// Verify checks a request and returns its raw body. It reads at most the
// size cap; on failure the error is a *RejectError naming the check.
func (v *Verifier) Verify(r *http.Request) ([]byte, error) {
	if r.Method != http.MethodPost {
		return nil, reject(ErrMethod, http.StatusMethodNotAllowed, r.Method, nil)
	}
	if err := v.checkBasic(r); err != nil {
		return nil, err
	}
	body, err := v.readBody(r)
	if err != nil {
		return nil, err
	}
	if err := v.VerifySignature(body, r.Header); err != nil {
		return nil, err
	}
	return body, nil
}

func (v *Verifier) checkBasic(r *http.Request) error {
	if !v.basic {
		return nil
	}
	user, pass, ok := r.BasicAuth()
	if !ok {
		return reject(ErrBasicAuth, http.StatusUnauthorized, "no Basic Authorization header", nil)
	}
	u := sha256.Sum256([]byte(user))
	p := sha256.Sum256([]byte(pass))
	// Both compared always, in constant time, so timing says nothing about
	// which one was wrong.
	if subtle.ConstantTimeCompare(u[:], v.secrets().userSum[:])&subtle.ConstantTimeCompare(p[:], v.secrets().passSum[:]) != 1 {
		return reject(ErrBasicAuth, http.StatusUnauthorized, "wrong user name or password", nil)
	}
	return nil
}

func (v *Verifier) readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > v.maxBody {
		return nil, reject(ErrBodyTooLarge, http.StatusRequestEntityTooLarge,
			"Content-Length "+strconv.FormatInt(r.ContentLength, 10)+" exceeds the cap of "+strconv.FormatInt(v.maxBody, 10)+" bytes", nil)
	}
	if r.Body == nil {
		return nil, nil
	}
	size := 512
	if r.ContentLength > 0 {
		size = int(min(r.ContentLength+1, initialBodyBuffer))
	}
	body, err := readAllCapped(r.Body, v.maxBody, size)
	if errors.Is(err, errTooLarge) {
		return nil, reject(ErrBodyTooLarge, http.StatusRequestEntityTooLarge, "the body exceeds the cap of "+strconv.FormatInt(v.maxBody, 10)+" bytes", nil)
	}
	if err != nil {
		return nil, reject(ErrBodyRead, http.StatusBadRequest, "", err)
	}
	return body, nil
}

// initialBodyBuffer is the most readBody reserves before data arrives: a
// Content-Length header costs the sender nothing, so it must not make the
// Verifier allocate up to the cap for a body that never comes.
const initialBodyBuffer = 64 << 10

var errTooLarge = errors.New("too large")

// readAllCapped reads r to the end, failing with errTooLarge past limit
// bytes; size is the initial buffer. The buffer grows with the data read
// (doubling) and never beyond limit+1 bytes, so memory follows what the
// sender actually sent.
func readAllCapped(r io.Reader, limit int64, size int) ([]byte, error) {
	ceiling := limit + 1
	buf := make([]byte, 0, min(int64(max(size, 1)), ceiling))
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(int64(max(2*len(buf), 512)), ceiling))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), ceiling)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			return nil, errTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// VerifySignature checks body against the X-DocuSign-Signature-N headers
// in h: nil when one of them is the base64 HMAC-SHA256 of body under one
// of the keys. Every key is computed once and compared with every header
// in constant time.
func (v *Verifier) VerifySignature(body []byte, h http.Header) error {
	if v.noHMAC {
		return nil
	}
	var sigs [][]byte
	headers := 0 // present
	for name, values := range h {
		if !hasPrefixFold(name, SignatureHeaderPrefix) {
			continue
		}
		for _, val := range values {
			headers++
			if headers > maxSignatureHeaders {
				continue // counted, not decoded or compared
			}
			sig, err := base64.StdEncoding.AppendDecode(nil, []byte(strings.TrimSpace(val)))
			if err != nil || len(sig) != sha256.Size {
				continue // cannot match; still counts as present
			}
			sigs = append(sigs, sig)
		}
	}
	if headers == 0 {
		return reject(ErrNoSignature, http.StatusUnauthorized, "enable \"Include HMAC signature\" in the Connect configuration", nil)
	}
	ok := 0
	var sum [sha256.Size]byte
	for _, k := range v.secrets().keys {
		m := hmac.New(sha256.New, k)
		m.Write(body)
		mac := m.Sum(sum[:0])
		for _, s := range sigs {
			ok |= subtle.ConstantTimeCompare(mac, s)
		}
	}
	if ok != 1 {
		return reject(ErrBadSignature, http.StatusUnauthorized, badSignatureDetail(headers, len(sigs)), nil)
	}
	return nil
}

// badSignatureDetail says what was compared: how many signature headers
// were present, how many of them were compared (at most
// maxSignatureHeaders) and how many could not be an HMAC-SHA256 at all. It
// never says how many keys are configured: that is the listener's secret
// configuration, and the answer goes to whoever sent the request.
func badSignatureDetail(present, wellFormed int) string {
	compared := min(present, maxSignatureHeaders)
	var s string
	if present > compared {
		s = "none of the " + strconv.Itoa(compared) + " signature headers compared matches (" +
			strconv.Itoa(present) + " present, at most " + strconv.Itoa(maxSignatureHeaders) + " are compared)"
	} else if present == 1 {
		s = "the signature header does not match"
	} else {
		s = "none of the " + strconv.Itoa(present) + " signature headers matches"
	}
	if bad := compared - wellFormed; bad > 0 {
		s += " (" + strconv.Itoa(bad) + " not a base64 HMAC-SHA256)"
	}
	return s
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// Sign returns the base64 HMAC-SHA256 of body under key: the value of an
// X-DocuSign-Signature-N header. Tests and fakes use it to sign messages.
func Sign(key string, body []byte) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

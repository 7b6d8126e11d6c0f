package connect

import (
	"errors"
	"net/http"
)

// Sentinel errors naming the check a delivery failed, for errors.Is. Every
// error the Verifier, Decode and Handler return wraps exactly one of them
// inside a *RejectError; none of them ever carries a secret, a signature
// or the request's credentials.
var (
	// ErrMethod: the request is not a POST.
	ErrMethod = errors.New("connect: method not allowed")
	// ErrBasicAuth: Basic authentication is configured and the request's
	// user name or password is missing or wrong.
	ErrBasicAuth = errors.New("connect: basic authentication failed")
	// ErrBodyTooLarge: the body is longer than the configured cap.
	ErrBodyTooLarge = errors.New("connect: body too large")
	// ErrBodyRead: the body could not be read (connection cut short).
	ErrBodyRead = errors.New("connect: reading the body failed")
	// ErrNoSignature: no X-DocuSign-Signature-N header is present.
	ErrNoSignature = errors.New("connect: no X-DocuSign-Signature-N header")
	// ErrBadSignature: no X-DocuSign-Signature-N header matches the HMAC of
	// the body under any configured key (tampered body or wrong key).
	ErrBadSignature = errors.New("connect: no signature matches a configured HMAC key")
	// ErrMalformed: the body is not a JSON SIM Connect message.
	ErrMalformed = errors.New("connect: malformed message")
	// ErrStore: the duplicate store failed; the delivery is answered 503 so
	// DocuSign retries it.
	ErrStore = errors.New("connect: duplicate store failed")
	// ErrBusy: the Handler already holds as many deliveries as
	// WithMaxConcurrent allows, or a redelivery waited for a concurrent
	// delivery of the same event that failed; the delivery is answered 503
	// with Retry-After so DocuSign retries it.
	ErrBusy = errors.New("connect: busy")
	// ErrHandler: user code returned an error, panicked or ran past the
	// handler timeout; the delivery is answered non-2xx so DocuSign retries.
	ErrHandler = errors.New("connect: handler failed")
)

// RejectError is why a delivery was refused or failed: the check (one of
// the Err* sentinels, reachable with errors.Is), the HTTP status the
// Handler answers, and a detail for logs that never includes secrets,
// signatures or credentials.
type RejectError struct {
	Check  error  // one of the Err* sentinels
	Status int    // HTTP status the Handler answers
	Detail string // what failed, for logs; never a secret
	Err    error  // underlying cause, if any (JSON syntax error, user error)
}

// Error names the failed check and its detail.
func (e *RejectError) Error() string {
	s := e.Check.Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the check and the cause, so errors.Is finds both.
func (e *RejectError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Check}
	}
	return []error{e.Check, e.Err}
}

func reject(check error, status int, detail string, cause error) *RejectError {
	return &RejectError{Check: check, Status: status, Detail: detail, Err: cause}
}

// StatusOf is the HTTP status the Handler answers for err: the status of a
// *RejectError, 500 for any other error, 200 for nil.
func StatusOf(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var re *RejectError
	if errors.As(err, &re) {
		return re.Status
	}
	return http.StatusInternalServerError
}

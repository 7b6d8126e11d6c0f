package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultMaxJSONBody is the largest JSON response body the Client reads by
// default (64 MiB; see WithMaxJSONBody). DocuSign's largest JSON answers (a
// page of 2000 Monitor events, a long envelope list) are a few MiB.
const DefaultMaxJSONBody = 64 << 20

// defaultBodyIdleTimeout is the default of Timeouts.BodyIdle.
const defaultBodyIdleTimeout = 2 * time.Minute

// ErrBodyTooLarge is matched (errors.Is) by the *DecodeError of a JSON
// response body larger than the limit (WithMaxJSONBody, DecodeJSON).
var ErrBodyTooLarge = errors.New("response body too large")

// WithMaxJSONBody sets the largest JSON response body (Content-Type
// application/json or +json) the Client accepts, default DefaultMaxJSONBody;
// a negative n means no limit. A successful JSON answer is read whole within
// its attempt (see Timeouts.Attempt), so the generated clients'
// ...WithResponse methods and DecodeJSON never hold more than this; a larger
// one fails with a *DecodeError matching ErrBodyTooLarge. Other bodies
// (document downloads) are streamed and never limited; so is a call whose
// context comes from WithStreamedResponse.
func WithMaxJSONBody(n int64) Option {
	return func(c *config) {
		if n == 0 {
			c.addErr(optErr("WithMaxJSONBody", "0 bytes: use a positive limit, or -1 for none"))
			return
		}
		c.transportConfig.maxJSONBody = n
	}
}

// streamedKey marks a context whose responses are handed over unread.
type streamedKey struct{}

// WithStreamedResponse returns a context under which a call's JSON answer
// is handed to the caller as the network stream, neither buffered within
// the attempt nor limited by WithMaxJSONBody: for a caller that decodes a
// very large JSON answer incrementally. A deadline during such a read fails
// the read rather than being retried.
func WithStreamedResponse(ctx context.Context) context.Context {
	return context.WithValue(ctx, streamedKey{}, true)
}

// isJSONMedia reports whether a Content-Type names JSON.
func isJSONMedia(contentType string) bool {
	mt := mediaType(contentType)
	return mt == "application/json" || mt == "text/json" || strings.HasSuffix(mt, "+json")
}

// buffersJSONBody reports whether the retry layer reads resp's body within the
// attempt: a successful JSON answer with a body, unless the call opted out.
func buffersJSONBody(ctx context.Context, method string, resp *http.Response) bool {
	return method != http.MethodHead && resp.StatusCode >= 200 && resp.StatusCode <= 299 &&
		resp.Body != nil && resp.Body != http.NoBody && isJSONMedia(resp.Header.Get("Content-Type")) &&
		ctx.Value(streamedKey{}) == nil
}

// bufferedBody is a response body the retry layer read whole within the
// attempt. The pagers take data as their page buffer without copying (it
// was allocated for this response alone).
type bufferedBody struct {
	*bytes.Reader
	data []byte
}

// Close implements io.Closer.
func (*bufferedBody) Close() error { return nil }

// bodyReadError is a failure to read a response body within its attempt;
// the retry layer retries it like a transient failure.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading the response body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }

// bufferJSONBody reads resp's body whole (at most limit bytes; negative: no
// limit) and replaces it with the bytes. It returns a *DecodeError matching
// ErrBodyTooLarge for a larger body, and a *bodyReadError when reading
// fails. resp.Body is closed in every case.
func bufferJSONBody(req *http.Request, resp *http.Response, limit int64) error {
	defer resp.Body.Close()
	tooLarge := func() error {
		de := newDecodeError(resp, "response body exceeds the "+sizeText(limit)+" limit for JSON (raise it with WithMaxJSONBody, or use WithStreamedResponse)")
		if resp.Request == nil {
			de.Method, de.URL = req.Method, redactURL(req.URL)
		}
		de.Err = ErrBodyTooLarge
		return de
	}
	data, over, err := readBody(resp.Body, resp.ContentLength, limit, maxBodyPrealloc, 0)
	if over {
		return tooLarge()
	}
	if err != nil {
		return &bodyReadError{err}
	}
	resp.Body = &bufferedBody{Reader: bytes.NewReader(data), data: data}
	resp.ContentLength = int64(len(data))
	return nil
}

// maxBodyPrealloc bounds what bufferJSONBody reserves from a response's
// Content-Length before reading it.
const maxBodyPrealloc = 1 << 20

// readBody reads r whole. n is its declared length (negative: unknown) and
// limit the most accepted (negative: no limit); over reports a longer body.
// A declared length is trusted only up to reserve bytes up front (a faulty
// proxy or a huge value must not allocate it all): the buffer grows with
// the bytes that arrive. An unknown length starts with capacity start.
func readBody(r io.Reader, n, limit, reserve int64, start int) (data []byte, over bool, err error) {
	if limit >= 0 && n > limit {
		return nil, true, nil
	}
	if n >= 0 {
		data = make([]byte, min(n, reserve))
		_, err = io.ReadFull(r, data)
		for err == nil && int64(len(data)) < n {
			got := len(data)
			grown := make([]byte, min(n, 2*int64(got)))
			copy(grown, data)
			data = grown
			_, err = io.ReadFull(r, data[got:])
		}
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return data, false, err
	}
	if limit >= 0 {
		r = io.LimitReader(r, limit+1)
	}
	buf := bytes.NewBuffer(make([]byte, 0, start))
	_, err = buf.ReadFrom(r)
	if limit >= 0 && int64(buf.Len()) > limit {
		return nil, true, nil
	}
	return buf.Bytes(), false, err
}

// sizeText renders a byte count, in MiB when whole.
func sizeText(n int64) string {
	if n > 0 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// BodyIdleError is the error of a response body read that waited longer
// than Timeouts.BodyIdle for data. It is a timeout (net.Error).
type BodyIdleError struct {
	Idle time.Duration // the limit that was reached
}

// Error says how long the body stalled.
func (e *BodyIdleError) Error() string {
	return fmt.Sprintf("docusign: the response body sent nothing for %v (Timeouts.BodyIdle)", e.Idle)
}

// Timeout reports true: this is a timeout.
func (e *BodyIdleError) Timeout() bool { return true }

// Temporary reports true (net.Error).
func (e *BodyIdleError) Temporary() bool { return true }

// idleBody fails a read that waits longer than idle for data, by cancelling
// the attempt's context (which aborts the network read) and reporting
// *BodyIdleError. The clock runs only while a Read is blocked, so a caller
// that pauses between reads is not penalised. It also releases the attempt
// (cancel) at EOF or Close.
type idleBody struct {
	rc     io.ReadCloser
	idle   time.Duration
	cancel context.CancelFunc
	timer  *time.Timer
	fired  atomic.Bool
}

// newIdleBody wraps rc; idle <= 0 only releases the attempt at EOF/Close.
func newIdleBody(rc io.ReadCloser, idle time.Duration, cancel context.CancelFunc) *idleBody {
	b := &idleBody{rc: rc, idle: idle, cancel: cancel}
	if idle > 0 {
		b.timer = time.AfterFunc(time.Hour, func() {
			b.fired.Store(true)
			cancel()
		})
		b.timer.Stop()
	}
	return b
}

// Read implements io.Reader.
func (b *idleBody) Read(p []byte) (int, error) {
	if b.timer != nil {
		b.timer.Reset(b.idle)
	}
	n, err := b.rc.Read(p)
	if b.timer != nil {
		b.timer.Stop()
	}
	if err != nil && err != io.EOF && b.fired.Load() {
		err = &BodyIdleError{Idle: b.idle}
	}
	if err == io.EOF {
		b.cancel()
	}
	return n, err
}

// Close implements io.Closer.
func (b *idleBody) Close() error {
	if b.timer != nil {
		b.timer.Stop()
	}
	err := b.rc.Close()
	b.cancel()
	return err
}

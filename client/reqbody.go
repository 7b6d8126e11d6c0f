package client

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"sync"
)

// MaxReplayBuffer is the most of a request body the retry layer holds in
// memory to be able to resend it, for a body that has no GetBody and cannot
// seek (an io.Pipe, a gzip stream). Such a body up to this size is read
// whole before the first attempt and sent with its Content-Length on every
// attempt; a larger one is streamed once, without retries and without a
// Content-Length (see RetryPolicy).
const MaxReplayBuffer = 1 << 20

// errBodySuperseded fails a read of an attempt's body after a later attempt
// took over the caller's reader: the earlier attempt was abandoned.
var errBodySuperseded = errors.New("docusign: request body read by an abandoned attempt after a retry started")

// requestBody is a request's body as the retry layer sends it: what the
// first attempt sends, how later attempts get a fresh copy, and the
// Content-Length every attempt carries.
type requestBody struct {
	// first is the first attempt's body when it is not taken from replay:
	// the caller's own body (GetBody set, or no retries possible) or a
	// stream sent once. The transport closes it once it is sent.
	first io.ReadCloser
	// replay returns a fresh copy of the body; nil: it cannot be sent again.
	replay func() (io.ReadCloser, error)
	// length is every attempt's ContentLength; -1 keeps the request's.
	length int64
	// once reports a body streamed once because it is neither replayable
	// nor small enough to buffer.
	once bool
	// done, when set, is called after the last attempt; the caller's body is
	// closed once no attempt reads it any more.
	done func()
}

// noRequestBody is how a request without a body is sent; it is never
// modified, so every such request shares it.
var noRequestBody = &requestBody{length: -1}

// newRequestBody decides how req's body is sent on each attempt:
//
//   - no body: nothing to send;
//   - GetBody set (net/http sets it for a []byte, *bytes.Buffer,
//     *bytes.Reader or *strings.Reader; the generated multipart methods set
//     it when every file can seek): the caller's body, then GetBody copies;
//   - an io.Seeker (an *os.File, an io.SectionReader, a multipart.File):
//     the bytes from the current offset to the end, with that length, read
//     again from the same offset on each attempt (see seekableBody);
//   - otherwise, when retries are possible, the body is read into memory up
//     to MaxReplayBuffer and sent with its length on every attempt; a longer
//     one is streamed once, what was read and then the rest.
func newRequestBody(req *http.Request, retries bool) (*requestBody, error) {
	switch {
	case req.Body == nil || req.Body == http.NoBody:
		return noRequestBody, nil
	case req.GetBody != nil:
		return &requestBody{first: req.Body, replay: req.GetBody, length: -1}, nil
	}
	if b, ok := newSeekableBody(req.Body, req.ContentLength); ok {
		return &requestBody{replay: b.open, length: b.n, done: b.finish}, nil
	}
	if !retries {
		return &requestBody{first: req.Body, length: -1}, nil
	}
	data, err := io.ReadAll(io.LimitReader(req.Body, MaxReplayBuffer+1))
	if err != nil {
		req.Body.Close()
		return nil, fmt.Errorf("docusign: %s %s: reading the request body to allow retries: %w", req.Method, req.URL.Path, err)
	}
	if len(data) > MaxReplayBuffer {
		stream := &replayBody{Reader: io.MultiReader(bytes.NewReader(data), req.Body), closer: req.Body}
		return &requestBody{first: stream, length: -1, once: true}, nil
	}
	// Read to its end: net/http would close it now too.
	req.Body.Close()
	return &requestBody{
		replay: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil },
		length: int64(len(data)),
	}, nil
}

// attempt returns the body and Content-Length of attempt number n (1 is
// the first); a nil body means the request has none.
func (b *requestBody) attempt(n int) (io.ReadCloser, int64, error) {
	if n == 1 && b.first != nil {
		return b.first, b.length, nil
	}
	if b.replay == nil {
		return nil, 0, errors.New("it cannot be sent again")
	}
	body, err := b.replay()
	return body, b.length, err
}

// unsent closes the first attempt's body when no attempt was made, as
// RoundTrip must.
func (b *requestBody) unsent() {
	if b.first != nil {
		b.first.Close()
	}
}

// finish runs after the last attempt.
func (b *requestBody) finish() {
	if b.done != nil {
		b.done()
	}
}

// seekableBody replays a body that can seek: the n bytes from the offset
// it had when the call was made. Every attempt reads that range afresh, and
// no two attempts ever read through one shared offset: net/http may still
// be sending an abandoned attempt's body (the server answered 503 or 401
// before reading it all) while the next attempt starts.
//
// An io.ReaderAt (an *os.File, an io.SectionReader, a multipart.File) is
// read with ReadAt through a separate io.SectionReader per attempt, so
// attempts share no state at all. Any other io.Seeker is read under a lock
// and belongs to the newest attempt: an older attempt's next read fails
// (errBodySuperseded) instead of moving the offset under the new one.
//
// The caller's body is closed once: after the last attempt, when the
// transport has closed every attempt's body, so it is never closed while
// an attempt still reads it. Its offset is left where net/http would leave
// it, at the end of the range.
type seekableBody struct {
	closer io.Closer     // the caller's body
	at     io.ReaderAt   // set when the reader can ReadAt
	seeker io.ReadSeeker // otherwise
	off, n int64

	mu      sync.Mutex // guards the fields below, and seeker's offset
	gen     int        // attempts opened; the seeker belongs to the newest
	reading int        // attempt bodies not yet closed
	last    bool       // no attempt follows
	closed  bool       // closer was closed
}

// newSeekableBody returns body as a seekableBody when it (or the reader an
// io.NopCloser wraps, as http.NewRequest does for a non-closer) is an
// io.Seeker whose offset and end can be found, and not an *os.File other
// than a regular file. length, when positive, is
// the Content-Length the request declared: that many bytes are sent.
func newSeekableBody(body io.ReadCloser, length int64) (*seekableBody, bool) {
	r := unwrapNopCloser(body)
	rs, ok := r.(io.ReadSeeker)
	if !ok || !regularIfFile(r) {
		return nil, false
	}
	off, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, false
	}
	end, err := rs.Seek(0, io.SeekEnd)
	if err != nil {
		rs.Seek(off, io.SeekStart) // best effort: leave it as found
		return nil, false
	}
	n := max(end-off, 0)
	if length > 0 {
		n = length // a shorter or longer file fails the attempt, as in net/http
	}
	b := &seekableBody{closer: body, off: off, n: n}
	if at, ok := r.(io.ReaderAt); ok {
		b.at = at
		rs.Seek(off+min(n, max(end-off, 0)), io.SeekStart) // consumed, as net/http would leave it
	} else {
		b.seeker = rs
	}
	return b, true
}

// open returns a fresh reader of the range for one attempt.
func (b *seekableBody) open() (io.ReadCloser, error) {
	if b.n == 0 {
		return http.NoBody, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("the request body was already closed")
	}
	b.gen++
	b.reading++
	a := &seekAttempt{body: b, gen: b.gen, left: b.n}
	if b.at != nil {
		a.section = io.NewSectionReader(b.at, b.off, b.n)
	}
	return a, nil
}

// finish marks the last attempt made; the caller's body is closed now or
// when the last attempt's body is.
func (b *seekableBody) finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.last = true
	b.closeIfIdle()
}

// closeIfIdle closes the caller's body once no attempt follows and none
// reads it; b.mu held.
func (b *seekableBody) closeIfIdle() {
	if b.last && b.reading == 0 && !b.closed {
		b.closed = true
		b.closer.Close()
	}
}

// seekAttempt is one attempt's reader of a seekableBody.
type seekAttempt struct {
	body    *seekableBody
	section *io.SectionReader // for an io.ReaderAt; nil for a plain seeker
	gen     int
	left    int64 // bytes still to read (plain seeker)
	started bool  // the plain seeker was positioned for this attempt

	// mu is held through each Read, so Close waits for a read in progress
	// and the caller's body is never read after it is closed.
	mu     sync.Mutex
	closed bool
}

// Read reads the attempt's next bytes of the range.
func (a *seekAttempt) Read(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return 0, http.ErrBodyReadAfterClose
	}
	if a.section != nil {
		return a.section.Read(p)
	}
	b := a.body
	b.mu.Lock()
	defer b.mu.Unlock()
	if a.gen != b.gen {
		return 0, errBodySuperseded
	}
	if a.left <= 0 {
		return 0, io.EOF
	}
	if !a.started {
		if _, err := b.seeker.Seek(b.off, io.SeekStart); err != nil {
			return 0, fmt.Errorf("docusign: rewinding the request body for attempt %d: %w", a.gen, err)
		}
		a.started = true
	}
	if int64(len(p)) > a.left {
		p = p[:a.left]
	}
	n, err := b.seeker.Read(p)
	a.left -= int64(n)
	if err == io.EOF && a.left > 0 {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// Close ends the attempt's reading; the caller's body is closed after the
// last attempt's.
func (a *seekAttempt) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	b := a.body
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reading--
	b.closeIfIdle()
	return nil
}

// regularIfFile reports false for an *os.File that is not a regular file:
// a pipe, socket or device may seek without error yet has no size (/dev/zero
// ends at 0), so it is sent as a stream.
func regularIfFile(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return true
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode().IsRegular()
}

// The types io.NopCloser returns, for unwrapNopCloser.
var (
	nopCloserType         = reflect.TypeOf(io.NopCloser(nil))
	nopCloserWriterToType = reflect.TypeOf(io.NopCloser(struct {
		io.Reader
		io.WriterTo
	}{}))
)

// unwrapNopCloser returns the reader inside an io.NopCloser (http.NewRequest
// wraps every body that is not an io.ReadCloser in one), else rc itself.
func unwrapNopCloser(rc io.ReadCloser) io.Reader {
	if t := reflect.TypeOf(rc); t == nopCloserType || t == nopCloserWriterToType {
		if r, ok := reflect.ValueOf(rc).Field(0).Interface().(io.Reader); ok {
			return r
		}
	}
	return rc
}

package connect

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// HandlerFunc is user code: it receives each verified, decoded event once.
// Returning nil acknowledges the event (DocuSign gets 200); returning an
// error, panicking or running past the timeout makes the Handler answer
// non-2xx, so DocuSign delivers the event again later.
type HandlerFunc func(ctx context.Context, m *Message) error

// Handler is an http.Handler for a Connect listener URL: it verifies each
// delivery (Verifier), decodes it (Decode), drops deliveries already
// processed (Store) and calls user code.
//
// # Answering fast, exactly once
//
// User code runs synchronously, bounded by WithTimeout: the 200 goes out
// only after it returned nil, so an acknowledged event has been handled,
// and a crash before that leaves DocuSign to redeliver it. (Acknowledging
// first and queueing in memory would answer faster but lose events on a
// crash.) Keep the work quick, e.g. write the event to a durable queue and
// return. When the timeout passes the Handler answers 503 and cancels the
// context; if user code still returns nil, its key is committed anyway and
// DocuSign's retry is answered 200 as a duplicate.
//
// Keys are committed to the Store only after user code succeeded, and
// deliveries with the same key are serialized: a retry that arrives while
// the first delivery is still being handled waits for it and is then
// answered 200 (handled) or, if it failed, handled afresh (the first
// waiter) or answered 503 so DocuSign retries it (the others; see Memory).
// Serialization is per Handler; replicas sharing a Store may each handle a
// delivery that arrives at both at once, so user code should still be
// idempotent there.
//
// # Memory
//
// A delivery's body is in memory from the moment it is read: at most
// WithMaxConcurrent deliveries are held at once (a place is taken before
// the body is read and given back when the delivery is answered, or when
// user code returns if it outlives the timeout), so bodies take at most
// that many times WithMaxBodyBytes. Beyond it, requests are answered 503
// (ErrBusy) with Retry-After without reading their body. Of the
// redeliveries waiting for a concurrent delivery of the same event, only
// the first keeps its message and place, to handle the event afresh if
// that delivery fails; the others (a captured delivery replayed many
// times, say) give both back while they wait, at most WithMaxConcurrent of
// them at once, and are answered 200 when the event was handled or 503
// (ErrBusy) when it was not, so DocuSign retries them.
//
// # Answers
//
//	200  handled, or a duplicate of a handled delivery
//	400  ErrMalformed (not a JSON SIM message), ErrBodyRead
//	401  ErrNoSignature, ErrBadSignature, ErrBasicAuth
//	405  ErrMethod (not POST)
//	413  ErrBodyTooLarge
//	500  ErrHandler: user code returned an error or panicked
//	503  ErrHandler (timeout), ErrStore (the Store failed), ErrBusy
//	     (too many deliveries at once; with Retry-After)
//
// Refused deliveries never reach user code.
type Handler struct {
	v       *Verifier
	fn      HandlerFunc
	store   Store
	keyFunc func(*Message) string
	timeout time.Duration
	log     *slog.Logger

	slots    chan struct{} // one element per delivery held (WithMaxConcurrent)
	waiters  atomic.Int64  // waiting redeliveries that gave their place back
	mu       sync.Mutex
	inflight map[string]*flight
}

// flight is a delivery being handled under a key.
type flight struct {
	done   chan struct{} // closed when it is over
	ok     bool          // set before done is closed: the event was handled
	queued bool          // a redelivery holding its message waits for it
}

// retryAfterBusy is the Retry-After of an ErrBusy answer, in seconds.
const retryAfterBusy = "5"

// NewHandler builds a Handler calling fn for each new event. It needs
// WithHMACKeys (or WithoutHMAC with WithBasicAuth) and takes every other
// Option; all problems are reported together.
func NewHandler(fn HandlerFunc, opts ...Option) (*Handler, error) {
	c, err := newConfig(opts)
	if fn == nil {
		err = errors.Join(err, errors.New("connect: NewHandler: the HandlerFunc is nil"))
	}
	if err != nil {
		return nil, err
	}
	h := &Handler{
		v:        newVerifier(c),
		fn:       fn,
		store:    c.store,
		keyFunc:  c.keyFunc,
		timeout:  c.timeout,
		log:      c.logger,
		slots:    make(chan struct{}, c.maxConc),
		inflight: map[string]*flight{},
	}
	if h.store == nil {
		h.store = NewMemoryStore(DefaultStoreSize)
	}
	if h.keyFunc == nil {
		h.keyFunc = DedupKey
	}
	return h, nil
}

// ServeHTTP verifies, decodes and delivers one Connect message; see
// Handler for the answers.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	dup, err := h.serve(r)
	status := StatusOf(err)
	if err != nil {
		if h.log != nil {
			h.log.LogAttrs(r.Context(), slog.LevelWarn, "connect: delivery refused",
				slog.Int("status", status), slog.String("error", err.Error()), slog.String("remote", r.RemoteAddr))
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		switch status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", http.MethodPost)
		case http.StatusUnauthorized:
			if errors.Is(err, ErrBasicAuth) {
				w.Header().Set("WWW-Authenticate", `Basic realm="connect"`)
			}
		case http.StatusServiceUnavailable:
			if errors.Is(err, ErrBusy) {
				w.Header().Set("Retry-After", retryAfterBusy)
			}
		}
		w.WriteHeader(status)
		fmt.Fprintln(w, publicText(err))
		return
	}
	if dup && h.log != nil {
		h.log.LogAttrs(r.Context(), slog.LevelDebug, "connect: duplicate delivery acknowledged")
	}
	w.WriteHeader(http.StatusOK)
}

// publicText is the response body for a refusal: the check and its
// detail, but not user code's error text, which stays in the log.
func publicText(err error) string {
	var re *RejectError
	if !errors.As(err, &re) {
		return "internal error"
	}
	if re.Check == ErrHandler || re.Check == ErrStore {
		return re.Check.Error()
	}
	if re.Detail != "" {
		return re.Check.Error() + ": " + re.Detail
	}
	return re.Check.Error()
}

// serve returns whether the delivery was a duplicate, and why it failed.
func (h *Handler) serve(r *http.Request) (dup bool, err error) {
	s := h.takeSlot()
	if s == nil {
		return false, reject(ErrBusy, http.StatusServiceUnavailable,
			strconv.Itoa(cap(h.slots))+" deliveries in progress (WithMaxConcurrent); retry later", nil)
	}
	defer s.drop()
	body, err := h.v.Verify(r)
	if err != nil {
		return false, err
	}
	m, err := Decode(body)
	if err != nil {
		return false, err
	}
	return h.deliver(r.Context(), m, s)
}

// slot is a delivery's place among WithMaxConcurrent. The request holds
// it until drop; user code, when called, holds it until it returns.
type slot struct {
	h       *Handler
	refs    atomic.Int32
	dropped bool // by the request; touched only on its goroutine
}

// takeSlot takes a place, or returns nil when all are taken.
func (h *Handler) takeSlot() *slot {
	select {
	case h.slots <- struct{}{}:
		s := &slot{h: h}
		s.refs.Store(1)
		return s
	default:
		return nil
	}
}

// hold adds a holder (user code); release removes one, giving the place
// back with the last.
func (s *slot) hold() {
	if s != nil {
		s.refs.Add(1)
	}
}

func (s *slot) release() {
	if s != nil && s.refs.Add(-1) == 0 {
		<-s.h.slots
	}
}

// drop releases the request's hold, once.
func (s *slot) drop() {
	if s != nil && !s.dropped {
		s.dropped = true
		s.release()
	}
}

// Deliver hands a verified, decoded message to user code with duplicate
// detection, as ServeHTTP does after verification; it reports whether the
// message was a duplicate. Use it to feed messages that arrived another
// way (a queue, a replay of stored raw messages) through the same
// exactly-once path.
//
// Deliver takes none of the WithMaxConcurrent places (the caller holds
// the message already), but a redelivery waiting behind another waiter
// counts among the bounded waiters and may fail with ErrBusy, like one
// arriving through ServeHTTP.
func (h *Handler) Deliver(ctx context.Context, m *Message) (dup bool, err error) {
	return h.deliver(ctx, m, nil)
}

// deliver is Deliver for a message holding the place s (nil: none).
func (h *Handler) deliver(ctx context.Context, m *Message, s *slot) (dup bool, err error) {
	var key string
	if err := safely(func() error { key = h.keyFunc(m); return nil }); err != nil {
		return false, reject(ErrHandler, http.StatusInternalServerError, "the key function panicked", err)
	}
	if key == "" {
		return false, h.call(ctx, m, nil, s)
	}
	release, dup, err := h.acquire(ctx, key, func() {
		m = nil // a waiter that cannot handle the event keeps no body
		s.drop()
	})
	if err != nil || dup {
		return dup, err
	}
	handedOff := false
	defer func() {
		if !handedOff {
			release(dup)
		}
	}()
	var seen bool
	err = safely(func() (err error) {
		seen, err = h.store.Seen(ctx, key)
		return err
	})
	if err != nil {
		return false, reject(ErrStore, http.StatusServiceUnavailable, "Seen", err)
	}
	if seen {
		dup = true
		return true, nil
	}
	handedOff = true
	return false, h.call(ctx, m, func(ctx context.Context, ok bool) {
		defer release(ok)
		if !ok {
			return
		}
		err := safely(func() error { return h.store.Commit(ctx, key) })
		if err != nil && h.log != nil {
			// Answering non-2xx now would make DocuSign redeliver an
			// event user code has handled; acknowledge and log.
			h.log.LogAttrs(ctx, slog.LevelError, "connect: committing a handled delivery failed; a redelivery would be handled again",
				slog.String("key", key), slog.String("error", err.Error()))
		}
	}, s)
}

// safely runs f, turning a panic into an error: code running on the
// Handler's own goroutines must not take the process down.
func safely(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return f()
}

// acquire claims key once no other delivery of it is in flight; release
// frees it, saying whether the event was handled. While one is in flight,
// the first delivery to wait keeps its message, and handles the event
// afresh should that one fail; the others call letGo (dropping their
// message and place), wait too, and return dup when the event was handled,
// ErrBusy when it was not. Waiting lasts at most the handler timeout: a
// first delivery whose user code hangs must not pile up its retries.
func (h *Handler) acquire(ctx context.Context, key string, letGo func()) (release func(ok bool), dup bool, err error) {
	start := time.Now()
	for {
		h.mu.Lock()
		f, busy := h.inflight[key]
		if !busy {
			f = &flight{done: make(chan struct{})}
			h.inflight[key] = f
			h.mu.Unlock()
			return func(ok bool) {
				h.mu.Lock()
				delete(h.inflight, key)
				f.ok = ok
				h.mu.Unlock()
				close(f.done)
			}, false, nil
		}
		first := !f.queued
		f.queued = true
		h.mu.Unlock()
		if !first {
			err := h.waitBehind(ctx, f, start, letGo)
			return nil, err == nil, err
		}
		err := h.await(ctx, f, start)
		if err != nil {
			h.mu.Lock()
			f.queued = false
			h.mu.Unlock()
			return nil, false, err
		}
		if f.ok {
			return nil, true, nil
		}
	}
}

// waitBehind is acquire for a delivery that is not the first to wait: it
// holds nothing while it waits and returns nil when f handled the event.
func (h *Handler) waitBehind(ctx context.Context, f *flight, start time.Time, letGo func()) error {
	if h.waiters.Add(1) > int64(cap(h.slots)) {
		h.waiters.Add(-1)
		return reject(ErrBusy, http.StatusServiceUnavailable, "too many deliveries of events already in flight are waiting; retry later", nil)
	}
	defer h.waiters.Add(-1)
	letGo()
	if err := h.await(ctx, f, start); err != nil {
		return err
	}
	if !f.ok {
		return reject(ErrBusy, http.StatusServiceUnavailable, "a concurrent delivery of the same event failed; retry later", nil)
	}
	return nil
}

// await waits until f is over, at most the handler timeout from start.
func (h *Handler) await(ctx context.Context, f *flight, start time.Time) error {
	t := time.NewTimer(h.timeout - time.Since(start))
	defer t.Stop()
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return reject(ErrHandler, http.StatusServiceUnavailable, "gave up waiting for a concurrent delivery of the same event", ctx.Err())
	case <-t.C:
		return reject(ErrHandler, http.StatusServiceUnavailable, "a concurrent delivery of the same event is still being handled after "+h.timeout.String(), nil)
	}
}

// call runs user code in its own goroutine under the timeout; finish (if
// set) runs after user code returned, whether or not the answer has
// already gone out.
func (h *Handler) call(ctx context.Context, m *Message, finish func(ctx context.Context, ok bool), s *slot) error {
	// User code outlives a disconnected client: its success still counts.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.timeout)
	result := make(chan error, 1)
	s.hold() // the message stays in memory until user code returns
	go func() {
		defer s.release()
		defer cancel()
		err := h.run(ctx, m)
		if finish != nil {
			finish(context.WithoutCancel(ctx), err == nil)
		}
		result <- err
	}()
	select {
	case err := <-result:
		return err
	case <-ctx.Done():
		select {
		case err := <-result: // finished at the deadline
			return err
		default:
		}
		return reject(ErrHandler, http.StatusServiceUnavailable, "user code ran past the timeout of "+h.timeout.String(), ctx.Err())
	}
}

// run calls user code, turning a panic into an error.
func (h *Handler) run(ctx context.Context, m *Message) error {
	panicked := true
	err := safely(func() error {
		err := h.fn(ctx, m)
		panicked = false
		return err
	})
	switch {
	case err == nil:
		return nil
	case panicked:
		return reject(ErrHandler, http.StatusInternalServerError, "user code panicked", err)
	}
	var re *RejectError
	if errors.As(err, &re) {
		return err
	}
	return reject(ErrHandler, http.StatusInternalServerError, "user code returned an error", err)
}

// String describes the Handler without its keys or credentials.
func (h *Handler) String() string {
	return fmt.Sprintf("connect.Handler{%s, timeout: %s}", h.v, h.timeout)
}

// GoString is String, so %#v does not print the keys either.
func (h *Handler) GoString() string { return h.String() }

// Format prints String for every verb: without it, verbs such as %s and %d
// would print the Handler's fields, the Verifier's keys among them.
func (h *Handler) Format(f fmt.State, verb rune) { formatAs(f, verb, h.String()) }

// Verifier returns the Handler's Verifier.
func (h *Handler) Verifier() *Verifier { return h.v }

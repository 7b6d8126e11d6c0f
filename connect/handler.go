package connect

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
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
// answered 200 (committed) or handled afresh (failed). Serialization is
// per Handler; replicas sharing a Store may each handle a delivery that
// arrives at both at once, so user code should still be idempotent there.
//
// # Answers
//
//	200  handled, or a duplicate of a handled delivery
//	400  ErrMalformed (not a JSON SIM message), ErrBodyRead
//	401  ErrNoSignature, ErrBadSignature, ErrBasicAuth
//	405  ErrMethod (not POST)
//	413  ErrBodyTooLarge
//	500  ErrHandler: user code returned an error or panicked
//	503  ErrHandler (timeout), ErrStore (the Store failed)
//
// Refused deliveries never reach user code.
type Handler struct {
	v       *Verifier
	fn      HandlerFunc
	store   Store
	keyFunc func(*Message) string
	timeout time.Duration
	log     *slog.Logger

	mu       sync.Mutex
	inflight map[string]chan struct{}
}

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
		inflight: map[string]chan struct{}{},
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
	body, err := h.v.Verify(r)
	if err != nil {
		return false, err
	}
	m, err := Decode(body)
	if err != nil {
		return false, err
	}
	return h.Deliver(r.Context(), m)
}

// Deliver hands a verified, decoded message to user code with duplicate
// detection, as ServeHTTP does after verification; it reports whether the
// message was a duplicate. Use it to feed messages that arrived another
// way (a queue, a replay of stored raw messages) through the same
// exactly-once path.
func (h *Handler) Deliver(ctx context.Context, m *Message) (dup bool, err error) {
	var key string
	if err := safely(func() error { key = h.keyFunc(m); return nil }); err != nil {
		return false, reject(ErrHandler, http.StatusInternalServerError, "the key function panicked", err)
	}
	if key == "" {
		return false, h.call(ctx, m, nil)
	}
	release, err := h.acquire(ctx, key)
	if err != nil {
		return false, err
	}
	handedOff := false
	defer func() {
		if !handedOff {
			release()
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
		return true, nil
	}
	handedOff = true
	return false, h.call(ctx, m, func(ctx context.Context, ok bool) {
		defer release()
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
	})
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

// acquire waits until no other delivery with key is in flight and claims
// it; release frees it. It waits at most the handler timeout: a first
// delivery whose user code hangs must not pile up its retries.
func (h *Handler) acquire(ctx context.Context, key string) (release func(), err error) {
	var deadline <-chan time.Time
	for {
		h.mu.Lock()
		busy, ok := h.inflight[key]
		if !ok {
			done := make(chan struct{})
			h.inflight[key] = done
			h.mu.Unlock()
			return func() {
				h.mu.Lock()
				delete(h.inflight, key)
				h.mu.Unlock()
				close(done)
			}, nil
		}
		h.mu.Unlock()
		if deadline == nil {
			t := time.NewTimer(h.timeout)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-busy:
		case <-ctx.Done():
			return nil, reject(ErrHandler, http.StatusServiceUnavailable, "gave up waiting for a concurrent delivery of the same event", ctx.Err())
		case <-deadline:
			return nil, reject(ErrHandler, http.StatusServiceUnavailable, "a concurrent delivery of the same event is still being handled after "+h.timeout.String(), nil)
		}
	}
}

// call runs user code in its own goroutine under the timeout; finish (if
// set) runs after user code returned, whether or not the answer has
// already gone out.
func (h *Handler) call(ctx context.Context, m *Message, finish func(ctx context.Context, ok bool)) error {
	// User code outlives a disconnected client: its success still counts.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.timeout)
	result := make(chan error, 1)
	go func() {
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
func (h *Handler) Format(f fmt.State, verb rune) {
	s := h.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// Verifier returns the Handler's Verifier.
func (h *Handler) Verifier() *Verifier { return h.v }

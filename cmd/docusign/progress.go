package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dsgo/docusign/client"
)

// progress shows a long drain's progress on one stderr line, rewritten
// after each page, when stderr is a terminal: records, pages, records per
// second, the time spent waiting for the rate limit, and the rate-limit
// budget. When stderr is not a terminal it prints nothing.
type progress struct {
	e       *env
	c       *client.Client
	what    string
	start   time.Time
	pages   int
	enabled bool
}

func newProgress(e *env, c *client.Client, what string) *progress {
	return &progress{e: e, c: c, what: what, start: time.Now(), enabled: e.isTerminal}
}

// page is called after each page with the records written so far.
func (p *progress) page(records int) {
	if !p.enabled {
		return
	}
	p.pages++
	fmt.Fprintf(p.e.stderr, "\r%s   ", p.line(records))
}

// done ends the progress line with the totals.
func (p *progress) done(records int) {
	if p.enabled {
		fmt.Fprintf(p.e.stderr, "\r%s\n", p.line(records))
	}
}

func (p *progress) line(records int) string {
	elapsed := time.Since(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(records) / elapsed.Seconds()
	}
	line := fmt.Sprintf("%s: %d records, %d pages, %.0f/s", p.what, records, p.pages, rate)
	if w := p.e.waits.get(); w > 0 {
		line += fmt.Sprintf(", waited %s for the rate limit", w.Round(100*time.Millisecond))
	}
	if r := p.c.Rate(); !r.IsZero() {
		line += "; " + r.String()
	}
	return line
}

// waitCounter sums the waits the client's attempt log reports: pacing
// before an attempt and the wait before retrying a throttled one.
type waitCounter struct {
	mu    sync.Mutex
	total time.Duration
}

func (w *waitCounter) add(d time.Duration) {
	w.mu.Lock()
	w.total += d
	w.mu.Unlock()
}

func (w *waitCounter) get() time.Duration {
	if w == nil {
		return 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.total
}

// logHandler is the CLI's slog handler. The client logs one record per
// HTTP attempt (an "attempt" attribute), failed ones at Warn; the error
// that ends a command already says how many attempts failed, so attempt
// records are written only with -v. Every record still feeds the wait
// counter for the progress line. Other records (the client's warnings
// about an insecure transport or a failing token cache) are written from
// Warn up.
type logHandler struct {
	out     slog.Handler
	verbose bool
	waits   *waitCounter // nil: no progress line to feed
}

func (h *logHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.verbose || h.waits != nil || l >= slog.LevelWarn
}

func (h *logHandler) Handle(ctx context.Context, r slog.Record) error {
	attempt, throttled := false, false
	var paced, retryIn time.Duration
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "attempt":
			attempt = true
		case "status":
			throttled = throttled || a.Value.Int64() == 429
		case "paced":
			paced = a.Value.Duration()
		case "retry_in":
			retryIn = a.Value.Duration()
		}
		return true
	})
	if h.waits != nil {
		if throttled {
			paced += retryIn
		}
		if paced > 0 {
			h.waits.add(paced)
		}
	}
	if h.verbose || (!attempt && r.Level >= slog.LevelWarn) {
		return h.out.Handle(ctx, r)
	}
	return nil
}

func (h *logHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.out = h.out.WithAttrs(as)
	return &c
}

func (h *logHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.out = h.out.WithGroup(name)
	return &c
}

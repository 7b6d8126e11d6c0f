package docusigntest

import (
	"sync"
	"time"
)

// clock is the server's notion of now: a base (system clock, a start time
// running at system speed, or a caller's function) plus an offset that
// Advance moves forward.
type clock struct {
	base func() time.Time

	mu     sync.Mutex
	offset time.Duration
}

func newClock(cfg *config) *clock {
	c := &clock{base: time.Now}
	switch {
	case cfg.now != nil:
		c.base = cfg.now
	case !cfg.start.IsZero():
		start, real := cfg.start, time.Now()
		c.base = func() time.Time { return start.Add(time.Since(real)) }
	}
	return c
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	off := c.offset
	c.mu.Unlock()
	return c.base().Add(off).UTC()
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Now reports the server's current time: the system clock (or the WithClock
// or WithStartTime base) plus everything passed to Advance.
func (s *Server) Now() time.Time { return s.clock.now() }

// Advance moves the server's clock forward by d (or back, if d is negative),
// so tests can expire tokens, roll rate-limit windows or age Monitor events
// without sleeping.
func (s *Server) Advance(d time.Duration) { s.clock.advance(d) }

// Clock returns the server's clock as a function, for handing to a client
// (or anything else) that should share the fake's notion of now, e.g. to
// sign JWTs consistently under WithStartTime.
func (s *Server) Clock() func() time.Time { return s.Now }

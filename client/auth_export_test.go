package client

import "time"

// WithTestClock lets the external tests (package client_test) drive the
// Client's clock together with the fake's.
func WithTestClock(now func() time.Time) Option { return withClock(now) }

package docusigntest

import (
	"errors"
	"fmt"
	"time"
)

// Option configures a Server. Options are applied by NewServer; invalid
// values are all reported together in one panic, as httptest does for
// unusable configurations, because a fake that silently ignores a setting
// would make a test pass for the wrong reason.
type Option func(*config)

// ThrottleStyle selects how the fake answers a request over its rate budget.
type ThrottleStyle int

const (
	// Throttle429 answers 429 Too Many Requests with a Retry-After header,
	// as DocuSign does today.
	Throttle429 ThrottleStyle = iota
	// ThrottleLegacy400 answers 400 Bad Request with the code
	// HOURLY_APIINVOCATION_LIMIT_EXCEEDED or BURST_APIINVOCATION_LIMIT_EXCEEDED
	// (in each API's error shape) and no Retry-After, as older DocuSign
	// deployments did.
	ThrottleLegacy400
)

// String names the style for logs and test output.
func (s ThrottleStyle) String() string {
	switch s {
	case Throttle429:
		return "429"
	case ThrottleLegacy400:
		return "legacy-400"
	}
	return fmt.Sprintf("ThrottleStyle(%d)", int(s))
}

// Defaults used when no option overrides them.
const (
	DefaultUsers       = 1200      // seeded users across all accounts
	DefaultAccounts    = 2         // seeded eSignature accounts
	DefaultEvents      = 5000      // Monitor events present at start
	DefaultEnvelopes   = 250       // envelopes seeded into the default account
	DefaultTokenTTL    = time.Hour // access token lifetime (expires_in 3600)
	DefaultClockSkew   = time.Minute
	DefaultRequestLog  = 10000 // requests kept by Requests
	unlimitedRateQuota = 1_000_000_000
)

type config struct {
	seed        uint64
	users       int
	accounts    int
	events      int
	envelopes   int
	tokenTTL    time.Duration
	skew        time.Duration
	now         func() time.Time
	start       time.Time
	eventsEnd   time.Time
	hourly      int
	burst       int
	throttle    ThrottleStyle
	audiences   []string
	consentUser string
	logLimit    int
	tls         bool
	strictAdmin bool
	connect     connectConfig
	codeTTL     time.Duration // Authorization Code Grant access tokens
	refreshTTL  time.Duration
	noRotation  bool

	errs []error
}

func defaultConfig() config {
	return config{
		seed:       1,
		users:      DefaultUsers,
		accounts:   DefaultAccounts,
		events:     DefaultEvents,
		envelopes:  DefaultEnvelopes,
		tokenTTL:   DefaultTokenTTL,
		skew:       DefaultClockSkew,
		hourly:     unlimitedRateQuota,
		burst:      unlimitedRateQuota,
		logLimit:   DefaultRequestLog,
		codeTTL:    DefaultAuthCodeTokenTTL,
		refreshTTL: DefaultRefreshTokenTTL,
	}
}

func (c *config) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("docusigntest: "+format, args...))
}

func (c *config) err() error { return errors.Join(c.errs...) }

// WithSeed sets the seed every generated ID, name and event derives from.
// Two servers with the same seed and options hold identical data.
func WithSeed(seed int64) Option {
	return func(c *config) { c.seed = uint64(seed) }
}

// WithUsers sets how many users are seeded (at least 1; default
// DefaultUsers). User 0 is the default user: an account administrator who is
// a member of every account.
func WithUsers(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.errorf("WithUsers(%d): need at least 1 user (the default user)", n)
			return
		}
		c.users = n
	}
}

// WithAccounts sets how many eSignature accounts are seeded (1..100; default
// DefaultAccounts). Users other than the default user belong to one account
// each, round-robin.
func WithAccounts(n int) Option {
	return func(c *config) {
		if n < 1 || n > 100 {
			c.errorf("WithAccounts(%d): use 1..100 accounts", n)
			return
		}
		c.accounts = n
	}
}

// WithEvents sets how many Monitor events exist at start (default
// DefaultEvents). Events are generated on demand, so millions cost no memory;
// they are spread over the six days before the server starts (see
// WithEventsEndingAt), inside Monitor's default seven-day window.
func WithEvents(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.errorf("WithEvents(%d): the event count cannot be negative", n)
			return
		}
		c.events = n
	}
}

// WithEventsEndingAt places the initial Monitor events in the six days
// before t instead of before the server's start, making their timestamps
// reproducible. Events older than seven days before the fake's now are
// outside Monitor's default window; read them with an ISO time cursor.
func WithEventsEndingAt(t time.Time) Option {
	return func(c *config) {
		if t.IsZero() {
			c.errorf("WithEventsEndingAt: time is zero")
			return
		}
		c.eventsEnd = t
	}
}

// WithEnvelopes sets how many envelopes are seeded into the default account
// (default DefaultEnvelopes), with status changes spread over the 30 days
// before the server starts.
func WithEnvelopes(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.errorf("WithEnvelopes(%d): the envelope count cannot be negative", n)
			return
		}
		c.envelopes = n
	}
}

// WithTokenTTL sets the lifetime of issued access tokens (default
// DefaultTokenTTL). Short lifetimes exercise a client's refresh logic.
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) {
		if d < time.Second {
			c.errorf("WithTokenTTL(%v): use at least one second", d)
			return
		}
		c.tokenTTL = d
	}
}

// WithClockSkew sets how far a JWT's iat may lie in the future and its exp
// in the past before the assertion is rejected (default DefaultClockSkew).
func WithClockSkew(d time.Duration) Option {
	return func(c *config) {
		if d < 0 {
			c.errorf("WithClockSkew(%v): skew cannot be negative", d)
			return
		}
		c.skew = d
	}
}

// WithClock makes the server read time from now instead of the system clock.
// Server.Advance still adds its offset on top. Token expiry, JWT checks,
// rate-limit windows, Monitor's default window and timestamps all use it.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now == nil {
			c.errorf("WithClock(nil): pass a function returning the current time")
			return
		}
		c.now = now
	}
}

// WithStartTime starts the server's clock at t; it then runs at the speed of
// the system clock. Clients that sign JWTs with the system clock will see
// invalid_grant when t is further away than the clock skew, which is how to
// test skew handling.
func WithStartTime(t time.Time) Option {
	return func(c *config) {
		if t.IsZero() {
			c.errorf("WithStartTime: time is zero")
			return
		}
		c.start = t
	}
}

// WithRateLimit enforces an hourly budget per account and a 30-second burst
// budget per access token. Without it the budgets are so large that no test
// is throttled, though the rate-limit headers are still sent.
func WithRateLimit(hourly, burst int) Option {
	return func(c *config) {
		if hourly < 1 || burst < 1 {
			c.errorf("WithRateLimit(%d, %d): both budgets must be at least 1", hourly, burst)
			return
		}
		c.hourly, c.burst = hourly, burst
	}
}

// WithThrottleStyle selects how throttled requests are answered (default
// Throttle429).
func WithThrottleStyle(s ThrottleStyle) Option {
	return func(c *config) {
		if s != Throttle429 && s != ThrottleLegacy400 {
			c.errorf("WithThrottleStyle(%d): use Throttle429 or ThrottleLegacy400", int(s))
			return
		}
		c.throttle = s
	}
}

// WithAudience adds JWT audiences the token endpoint accepts besides
// OAuthHost, e.g. "account-d.docusign.com" for a client that is pointed at
// the fake through a proxy but still signs for the real host.
func WithAudience(aud ...string) Option {
	return func(c *config) {
		for _, a := range aud {
			if a == "" {
				c.errorf("WithAudience: empty audience")
				continue
			}
			c.audiences = append(c.audiences, a)
		}
	}
}

// WithConsentUser sets the user whose consent the /oauth/auth page records
// (default: the default user).
func WithConsentUser(userID string) Option {
	return func(c *config) {
		if userID == "" {
			c.errorf("WithConsentUser: empty user ID")
			return
		}
		c.consentUser = userID
	}
}

// WithRequestLogLimit sets how many recent requests Requests keeps (default
// DefaultRequestLog). Counters such as TokenRequests are never truncated.
func WithRequestLogLimit(n int) Option {
	return func(c *config) {
		if n < 1 {
			c.errorf("WithRequestLogLimit(%d): keep at least 1 request", n)
			return
		}
		c.logLimit = n
	}
}

// WithTLS serves HTTPS with a self-signed certificate; use Server.Client for
// an HTTP client that trusts it.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithStrictAdminFilters makes the Admin users list demand at least one of
// email, account_id or organization_reserved_domain_id, and account_id
// together with last_modified_since, as DocuSign's API reference specifies.
// By default the fake also lists the whole organization.
func WithStrictAdminFilters() Option {
	return func(c *config) { c.strictAdmin = true }
}

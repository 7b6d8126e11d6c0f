package connect

import (
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Defaults used when no option overrides them.
const (
	// DefaultMaxBodyBytes caps a delivery's body. Messages that include
	// documents carry the PDFs base64-encoded, so the cap is generous;
	// lower it with WithMaxBodyBytes when documents are not included.
	DefaultMaxBodyBytes = 32 << 20
	// DefaultTimeout bounds how long the Handler waits for user code
	// before answering 503 (DocuSign then retries; see Handler).
	DefaultTimeout = 20 * time.Second
	// DefaultStoreSize is how many processed keys NewMemoryStore keeps.
	DefaultStoreSize = 100_000
	// DefaultMaxConcurrent is how many deliveries a Handler reads and
	// processes at once (WithMaxConcurrent): with DefaultMaxBodyBytes, at
	// most 2 GiB of bodies in memory, and usually far less, since memory
	// follows the bytes received.
	DefaultMaxConcurrent = 64
	// maxSignatureHeaders bounds the X-DocuSign-Signature-N headers
	// compared, so a forged request cannot make the Verifier do unbounded
	// work. DocuSign sends one per active HMAC key.
	maxSignatureHeaders = 100
)

// Option configures NewVerifier and NewHandler. Options are validated
// together: every problem is reported at once.
type Option func(*config)

type config struct {
	keys        [][]byte
	basicUser   string
	basicPass   string
	basicSet    bool
	noHMAC      bool
	maxBody     int64
	timeout     time.Duration
	maxConc     int
	store       Store
	keyFunc     func(*Message) string
	logger      *slog.Logger
	handlerOnly []string // handler options given, for NewVerifier's check

	errs []error
}

func (c *config) errorf(format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("connect: "+format, args...))
}

func newConfig(opts []Option) (*config, error) {
	c := &config{maxBody: DefaultMaxBodyBytes, timeout: DefaultTimeout, maxConc: DefaultMaxConcurrent}
	for _, o := range opts {
		o(c)
	}
	switch {
	case c.noHMAC && len(c.keys) > 0:
		c.errorf("WithoutHMAC and WithHMACKeys both given: pick one")
	case c.noHMAC && !c.basicSet:
		c.errorf("WithoutHMAC needs WithBasicAuth: a listener must authenticate DocuSign somehow")
	case !c.noHMAC && len(c.keys) == 0:
		c.errorf("no HMAC key: pass WithHMACKeys with the Connect HMAC keys from DocuSign (Settings > Connect > Connect Keys)")
	}
	return c, errors.Join(c.errs...)
}

// WithHMACKeys sets the Connect HMAC keys a delivery may be signed with.
// Pass every active key while rotating: a delivery is accepted when any of
// its X-DocuSign-Signature-N headers matches any key. Keys are used as
// DocuSign shows them (the text is the key); they never appear in errors,
// logs or %v.
func WithHMACKeys(keys ...string) Option {
	return func(c *config) {
		for i, k := range keys {
			if k == "" {
				c.errorf("WithHMACKeys: key %d is empty", i+1)
				continue
			}
			c.keys = append(c.keys, []byte(k))
		}
	}
}

// WithBasicAuth requires the Basic authentication credentials set in the
// Connect configuration (its userName and password), checked in constant
// time, in addition to the HMAC signature.
func WithBasicAuth(user, password string) Option {
	return func(c *config) {
		if user == "" || password == "" {
			c.errorf("WithBasicAuth: user name and password must both be set")
			return
		}
		c.basicUser, c.basicPass, c.basicSet = user, password, true
	}
}

// WithoutHMAC accepts unsigned deliveries authenticated by Basic auth
// alone (WithBasicAuth is then required). HMAC is DocuSign's
// recommendation; use this only where the configuration cannot sign.
func WithoutHMAC() Option {
	return func(c *config) { c.noHMAC = true }
}

// WithMaxBodyBytes caps the body (default DefaultMaxBodyBytes). A longer
// body is refused with 413 before it is read in full.
func WithMaxBodyBytes(n int64) Option {
	return func(c *config) {
		if n < 1 {
			c.errorf("WithMaxBodyBytes(%d): use a positive size", n)
			return
		}
		c.maxBody = n
	}
}

// WithTimeout bounds how long the Handler waits for user code (default
// DefaultTimeout). Handler only.
func WithTimeout(d time.Duration) Option {
	return func(c *config) {
		c.handlerOnly = append(c.handlerOnly, "WithTimeout")
		if d <= 0 {
			c.errorf("WithTimeout(%v): use a positive duration", d)
			return
		}
		c.timeout = d
	}
}

// WithMaxConcurrent bounds how many deliveries the Handler holds at once
// (default DefaultMaxConcurrent), and with WithMaxBodyBytes the memory
// their bodies take: a delivery holds one of n places from before its body
// is read until it is answered, or, when user code outlives the timeout,
// until user code returns. A request arriving when all are taken is
// answered 503 with Retry-After at once, without reading its body;
// DocuSign delivers it again later. Redeliveries that only wait for a
// concurrent delivery of the same event give their place back (see
// Handler). Handler only.
func WithMaxConcurrent(n int) Option {
	return func(c *config) {
		c.handlerOnly = append(c.handlerOnly, "WithMaxConcurrent")
		if n < 1 {
			c.errorf("WithMaxConcurrent(%d): use a positive number of deliveries", n)
			return
		}
		c.maxConc = n
	}
}

// WithStore sets where the Handler records processed deliveries (default:
// NewMemoryStore(DefaultStoreSize)). Use a durable store so duplicates are
// still recognised after a restart. Handler only.
func WithStore(s Store) Option {
	return func(c *config) {
		c.handlerOnly = append(c.handlerOnly, "WithStore")
		if s == nil {
			c.errorf("WithStore(nil): pass a Store, or omit the option for the in-memory default")
			return
		}
		c.store = s
	}
}

// WithKeyFunc replaces DedupKey as the function that names a delivery for
// duplicate detection. Returning "" skips detection for that message.
// Handler only.
func WithKeyFunc(f func(*Message) string) Option {
	return func(c *config) {
		c.handlerOnly = append(c.handlerOnly, "WithKeyFunc")
		if f == nil {
			c.errorf("WithKeyFunc(nil): pass a function, or omit the option for DedupKey")
			return
		}
		c.keyFunc = f
	}
}

// WithLogger logs refused deliveries, handler failures and duplicates
// (default: no logging). Handler only.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) {
		c.handlerOnly = append(c.handlerOnly, "WithLogger")
		c.logger = l
	}
}

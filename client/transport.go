package client

import (
	"cmp"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Transport defaults for the connection settings (see Timeouts).
const (
	defaultConnectTimeout        = 10 * time.Second
	defaultTLSHandshakeTimeout   = 10 * time.Second
	defaultResponseHeaderTimeout = 2 * time.Minute
	defaultMaxIdleConnsPerHost   = 16
)

// transportConfig holds the HTTP pipeline settings set by the transport
// options; newHTTPClient turns them into the *http.Client every API call uses.
type transportConfig struct {
	httpClient        *http.Client // WithHTTPClient; nil: our own transport
	logger            *slog.Logger // WithLogger; nil: silent
	retry             RetryPolicy  // WithRetry, WithMaxAttempts; zero fields: defaults
	proxy             *url.URL     // WithProxy; nil: HTTPS_PROXY/NO_PROXY
	insecure          bool         // WithInsecureSkipVerify
	timeouts          Timeouts     // WithTimeouts; zero fields: defaults
	userAgentSuffixes []string     // WithUserAgent
	middleware        []func(http.RoundTripper) http.RoundTripper
	pacing            *Pacing // WithPacing; nil: off
	maxJSONBody       int64   // WithMaxJSONBody; 0: DefaultMaxJSONBody, < 0: none

	rates *rateState // created by newHTTPClient; the client's latest rate state

	warned bool // the WithInsecureSkipVerify warning was logged

	transportNow    func() time.Time                        // tests only; nil: time.Now
	transportJitter func(limit time.Duration) time.Duration // tests only; nil: random
}

// Timeouts bounds the phases of a call. Zero fields keep the defaults.
type Timeouts struct {
	// Connect bounds establishing a TCP connection. Default 10s.
	Connect time.Duration
	// TLSHandshake bounds the TLS handshake. Default 10s.
	TLSHandshake time.Duration
	// ResponseHeader bounds the wait for response headers once the request
	// is sent. Default 2m.
	ResponseHeader time.Duration
	// Attempt bounds each try. A successful JSON answer is read whole
	// within its try, so a try that runs out while sending, waiting or
	// reading such a body is retried like any transient failure. Other
	// bodies (document downloads, WithStreamedResponse) are streamed to the
	// caller: the limit then also covers the caller's reading, and running
	// out fails that read. Default: none.
	Attempt time.Duration
	// BodyIdle bounds each wait for response body data (the clock runs only
	// while a read is blocked), so a body that stalls after the headers
	// fails with *BodyIdleError instead of hanging; a JSON answer read
	// within its attempt is then retried. Default 2m.
	BodyIdle time.Duration
	// Overall bounds the whole call: every try, the waits between them, and
	// reading the response body. Default: none (use the context).
	Overall time.Duration
}

// WithHTTPClient makes the client send through hc: its Transport (nil
// means a default transport), cookie jar, redirect policy and Timeout are
// used underneath the library's layers. hc itself is not modified. Proxy,
// TLS and connection timeouts can then only be set when hc.Transport is an
// *http.Transport (it is cloned).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) {
		if hc == nil {
			c.addErr(optErr("WithHTTPClient", "client is nil: pass an *http.Client, or omit the option for the default"))
			return
		}
		c.transportConfig.httpClient = hc
	}
}

// WithProxy sends every request through the proxy at rawURL (http, https or
// socks5; credentials in it are never logged). Without it the environment's
// HTTPS_PROXY, HTTP_PROXY and NO_PROXY apply.
func WithProxy(rawURL string) Option {
	return func(c *config) {
		u, err := url.Parse(rawURL)
		if err != nil {
			// The parse error quotes the URL, which may hold a password.
			c.addErr(optErr("WithProxy", "the proxy URL does not parse: use a URL such as http://proxy.example.com:3128"))
			return
		}
		switch u.Scheme {
		case "http", "https", "socks5", "socks5h":
		default:
			c.addErr(optErr("WithProxy", "proxy URL %q has scheme %q: use http, https or socks5", u.Redacted(), u.Scheme))
			return
		}
		if u.Host == "" {
			c.addErr(optErr("WithProxy", "proxy URL %q has no host: use a URL such as http://proxy.example.com:3128", u.Redacted()))
			return
		}
		c.transportConfig.proxy = u
	}
}

// WithInsecureSkipVerify turns off TLS certificate verification, for lab
// setups behind an intercepting proxy with a private CA. Never use it in
// production; the client logs a warning when built with it.
func WithInsecureSkipVerify() Option {
	return func(c *config) { c.transportConfig.insecure = true }
}

// WithTimeouts sets connection, attempt and overall timeouts; zero fields
// keep their defaults.
func WithTimeouts(t Timeouts) Option {
	return func(c *config) {
		for _, f := range []struct {
			name string
			v    time.Duration
		}{{"Connect", t.Connect}, {"TLSHandshake", t.TLSHandshake}, {"ResponseHeader", t.ResponseHeader}, {"Attempt", t.Attempt}, {"BodyIdle", t.BodyIdle}, {"Overall", t.Overall}} {
			if f.v < 0 {
				c.addErr(optErr("WithTimeouts", "%s is %v: use a positive duration, or 0 for the default", f.name, f.v))
			}
		}
		c.transportConfig.timeouts = t
	}
}

// WithMiddleware adds layers around the whole pipeline, e.g. for metrics
// or tracing. The first one given is outermost. A layer sees each call once
// (retries happen inside) and receives the final error as RoundTrip's error.
func WithMiddleware(layers ...func(http.RoundTripper) http.RoundTripper) Option {
	return func(c *config) {
		for i, mw := range layers {
			if mw == nil {
				c.addErr(optErr("WithMiddleware", "layer %d is nil: pass a func(http.RoundTripper) http.RoundTripper", i))
				continue
			}
			c.transportConfig.middleware = append(c.transportConfig.middleware, mw)
		}
	}
}

// log returns the configured logger, or one that drops everything.
func (t *transportConfig) log() *slog.Logger {
	if t.logger == nil {
		return discardLogger
	}
	return t.logger
}

// needsOwnTransport reports whether a setting must be applied to an
// *http.Transport (proxy, TLS, connection timeouts).
func (t *transportConfig) needsOwnTransport() bool {
	return t.proxy != nil || t.insecure || t.timeouts.Connect != 0 || t.timeouts.TLSHandshake != 0 || t.timeouts.ResponseHeader != 0
}

// validate reports every invalid or conflicting transport setting at once.
func (t *transportConfig) validate() error {
	var errs []error
	errs = append(errs, t.retry.validate("WithRetry")...)
	if t.pacing != nil {
		errs = append(errs, t.pacing.validate()...)
	}
	if t.httpClient != nil && t.httpClient.Transport != nil && t.needsOwnTransport() {
		if _, ok := t.httpClient.Transport.(*http.Transport); !ok {
			conflict := func(option, what string) {
				errs = append(errs, optErr(option, "%scannot be applied: the WithHTTPClient client's Transport is a %T, not an *http.Transport: configure that transport yourself or drop this option", what, t.httpClient.Transport))
			}
			if t.proxy != nil {
				conflict("WithProxy", "")
			}
			if t.insecure {
				conflict("WithInsecureSkipVerify", "")
			}
			if t.timeouts.Connect != 0 || t.timeouts.TLSHandshake != 0 || t.timeouts.ResponseHeader != 0 {
				conflict("WithTimeouts", "Connect, TLSHandshake and ResponseHeader ")
			}
		}
	}
	return errors.Join(errs...)
}

// newHTTPClient builds the request pipeline, outermost first:
//
//	[WithMiddleware layers] -> errors -> logging -> retry/rate -> auth -> base transport
//
// errors turns the final non-2xx response into an *APIError; logging writes
// one line per attempt (reported by retry); retry/rate retries, paces and
// tracks rate headers, cloning the request per attempt; auth (supplied by
// the caller, may be nil) sets credentials on every attempt, so a refreshed
// token is used on a retry; the base transport does the network I/O.
func (t *transportConfig) newHTTPClient(auth func(http.RoundTripper) http.RoundTripper) (*http.Client, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	logger := t.log()
	base := t.baseTransport(logger)
	if t.rates == nil {
		t.rates = newRateState() // shared by every client built from this config
	}
	now, jitter := t.transportNow, t.transportJitter
	if now == nil {
		now = time.Now
	}
	if jitter == nil {
		jitter = randomJitter
	}
	policy := t.retry.withDefaults()
	t.rates.now, t.rates.sleep, t.rates.pacing = now, policy.Sleep, t.pacing

	var rt http.RoundTripper = base
	if auth != nil {
		rt = auth(rt)
	}
	rt = &retryTransport{
		next:        rt,
		policy:      policy,
		rates:       t.rates,
		pacing:      t.pacing,
		userAgent:   buildUserAgent(t.userAgentSuffixes),
		attemptTTL:  t.timeouts.Attempt,
		bodyIdle:    cmp.Or(t.timeouts.BodyIdle, defaultBodyIdleTimeout),
		maxJSONBody: cmp.Or(t.maxJSONBody, DefaultMaxJSONBody),
		now:         now,
		jitter:      jitter,
	}
	rt = &logTransport{next: rt, log: logger}
	rt = &errorTransport{next: rt}
	for i := len(t.middleware) - 1; i >= 0; i-- {
		rt = t.middleware[i](rt)
	}

	hc := &http.Client{Transport: rt, Timeout: t.timeouts.Overall}
	if t.httpClient != nil {
		hc.Jar = t.httpClient.Jar
		hc.CheckRedirect = t.httpClient.CheckRedirect
		if hc.Timeout == 0 {
			hc.Timeout = t.httpClient.Timeout
		}
	}
	return hc, nil
}

// baseTransport returns the network transport: the caller's (cloned only
// when a proxy, TLS or connection setting must be applied to it) or a
// clone of http.DefaultTransport with the library's defaults.
func (t *transportConfig) baseTransport(logger *slog.Logger) http.RoundTripper {
	var tr *http.Transport
	if t.httpClient != nil && t.httpClient.Transport != nil {
		if !t.needsOwnTransport() {
			return t.httpClient.Transport
		}
		tr = t.httpClient.Transport.(*http.Transport).Clone() // validate checked the type
	} else {
		tr = defaultTransport()
	}
	if t.timeouts.Connect != 0 {
		tr.DialContext = (&net.Dialer{Timeout: t.timeouts.Connect, KeepAlive: 30 * time.Second}).DialContext
	}
	if t.timeouts.TLSHandshake != 0 {
		tr.TLSHandshakeTimeout = t.timeouts.TLSHandshake
	}
	if t.timeouts.ResponseHeader != 0 {
		tr.ResponseHeaderTimeout = t.timeouts.ResponseHeader
	}
	if t.proxy != nil {
		tr.Proxy = http.ProxyURL(t.proxy)
		logger.Debug("docusign: sending requests through a proxy", slog.String("proxy", t.proxy.Redacted()))
	}
	if t.insecure {
		if tr.TLSClientConfig == nil {
			tr.TLSClientConfig = &tls.Config{}
		} else {
			tr.TLSClientConfig = tr.TLSClientConfig.Clone()
		}
		tr.TLSClientConfig.InsecureSkipVerify = true
		if !t.warned {
			t.warned = true
			logger.Warn("docusign: TLS certificate verification is disabled (WithInsecureSkipVerify): use this only in a lab, never in production")
		}
	}
	return tr
}

// defaultTransport is the library's own network transport: environment
// proxy, HTTP/2, bounded connect and handshake times, and enough idle
// connections per host for concurrent collectors.
func defaultTransport() *http.Transport {
	var tr *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		tr = dt.Clone()
	} else {
		tr = &http.Transport{ForceAttemptHTTP2: true, MaxIdleConns: 100, IdleConnTimeout: 90 * time.Second, ExpectContinueTimeout: time.Second}
	}
	tr.Proxy = http.ProxyFromEnvironment
	tr.DialContext = (&net.Dialer{Timeout: defaultConnectTimeout, KeepAlive: 30 * time.Second}).DialContext
	tr.TLSHandshakeTimeout = defaultTLSHandshakeTimeout
	tr.ResponseHeaderTimeout = defaultResponseHeaderTimeout
	tr.MaxIdleConnsPerHost = defaultMaxIdleConnsPerHost
	return tr
}

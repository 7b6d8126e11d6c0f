package client

import (
	"context"
	"log/slog"
	"net/http"
)

// WithLogger sends the client's operational log to logger: one line per
// HTTP attempt (method, path, status, duration, attempt, remaining rate
// budget, trace token), failures at Warn and successes at Debug, plus
// configuration warnings such as WithInsecureSkipVerify. Without it the
// client is silent. Credentials, tokens and query values never appear.
func WithLogger(logger *slog.Logger) Option {
	return func(c *config) {
		if logger == nil {
			c.addErr(optErr("WithLogger", "logger is nil: pass a *slog.Logger, or omit the option for a silent client"))
			return
		}
		c.transportConfig.logger = logger
	}
}

// discardLogger is the default: it drops everything without formatting it.
var discardLogger = slog.New(slog.DiscardHandler)

// logTransport logs every attempt the retry layer below it makes: it puts
// itself into the request context as the attempt observer, so one line per
// attempt can say whether and when it is retried. With a handler that
// drops Debug and Warn it costs nothing.
type logTransport struct {
	next http.RoundTripper
	log  *slog.Logger
}

// RoundTrip implements http.RoundTripper.
func (t *logTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	if !t.log.Enabled(ctx, slog.LevelWarn) && !t.log.Enabled(ctx, slog.LevelDebug) {
		return t.next.RoundTrip(req)
	}
	return t.next.RoundTrip(req.WithContext(context.WithValue(ctx, observerKey{}, attemptObserver(t))))
}

// observeAttempt writes the line for one attempt. It logs the URL path
// only: query strings may carry personal data, and headers are never read.
func (t *logTransport) observeAttempt(ctx context.Context, info attemptInfo) {
	level := slog.LevelDebug
	if info.err != nil || info.resp == nil || info.resp.StatusCode >= 400 || info.reason != "" {
		level = slog.LevelWarn
	}
	if !t.log.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 12)
	attrs = append(attrs,
		slog.String("method", info.method),
		slog.String("path", info.path),
		slog.Int("attempt", info.attempt),
		slog.Duration("duration", info.duration),
	)
	if info.resp != nil {
		attrs = append(attrs, slog.Int("status", info.resp.StatusCode))
		if tt := info.resp.Header.Get(headerTraceToken); tt != "" {
			attrs = append(attrs, slog.String("trace_token", tt))
		}
	}
	if info.err != nil {
		attrs = append(attrs, slog.String("error", info.err.Error()))
	}
	if info.rate.Limit > 0 {
		attrs = append(attrs, slog.Int("rate_remaining", info.rate.Remaining))
	}
	if info.rate.BurstLimit > 0 {
		attrs = append(attrs, slog.Int("burst_remaining", info.rate.BurstRemaining))
	}
	if info.paced > 0 {
		attrs = append(attrs, slog.Duration("paced", info.paced))
	}
	if info.reason != "" {
		attrs = append(attrs, slog.String("failure", info.reason))
	}
	switch {
	case info.retrying:
		attrs = append(attrs, slog.Duration("retry_in", info.retryIn))
	case info.notRetried != "":
		attrs = append(attrs, slog.String("not_retried", info.notRetried))
	}
	t.log.LogAttrs(ctx, level, "docusign: http attempt", attrs...)
}

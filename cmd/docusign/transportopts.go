package main

import (
	"log/slog"

	"github.com/dsgo/docusign/client"
)

// transportOptions maps the proxy, TLS and logging settings to client
// options.
func transportOptions(e *env, s *settings) []client.Option {
	var opts []client.Option
	if v := s.proxy.value; v != "" {
		opts = append(opts, client.WithProxy(v))
	}
	if s.insecure.on() {
		opts = append(opts, client.WithInsecureSkipVerify())
	}
	if e.isTerminal && e.waits == nil {
		e.waits = &waitCounter{}
	}
	h := &logHandler{
		out:     slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}),
		verbose: s.verbose,
		waits:   e.waits,
	}
	opts = append(opts, client.WithLogger(slog.New(h)))
	return opts
}

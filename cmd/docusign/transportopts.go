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
	if s.insecure.value == "true" {
		opts = append(opts, client.WithInsecureSkipVerify())
	}
	level := slog.LevelWarn
	if s.verbose {
		level = slog.LevelDebug
	}
	opts = append(opts, client.WithLogger(slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))))
	return opts
}

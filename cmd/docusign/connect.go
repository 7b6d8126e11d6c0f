package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/connect"
	"github.com/dsgo/docusign/gen/esignature/connectconfig"
)

// The help of each connect subcommand; 'docusign connect --help' shows both.
const (
	connectListenHelp = `
docusign connect listen --secret-env NAME[,NAME] [--addr HOST:PORT] [--out FILE]
  serves a DocuSign Connect listener: each delivery is verified (HMAC-SHA256
  of the raw body under any of the keys held by the named variables, so a
  key rotation keeps working; optional Basic auth), decoded, and written as
  one NDJSON line before DocuSign gets its 200; retried deliveries of an
  event already written are acknowledged without writing it again.
  Refusals are logged on stderr, never with a key. Stops on interrupt.`
	connectFailuresHelp = `
docusign connect failures [--from AGE|TIME] [--to TIME]
  lists the account's failed Connect deliveries (the Connect failure log)
  as NDJSON.`
)

func init() {
	register(command{"connect", "Connect webhooks: 'connect listen' writes verified events as NDJSON, 'connect failures' lists failed deliveries",
		connectListenHelp + "\n" + connectFailuresHelp + `

Run 'docusign connect listen --help' or 'docusign connect failures --help'
for their flags.`, runConnect})
	subcommandHelp["connect listen"] = connectListenHelp
	subcommandHelp["connect failures"] = connectFailuresHelp
}

// runConnect dispatches the connect subcommands.
func runConnect(ctx context.Context, e *env, args []string) error {
	switch {
	case len(args) > 0 && args[0] == "listen":
		return runConnectListen(ctx, e, args[1:])
	case len(args) > 0 && args[0] == "failures":
		return runConnectFailures(ctx, e, args[1:])
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help"):
		_, err := parseFlags(e, "connect", []string{"--help"}, nil, nil)
		return err
	}
	return usagef("connect needs a subcommand: listen (receive Connect webhooks as NDJSON) or failures (list failed deliveries)")
}

// runConnectListen serves a Connect listener: every verified, new event
// is written as one NDJSON line (the message as DocuSign sent it) before
// DocuSign gets its 200, so a failed write makes DocuSign retry.
func runConnectListen(ctx context.Context, e *env, args []string) error {
	var addr, path, secretEnv, basicEnv, out, keysPath, tlsCert, tlsKey string
	var maxBody int64
	var maxConcurrent int
	var timeout time.Duration
	_, err := parseFlags(e, "connect listen", args, nil, func(fs *flag.FlagSet) {
		fs.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (host:port)")
		fs.StringVar(&path, "path", "/", "URL path of the listener")
		fs.StringVar(&secretEnv, "secret-env", "", "comma-separated names of environment variables holding the Connect HMAC keys (all are accepted, for rotation)")
		fs.StringVar(&basicEnv, "basic-auth-env", "", "USER_VAR,PASSWORD_VAR: variables holding the configuration's Basic auth credentials (optional)")
		fs.StringVar(&out, "out", "", "append events to this file (synced before each answer) instead of stdout")
		fs.StringVar(&keysPath, "keys", "", "file recording the events written (their DedupKey), so a restarted listener still recognises redeliveries (default: the --out file + .keys; none for stdout)")
		fs.Int64Var(&maxBody, "max-body", connect.DefaultMaxBodyBytes, "largest accepted body in bytes")
		fs.IntVar(&maxConcurrent, "max-concurrent", connect.DefaultMaxConcurrent, "most deliveries read and handled at once (their bodies are in memory); more are answered 503 with Retry-After and DocuSign retries them")
		fs.DurationVar(&timeout, "timeout", 10*time.Second, "longest time to write one event before answering 503")
		fs.StringVar(&tlsCert, "tls-cert", "", "serve HTTPS with this certificate chain (PEM; DocuSign publishes only to https URLs, so without it put a TLS proxy in front)")
		fs.StringVar(&tlsKey, "tls-key", "", "the private key (PEM) of --tls-cert")
	})
	if err != nil {
		return err
	}
	var bad problems
	opts := []connect.Option{connect.WithMaxBodyBytes(maxBody), connect.WithTimeout(timeout),
		connect.WithLogger(slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))}
	if maxConcurrent < 1 {
		bad.addf("--max-concurrent %d: use a positive number of deliveries", maxConcurrent)
	} else {
		opts = append(opts, connect.WithMaxConcurrent(maxConcurrent))
	}
	keys, err := secretsFrom(e, "--secret-env", secretEnv)
	switch {
	case err != nil:
		bad = append(bad, err)
	case len(keys) == 0:
		bad.addf("--secret-env: name the variable(s) holding the Connect HMAC keys, e.g. --secret-env CONNECT_KEY_1,CONNECT_KEY_2")
	default:
		opts = append(opts, connect.WithHMACKeys(keys...))
	}
	if basicEnv != "" {
		cred, err := secretsFrom(e, "--basic-auth-env", basicEnv)
		if err == nil && len(cred) != 2 {
			err = errors.New("--basic-auth-env: give two variables, USER_VAR,PASSWORD_VAR")
		}
		if err != nil {
			bad = append(bad, err)
		} else {
			opts = append(opts, connect.WithBasicAuth(cred[0], cred[1]))
		}
	}
	if !strings.HasPrefix(path, "/") {
		bad.addf("--path %q: must start with /", path)
	}
	var tlsConfig *tls.Config
	if (tlsCert == "") != (tlsKey == "") {
		bad.addf("--tls-cert and --tls-key go together")
	} else if tlsCert != "" {
		pair, err := tls.LoadX509KeyPair(tlsCert, tlsKey)
		if err != nil {
			bad.addf("--tls-cert/--tls-key: %v", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	if len(bad) > 0 {
		return usageError{errors.Join(bad...)}
	}

	w := e.stdout
	if out != "" {
		f, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		defer f.Close()
		w = syncWriter{f}
	}
	if keysPath == "" && out != "" {
		keysPath = out + ".keys"
	}
	if keysPath != "" {
		store, err := openKeyFile(keysPath)
		if err != nil {
			return err
		}
		defer store.close()
		opts = append(opts, connect.WithStore(store))
	}
	sink := &ndjsonSink{w: w}
	h, err := connect.NewHandler(sink.write, opts...)
	if err != nil {
		return usageError{err}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usagef("--addr %s: %v", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle(path, h)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		// A whole request must arrive within listenReadTimeout: without it a
		// client trickling a body holds its connection (and the bytes read)
		// for as long as it likes, and many such clients exhaust the process.
		ReadTimeout:    listenReadTimeout,
		IdleTimeout:    listenReadTimeout,
		MaxHeaderBytes: 64 << 10,
		TLSConfig:      tlsConfig,
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	fmt.Fprintf(e.stderr, "docusign connect listen: listening on %s://%s%s (%d HMAC key(s))\n", scheme, ln.Addr(), path, len(keys))
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- srv.ServeTLS(ln, "", "")
			return
		}
		errc <- srv.Serve(ln)
	}()
	select {
	case err := <-errc:
		ln.Close()
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.Background(), timeout+time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "docusign connect listen: stopped after %d event(s)\n", sink.count())
	return nil
}

// listenReadTimeout bounds how long 'connect listen' waits for one request
// (headers and body) and keeps an idle connection: DocuSign sends a body of
// the --max-body default within seconds.
var listenReadTimeout = 2 * time.Minute

// secretsFrom reads the variables named in a comma-separated list; an
// unset or empty one is an error naming it (never its value).
func secretsFrom(e *env, flagName, names string) ([]string, error) {
	var vals []string
	var missing []string
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		v := e.getenv(n)
		if v == "" {
			missing = append(missing, n)
			continue
		}
		vals = append(vals, v)
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: variable(s) %s unset or empty", flagName, strings.Join(missing, ", "))
	}
	return vals, nil
}

// ndjsonSink writes each message on one line, compacting DocuSign's
// pretty-printed JSON.
type ndjsonSink struct {
	mu sync.Mutex
	w  io.Writer
	n  int
}

func (s *ndjsonSink) write(_ context.Context, m *connect.Message) error {
	var buf bytes.Buffer
	if err := json.Compact(&buf, m.Raw); err != nil {
		return err
	}
	buf.WriteByte('\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(buf.Bytes()); err != nil {
		return err
	}
	s.n++
	return nil
}

func (s *ndjsonSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// syncWriter makes each line durable before DocuSign is answered.
type syncWriter struct{ f *os.File }

func (w syncWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	if err == nil {
		err = w.f.Sync()
	}
	return n, err
}

// keyFile is a connect.Store that survives restarts: the keys of handled
// events, one per line, appended and synced on Commit and read back at
// start into a bounded in-memory store.
type keyFile struct {
	*connect.MemoryStore
	mu sync.Mutex
	f  *os.File
}

func openKeyFile(path string) (*keyFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	k := &keyFile{MemoryStore: connect.NewMemoryStore(connect.DefaultStoreSize), f: f}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" {
			k.MemoryStore.Commit(context.Background(), line)
		}
	}
	if err := sc.Err(); err != nil {
		f.Close()
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return k, nil
}

// Commit records key durably, then in memory.
func (k *keyFile) Commit(ctx context.Context, key string) error {
	if strings.ContainsAny(key, "\r\n") {
		return fmt.Errorf("key %q spans lines", key)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, err := k.f.WriteString(key + "\n"); err != nil {
		return err
	}
	if err := k.f.Sync(); err != nil {
		return err
	}
	return k.MemoryStore.Commit(ctx, key)
}

func (k *keyFile) close() error { return k.f.Close() }

// runConnectFailures lists the account's failed Connect deliveries (the
// Connect failure log) as NDJSON.
func runConnectFailures(ctx context.Context, e *env, args []string) error {
	var from, to string
	s, err := parse(e, "connect failures", args, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "only failures since this RFC 3339 time or age (e.g. 24h)")
		fs.StringVar(&to, "to", "", "only failures until this RFC 3339 time")
	})
	if err != nil {
		return err
	}
	var params connectconfig.ListEventFailureLogsParams
	var bad problems
	if from != "" {
		t, err := parseSince(from)
		if err != nil {
			bad.addf("--from %v", err)
		}
		v := t.UTC().Format(time.RFC3339)
		params.FromDate = &v
	}
	if to != "" {
		t, err := time.Parse(time.RFC3339Nano, to)
		if err != nil {
			bad.addf("--to %q is not an RFC 3339 time (2024-05-01T00:00:00Z)", to)
		}
		v := t.UTC().Format(time.RFC3339)
		params.ToDate = &v
	}
	c, err := newClient(e, s, need{auth: true}, scopesESign, bad...)
	if err != nil {
		return err
	}
	api, err := client.ESignature(ctx, c, connectconfig.NewClientWithResponses, connectconfig.WithHTTPClient)
	if err != nil {
		return err
	}
	acct, err := c.AccountID(ctx)
	if err != nil {
		return err
	}
	res, err := api.ListEventFailureLogsWithResponse(ctx, acct, &params)
	if err != nil {
		return err
	}
	if res.JSON200 == nil {
		return fmt.Errorf("connect failures: unexpected answer %s", res.Status())
	}
	for _, f := range res.JSON200.Failures {
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(e.stdout, "%s\n", b); err != nil {
			return err
		}
	}
	if e.isTerminal {
		fmt.Fprintf(e.stderr, "connect failures: %d\n", len(res.JSON200.Failures))
	}
	return nil
}

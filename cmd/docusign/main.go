package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/dsgo/docusign/client"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1 // anything else (I/O, network)
	exitUsage = 2 // bad flags or configuration
	exitAuth  = 3 // OAuth: consent required, invalid grant, bad key, ...
	exitAPI   = 4 // a DocuSign API answered with an error
)

// env is what a command runs with; tests replace every part.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	isTerminal     bool // stderr is a terminal: show progress
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, e *env, args []string) error
}

var commands []command

func init() {
	commands = []command{
		{"consent-url", "print the consent URL for the scopes the commands need", runConsentURL},
		{"token", "obtain a token and print its expiry (--show prints the token)", runToken},
		{"reset-token", "drop the cached token", runResetToken},
		{"whoami", "show the user, the accounts and the eSignature base URI in use", runWhoami},
		{"events", "Monitor events as NDJSON, resumable with --checkpoint", runEvents},
		{"users", "Admin organization users as NDJSON or a table, resumable", runUsers},
		{"esign-users", "an eSignature account's users as NDJSON", runESignUsers},
		{"golive", "count consecutive successful eSignature calls against Go-Live's 20", runGoLive},
		{"demo", "run the whole flow against the embedded fake DocuSign", runDemo},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTerminal: isTerminal(os.Stderr)}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(e.stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return report(e, c.name, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(e.stderr, "docusign: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: docusign COMMAND [flags]\n\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'docusign COMMAND -h' for a command's flags; every setting also reads a DOCUSIGN_* variable.")
}

// usageError marks errors in flags or configuration.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// report prints err with what to do about it and returns the exit code.
func report(e *env, name string, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	var ue usageError
	var ae *client.AuthError
	var api *client.APIError
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "docusign %s: configuration:\n  %s\n", name, strings.ReplaceAll(err.Error(), "\n", "\n  "))
		return exitUsage
	case errors.As(err, &ae):
		fmt.Fprintf(e.stderr, "docusign %s: authentication failed: %v\n", name, err)
		if hint := authHint(ae); hint != "" {
			fmt.Fprintf(e.stderr, "  what to do: %s\n", hint)
		}
		return exitAuth
	case errors.As(err, &api):
		fmt.Fprintf(e.stderr, "docusign %s: DocuSign API error: %v\n", name, err)
		if hint := apiHint(api); hint != "" {
			fmt.Fprintf(e.stderr, "  what to do: %s\n", hint)
		}
		return exitAPI
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stderr, "docusign %s: interrupted\n", name)
		return exitError
	default:
		fmt.Fprintf(e.stderr, "docusign %s: %v\n", name, err)
		return exitError
	}
}

func authHint(ae *client.AuthError) string {
	switch {
	case errors.Is(ae, client.ErrConsentRequired):
		if ae.ConsentURL != "" {
			return "open " + ae.ConsentURL + " as the user, grant consent, then retry"
		}
		return "grant consent: run 'docusign consent-url' (needs --redirect-uri), open the URL as the user, then retry"
	case errors.Is(ae, client.ErrInvalidKey):
		return "the private key does not match an RSA key pair of this integration key in this environment (keys are configured separately for production)"
	case errors.Is(ae, client.ErrUnknownIssuer):
		return "the integration key is unknown in this environment: check --integration-key and --env (production needs a promoted key after Go-Live)"
	case errors.Is(ae, client.ErrUserNotFound):
		return "the user ID is unknown in this environment: check --user-id and --env"
	case errors.Is(ae, client.ErrInvalidGrant):
		return "check the user ID, the clock of this machine, and that the key belongs to this integration"
	}
	return ""
}

func apiHint(api *client.APIError) string {
	switch {
	case errors.Is(api, client.ErrThrottled):
		return "the rate limit was reached; wait for the reset time shown, or lower the request rate"
	case errors.Is(api, client.ErrUnauthorized):
		return "the token was refused: run 'docusign reset-token' and retry; check the scopes granted"
	case errors.Is(api, client.ErrNotFound):
		return "check the account, organization or object ID"
	}
	return ""
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

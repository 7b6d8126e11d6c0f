package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
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
	isTerminal     bool         // stderr is a terminal: show progress
	waits          *waitCounter // rate-limit waits, for the progress line (set by transportOptions on a terminal)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, isTerminal: isTerminal(os.Stderr)}
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(e.stdout)
		return exitOK
	case "help":
		if len(args) == 1 {
			usage(e.stdout)
			return exitOK
		}
		// 'docusign help CMD' is 'docusign CMD --help'.
		args = []string{args[1], "--help"}
	case "-version", "--version":
		args = []string{"version"}
	}
	if c := lookup(args[0]); c != nil {
		return report(e, c.name, c.run(ctx, e, args[1:]))
	}
	fmt.Fprintf(e.stderr, "docusign: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: docusign COMMAND [flags]\n\ncommands:")
	for _, c := range commandList() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'docusign COMMAND --help' for what a command does and its flags; every\nglobal flag can also be set with its DOCUSIGN_* variable (the flag wins).")
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
	var anf *client.AccountNotFoundError
	switch {
	case errors.Is(err, client.ErrLoginRequired):
		fmt.Fprintf(e.stderr, "docusign %s: %s\n  what to do: run 'docusign login' (with the same --env and integration key)\n", name, message(err))
		return exitAuth
	case errors.As(err, &ue):
		fmt.Fprintf(e.stderr, "docusign %s: configuration:\n  %s\n", name, strings.ReplaceAll(message(err), "\n", "\n  "))
		return exitUsage
	case errors.As(err, &anf):
		// Found only once the user's accounts are known, but still a
		// configuration problem.
		fmt.Fprintf(e.stderr, "docusign %s: configuration:\n  %s: %s\n", name, settingName("account-id", "DOCUSIGN_ACCOUNT_ID"), message(err))
		return exitUsage
	case errors.As(err, &ae):
		fmt.Fprintf(e.stderr, "docusign %s: authentication failed: %s\n", name, message(err))
		if hint := authHint(ae); hint != "" {
			fmt.Fprintf(e.stderr, "  what to do: %s\n", hint)
		}
		return exitAuth
	case errors.As(err, &api):
		fmt.Fprintf(e.stderr, "docusign %s: DocuSign API error: %s\n", name, message(err))
		if hint := apiHint(api); hint != "" {
			fmt.Fprintf(e.stderr, "  what to do: %s\n", hint)
		}
		return exitAPI
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stderr, "docusign %s: interrupted\n", name)
		return exitError
	default:
		fmt.Fprintf(e.stderr, "docusign %s: %s\n", name, message(err))
		return exitError
	}
}

// message is err's text for the operator: the library's "docusign: "
// prefixes dropped (every line already starts with "docusign CMD:"), the
// net/http wrapper that repeats the request URL removed (the library
// names the method and path itself), and the options of configuration
// errors (*client.OptionError) named by the flags and variables that set
// them (optionMessage).
func message(err error) string {
	msg := optionMessage(err)
	for e := err; ; {
		var ue *url.Error
		if !errors.As(e, &ue) {
			break
		}
		msg = strings.Replace(msg, ue.Error(), ue.Err.Error(), 1)
		e = ue.Err
	}
	return strings.ReplaceAll(msg, "docusign: ", "")
}

func authHint(ae *client.AuthError) string {
	code := ae.Grant == client.GrantTypeAuthorizationCode || ae.Grant == client.GrantTypeRefreshToken
	switch {
	case code && ae.Code == "invalid_client":
		return "the integration key or DOCUSIGN_CLIENT_SECRET was refused: set the secret key of a confidential app, or unset it for a public (PKCE) app"
	case code:
		return "run 'docusign login' again"
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

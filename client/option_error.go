package client

import (
	"fmt"
	"strings"
)

// OptionError reports a configuration problem: an Option given to New, or a
// field of a pager's options (MonitorEventsOptions, OrgUsersOptions, ...),
// of an Environment or of a configuration struct (JWTConfig, AuthCodeConfig,
// ConsentParams, LoginOptions), that is missing, malformed or in conflict
// with another.
// Every such problem the package reports is, or wraps, an *OptionError, so a
// caller can tell which option is wrong without reading the text:
//
//	var oe *client.OptionError
//	if errors.As(err, &oe) && oe.Option == "WithUserID" { ... }
//
// New and the pagers report all problems at once, joined with errors.Join:
// errors.As finds the first; OptionErrors lists them all. The text never
// holds the value of a key, secret or token.
type OptionError struct {
	// Option is the option or field as the library names it:
	// "WithUserID", "MonitorEventsOptions.Limit", "Environment.OAuthURL",
	// or "New" for a nil Option. A problem that involves other options
	// (a conflict, alternatives) names them in Err's text.
	Option string
	// Err is the problem and its fix. It may be, or wrap, a typed error
	// (a *KeyError, a *CheckpointError matching ErrInvalidCheckpoint, or
	// further *OptionErrors for the fields of an Environment) that
	// errors.Is and errors.As find through the OptionError.
	Err error

	sep string // between Option and Err in the text; "" means ": "
}

// Error returns "docusign: ", Option, then Err's text: each line of the text
// begins with "docusign: " and Option (a multi-line Err gets the prefix on
// every line), so a program that gives options names of its own (a CLI's
// flags) can show the message under its name by replacing that prefix.
func (e *OptionError) Error() string {
	msg := "invalid"
	if e.Err != nil {
		msg = e.Err.Error()
	}
	sep := e.sep
	if sep == "" {
		sep = ": "
	}
	var b strings.Builder
	for i, line := range strings.Split(msg, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("docusign: " + e.Option + sep + strings.TrimPrefix(line, "docusign: "))
	}
	return b.String()
}

// Unwrap returns Err.
func (e *OptionError) Unwrap() error { return e.Err }

// OptionErrors returns every *OptionError in err's tree, in order: err
// itself, or the errors it wraps (fmt.Errorf's %w, errors.Join, any
// Unwrap() error or Unwrap() []error), depth first. It does not look inside
// an *OptionError it returns: OptionErrors(oe.Err) lists the problems below
// one (the fields of a bad WithEnvironment, say). It returns nil when there
// is none.
func OptionErrors(err error) []*OptionError {
	var out []*OptionError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *OptionError:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// optErr is the *OptionError for option with the problem and fix given by
// format (fmt.Errorf: %w wraps).
func optErr(option, format string, args ...any) *OptionError {
	return &OptionError{Option: option, Err: fmt.Errorf(format, args...)}
}

// fieldErr is optErr for a problem whose text continues the sentence the
// field's name starts: "Limit 5000 is out of range", not "Limit: ...".
func fieldErr(option, format string, args ...any) *OptionError {
	e := optErr(option, format, args...)
	e.sep = " "
	return e
}

// wrapOpt attributes err (e.g. a *KeyError) to option.
func wrapOpt(option string, err error) *OptionError {
	return &OptionError{Option: option, Err: err}
}

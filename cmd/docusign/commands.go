package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/gen/esignature/accounts"
)

// Scopes each kind of command needs.
var (
	scopesESign = []string{client.ScopeSignature, client.ScopeImpersonation}
	scopesAdmin = []string{client.ScopeSignature, client.ScopeImpersonation, client.ScopeOrganizationRead, client.ScopeUserRead}
)

func init() {
	register(
		command{"consent-url", "print the consent URL for the scopes the commands need", `
Prints the URL the impersonated user opens once to grant this integration
consent for the scopes of the commands named by --for. Needs the
integration key and a redirect URI registered for it.`, runConsentURL},
		command{"token", "obtain a token and print its expiry (--show prints the token)", `
Obtains an access token with the JWT grant, or renews the login's with
--auth code (from the token cache when a valid one is there), and prints
when it expires. --show also prints the
token itself, a secret.`, runToken},
		command{"reset-token", "drop the cached token", `
Drops the cached token of this integration key, user and environment, so
that the next command requests a new one (after a key rotation, or a
change of consent).`, runResetToken},
		command{"whoami", "show the user, the accounts and the eSignature base URI in use", `
Shows the impersonated user, every account the user has (the one in use
is marked *) and the eSignature base URI the commands call.`, runWhoami},
		command{"events", "Monitor events as NDJSON, resumable with --checkpoint", `
Writes Monitor events to stdout as NDJSON, one event per line, byte for
byte as DocuSign sent it. With --checkpoint FILE a run resumes where the
last one stopped, with nothing lost or repeated; --follow keeps polling for
new events until interrupted. On a terminal, stderr shows progress.`, runEvents},
		command{"users", "Admin organization users as NDJSON or a table, resumable", `
Lists the organization's users (Admin API) that are members of the
account in use (--account-id), as NDJSON or, with --table, a table.
Resumable with --checkpoint FILE. Needs --org-id.`, runUsers},
		command{"esign-users", "an eSignature account's users as NDJSON", `
Lists the users of the eSignature account in use as NDJSON, resumable with
--checkpoint FILE.`, runESignUsers},
		command{"golive", "count consecutive successful eSignature calls against Go-Live's 20", `
Makes read-only eSignature calls in the developer environment and reports
the count of consecutive successful calls that Go-Live review requires.`, runGoLive},
	)
}

// parse parses a command's own flags (defined by define, which may be nil)
// and the shared settings, filling unset settings from the environment.
func parse(e *env, name string, args []string, define func(fs *flag.FlagSet)) (*settings, error) {
	var s *settings
	if _, err := parseFlags(e, name, args, func(fs *flag.FlagSet) { s = newSettings(fs) }, define); err != nil {
		return nil, err
	}
	s.resolve(e.getenv)
	return s, nil
}

// problems collects configuration problems so that a command reports all
// of them at once, together with those of the shared settings.
type problems []error

func (p *problems) addf(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// setup parses a command's flags and builds its Client.
func setup(e *env, name string, args []string, n need, scopes []string, define func(fs *flag.FlagSet)) (*client.Client, error) {
	s, err := parse(e, name, args, define)
	if err != nil {
		return nil, err
	}
	return newClient(e, s, n, scopes)
}

// newClient validates the settings a command needs and builds the Client;
// the problems a command found in its own flags are reported with those of
// the settings.
func newClient(e *env, s *settings, n need, scopes []string, found ...error) (*client.Client, error) {
	if err := errors.Join(append(found, s.validate(n))...); err != nil {
		return nil, usageError{err}
	}
	environment, _ := s.environment()
	code := n.auth && s.codeGrant(n)
	if code {
		scopes = scopesCode // one login serves every command
	}
	opts := []client.Option{
		client.WithEnvironment(environment),
		client.WithIntegrationKey(s.integrationKey.value),
		client.WithScopes(scopes...),
	}
	if code {
		opts = append(opts, s.codeGrantOptions()...)
	} else if n.auth {
		opts = append(opts, client.WithUserID(s.userID.value))
		if s.privateKey.value != "" {
			opts = append(opts, client.WithPrivateKey([]byte(s.privateKey.value)))
		} else {
			opts = append(opts, client.WithPrivateKeyFile(s.privateKeyFile.value))
		}
	}
	if v := s.accountID.value; v != "" {
		opts = append(opts, client.WithAccountID(v))
	}
	if v := s.orgID.value; v != "" {
		opts = append(opts, client.WithOrganizationID(v))
	}
	if v := s.redirectURI.value; v != "" {
		opts = append(opts, client.WithRedirectURI(v))
	}
	switch dir := s.tokenCache.value; dir {
	case "off":
	case "":
		dir, err := client.DefaultTokenCacheDir()
		if err != nil {
			fmt.Fprintf(e.stderr, "warning: %v; tokens are not cached between runs (set %s)\n", err, s.tokenCache.name())
			break
		}
		opts = append(opts, client.WithTokenCacheDir(dir))
	default:
		opts = append(opts, client.WithTokenCacheDir(dir))
	}
	opts = append(opts, transportOptions(e, s)...)
	c, err := client.New(opts...)
	if err != nil {
		return nil, usageError{err}
	}
	return c, nil
}

func runConsentURL(ctx context.Context, e *env, args []string) error {
	var state, forCmds string
	s, err := parse(e, "consent-url", args, func(fs *flag.FlagSet) {
		fs.StringVar(&state, "state", "", "opaque state echoed back to the redirect URI")
		fs.StringVar(&forCmds, "for", "events,users,esign-users,golive", "commands the consent must cover")
	})
	if err != nil {
		return err
	}
	scopes := scopesESign
	for _, c := range strings.Split(forCmds, ",") {
		switch strings.TrimSpace(c) {
		case "users":
			scopes = scopesAdmin
		case "events", "esign-users", "golive", "whoami", "token", "":
		default:
			return usagef("--for: unknown command %q", c)
		}
	}
	if err := s.validate(need{redirect: true}); err != nil {
		return usageError{err}
	}
	environment, _ := s.environment()
	u, err := client.ConsentURL(client.ConsentParams{
		Environment: environment, IntegrationKey: s.integrationKey.value,
		RedirectURI: s.redirectURI.value, Scopes: scopes, State: state,
	})
	if err != nil {
		return usageError{err}
	}
	fmt.Fprintln(e.stdout, u)
	return nil
}

func runToken(ctx context.Context, e *env, args []string) error {
	var show bool
	c, err := setup(e, "token", args, need{auth: true}, scopesESign, func(fs *flag.FlagSet) {
		fs.BoolVar(&show, "show", false, "print the access token itself (a secret)")
	})
	if err != nil {
		return err
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "token valid until %s (%s from now)\n", tok.Expiry.UTC().Format(time.RFC3339), time.Until(tok.Expiry).Round(time.Second))
	if show {
		fmt.Fprintln(e.stdout, tok.AccessToken)
	}
	return nil
}

func runResetToken(ctx context.Context, e *env, args []string) error {
	c, err := setup(e, "reset-token", args, need{auth: true}, scopesESign, nil)
	if err != nil {
		return err
	}
	if err := c.ResetToken(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, "cached token dropped; the next command requests a new one")
	return nil
}

func runWhoami(ctx context.Context, e *env, args []string) error {
	c, err := setup(e, "whoami", args, need{auth: true}, scopesESign, nil)
	if err != nil {
		return err
	}
	ui, err := c.UserInfo(ctx)
	if err != nil {
		return err
	}
	acct, err := c.Account(ctx)
	if err != nil {
		return err
	}
	base, err := c.ESignatureURL(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "user:        %s <%s> (%s)\nenvironment: %s\n", ui.Name, ui.Email, ui.Sub, c.Environment().Name)
	tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tACCOUNT ID\tNAME\tBASE URI\tDEFAULT")
	for _, a := range ui.Accounts {
		mark := " "
		if a.AccountID == acct.AccountID {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%v\n", mark, a.AccountID, a.AccountName, a.BaseURI, a.IsDefault)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "eSignature calls go to %s (account %s)\n", base, acct.AccountID)
	return nil
}

// checkpointFile reads and writes a checkpoint atomically.
type checkpointFile string

// checkpointFlag is the --checkpoint flag of the resumable commands.
func checkpointFlag(fs *flag.FlagSet, path *string) {
	fs.StringVar(path, "checkpoint", "", "checkpoint `FILE`: read at start when present, written after each page")
}

// openCheckpoint loads the checkpoint at path, if any, and checks that
// the file can be written, before the command prints anything: a run that
// could not save its position would be lost on the first page. Problems
// are added to bad, naming the flag and the path.
func openCheckpoint(bad *problems, path string) (checkpointFile, client.Checkpoint, bool) {
	f := checkpointFile(path)
	cp, found, err := f.load()
	if err == nil && path != "" {
		err = checkWritable(path)
	}
	if err != nil {
		bad.addf("--checkpoint %s: %v", path, err)
	}
	return f, cp, found
}

// checkWritable checks that path can be replaced the way writeFileAtomic
// does: a temporary file can be created beside it, and path is not a
// directory.
func checkWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return errors.New("is a directory: give a file path")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return fmt.Errorf("cannot write in %s: %v", filepath.Dir(path), err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

func (f checkpointFile) load() (client.Checkpoint, bool, error) {
	var cp client.Checkpoint
	if f == "" {
		return cp, false, nil
	}
	b, err := os.ReadFile(string(f))
	if errors.Is(err, os.ErrNotExist) {
		return cp, false, nil
	}
	if err != nil {
		return cp, false, err
	}
	if err := cp.UnmarshalText([]byte(strings.TrimSpace(string(b)))); err != nil {
		return cp, false, fmt.Errorf("%v (delete the file to start over)", err)
	}
	return cp, true, nil
}

func (f checkpointFile) save(cp client.Checkpoint) error {
	if f == "" {
		return nil
	}
	if err := writeFileAtomic(string(f), []byte(cp.String()+"\n")); err != nil {
		return fmt.Errorf("saving the checkpoint %s: %w", f, err)
	}
	return nil
}

// writeFileAtomic replaces path with data so that a reader (or a killed
// writer) sees the old or the new content, never a mix.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// sink receives records: NDJSON lines or table rows, buffered until flush.
type sink[T any] struct {
	emit  func(*T) error
	flush func() error
}

// ndjson writes each record's raw JSON on its own line.
func ndjson[T any](w io.Writer, raw func(*T) []byte) sink[T] {
	bw := bufio.NewWriterSize(w, 256<<10)
	return sink[T]{
		emit: func(r *T) error {
			if _, err := bw.Write(raw(r)); err != nil {
				return err
			}
			return bw.WriteByte('\n')
		},
		flush: bw.Flush,
	}
}

// pageLoop drains a pager: each page's records are written and flushed,
// then the checkpoint is saved, never the other way round, so a run that
// dies at any point resumes from the last saved position with nothing
// lost. --max, and an interrupt (ctx done) in the middle of a page, stop
// after the record being written, with an exact mid-page checkpoint. The
// pager reads the next page ahead while a page is written.
func pageLoop[T any](ctx context.Context, p *client.Pager[T], out sink[T], cpf checkpointFile, max int, progress func(n int)) (int, error) {
	n := 0
	for page, err := range p.Pages(ctx) {
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return n, nil // a followed stream ends with the context
			}
			return n, err
		}
		for i := range page.Items {
			if err := out.emit(&page.Items[i]); err != nil {
				return n, err
			}
			if n++; (max > 0 && n >= max) || (ctx.Err() != nil && i+1 < len(page.Items)) {
				if err := out.flush(); err != nil {
					return n, err
				}
				return n, cpf.save(page.Checkpoint(i + 1))
			}
		}
		if err := out.flush(); err != nil {
			return n, err
		}
		if err := cpf.save(p.Checkpoint()); err != nil {
			return n, err
		}
		if progress != nil {
			progress(n)
		}
	}
	return n, nil
}

func runEvents(ctx context.Context, e *env, args []string) error {
	var since, cursor, cpPath, interval string
	var limit, max int
	var follow bool
	s, err := parse(e, "events", args, func(fs *flag.FlagSet) {
		fs.StringVar(&since, "since", "", "start at this `TIME`: RFC 3339 (2024-05-01T00:00:00Z) or an age (24h)")
		fs.StringVar(&cursor, "cursor", "", "start at an endCursor from an earlier run")
		checkpointFlag(fs, &cpPath)
		fs.IntVar(&limit, "limit", client.DefaultMonitorLimit, "events per request, 1 to 2000")
		fs.BoolVar(&follow, "follow", false, "keep polling for new events until interrupted")
		fs.StringVar(&interval, "interval", "60s", "poll interval with --follow")
		fs.IntVar(&max, "max", 0, "stop after this many events (0: no limit)")
	})
	if err != nil {
		return err
	}
	var bad problems
	opts := client.MonitorEventsOptions{Cursor: cursor, Limit: limit, Follow: follow}
	if limit < 1 || limit > 2000 {
		bad.addf("--limit %d: want 1 to 2000", limit)
	}
	if follow {
		if opts.PollInterval, err = durationOr(interval, client.DefaultPollInterval); err != nil || opts.PollInterval <= 0 {
			bad.addf("--interval %q: want a positive duration such as 60s", interval)
		}
	}
	if since != "" {
		if opts.Since, err = parseSince(since); err != nil {
			bad.addf("--since: %v", err)
		}
	}
	if since != "" && cursor != "" {
		bad.addf("--since and --cursor: give at most one start")
	}
	if max < 0 {
		bad.addf("--max %d: want 0 (no limit) or a positive count", max)
	}
	cpf, cp, found := openCheckpoint(&bad, cpPath)
	c, err := newClient(e, s, need{auth: true}, scopesESign, bad...)
	if err != nil {
		return err
	}
	if found {
		if opts.Cursor != "" || !opts.Since.IsZero() {
			fmt.Fprintf(e.stderr, "events: resuming from %s; --since/--cursor apply only when it does not exist\n", cpPath)
		}
		opts.Cursor, opts.Since, opts.Checkpoint = "", time.Time{}, cp
	}
	p, err := c.MonitorEventsPager(opts)
	if err != nil {
		return usageError{err}
	}
	prog := newProgress(e, c, "events")
	n, err := pageLoop(ctx, p, ndjson(e.stdout, func(ev *client.Event) []byte { return ev.Raw }), cpf, max, prog.page)
	prog.done(n)
	return err
}

// parseSince accepts an RFC 3339 time or an age such as 24h.
func parseSince(v string) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("%q: an age must be positive", v)
		}
		return time.Now().Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2024-05-01T00:00:00Z) nor an age (24h)", v)
	}
	return t, nil
}

func runUsers(ctx context.Context, e *env, args []string) error {
	var modified, status, email, cpPath string
	var max int
	var table bool
	s, err := parse(e, "users", args, func(fs *flag.FlagSet) {
		fs.StringVar(&modified, "modified-since", "", "only users modified since this `TIME`: RFC 3339 or an age (24h)")
		fs.StringVar(&status, "status", "", "only users with this `STATUS` (active, created, closed)")
		fs.StringVar(&email, "email", "", "only the user with this `EMAIL`")
		checkpointFlag(fs, &cpPath)
		fs.IntVar(&max, "max", 0, "stop after this many users (0: no limit)")
		fs.BoolVar(&table, "table", false, "print a table instead of NDJSON")
	})
	if err != nil {
		return err
	}
	var bad problems
	// The account filter is the account in use: --account-id, else the
	// user's default account.
	opts := client.OrgUsersOptions{Status: status, Email: email}
	if modified != "" {
		if opts.LastModifiedSince, err = parseSince(modified); err != nil {
			bad.addf("--modified-since: %v", err)
		}
	}
	if max < 0 {
		bad.addf("--max %d: want 0 (no limit) or a positive count", max)
	}
	var cpf checkpointFile
	cpf, opts.Checkpoint, _ = openCheckpoint(&bad, cpPath)
	c, err := newClient(e, s, need{auth: true, org: true}, scopesAdmin, bad...)
	if err != nil {
		return err
	}
	p, err := c.OrgUsersPager(opts)
	if err != nil {
		return usageError{err}
	}
	out := ndjson(e.stdout, func(u *client.OrgUser) []byte { return u.Raw })
	if table {
		tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tSTATUS\tMEMBERSHIP")
		out = sink[client.OrgUser]{
			emit: func(u *client.OrgUser) error {
				_, err := fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\t%s\n", u.ID, u.Email, u.FirstName, u.LastName, u.UserStatus, u.MembershipStatus)
				return err
			},
			flush: tw.Flush,
		}
	}
	prog := newProgress(e, c, "users")
	n, err := pageLoop(ctx, p, out, cpf, max, prog.page)
	prog.done(n)
	return err
}

func runESignUsers(ctx context.Context, e *env, args []string) error {
	var cpPath string
	var max int
	s, err := parse(e, "esign-users", args, func(fs *flag.FlagSet) {
		checkpointFlag(fs, &cpPath)
		fs.IntVar(&max, "max", 0, "stop after this many users (0: no limit)")
	})
	if err != nil {
		return err
	}
	var bad problems
	if max < 0 {
		bad.addf("--max %d: want 0 (no limit) or a positive count", max)
	}
	var opts client.AccountUsersOptions
	cpf, cp, _ := openCheckpoint(&bad, cpPath)
	opts.Checkpoint = cp
	c, err := newClient(e, s, need{auth: true}, scopesESign, bad...)
	if err != nil {
		return err
	}
	p, err := c.AccountUsersPager(opts)
	if err != nil {
		return usageError{err}
	}
	prog := newProgress(e, c, "esign-users")
	n, err := pageLoop(ctx, p, ndjson(e.stdout, func(u *client.ESignatureUser) []byte { return u.Raw }), cpf, max, prog.page)
	prog.done(n)
	return err
}

func runGoLive(ctx context.Context, e *env, args []string) error {
	var calls int
	s, err := parse(e, "golive", args, func(fs *flag.FlagSet) {
		fs.IntVar(&calls, "calls", client.GoLiveRequired, "read-only eSignature calls to make")
	})
	if err != nil {
		return err
	}
	var bad problems
	if calls < 1 {
		bad.addf("--calls %d: want at least 1", calls)
	}
	if env, err := s.environment(); err == nil && !env.Sandbox {
		bad.addf("%s %s: Go-Live counts calls in the developer environment; run golive with --env developer", s.env.name(), env.Name)
	}
	c, err := newClient(e, s, need{auth: true}, scopesESign, bad...)
	if err != nil {
		return err
	}
	status, err := goLiveCalls(ctx, c, calls)
	fmt.Fprintln(e.stdout, status) // GoLiveStatus.String starts with "Go-Live:"
	if err != nil {
		return err
	}
	if !status.Ready {
		fmt.Fprintf(e.stdout, "not ready: %d more consecutive successful eSignature calls needed\n", status.Required-status.Count)
	} else {
		fmt.Fprintln(e.stdout, "ready: start the Go-Live review in the developer console")
	}
	return nil
}

// goLiveCalls makes read-only eSignature calls (account information)
// through c until n calls are made or one fails.
func goLiveCalls(ctx context.Context, c *client.Client, n int) (client.GoLiveStatus, error) {
	acct, err := c.AccountID(ctx)
	if err != nil {
		return c.GoLive().Status(), err
	}
	api, err := client.ESignature(ctx, c, accounts.NewClientWithResponses, accounts.WithHTTPClient)
	if err != nil {
		return c.GoLive().Status(), err
	}
	for i := 0; i < n; i++ {
		if _, err := api.GetAccountInformationWithResponse(ctx, acct, nil); err != nil {
			return c.GoLive().Status(), err
		}
	}
	return c.GoLive().Status(), nil
}

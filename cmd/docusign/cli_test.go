package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/dsgo/docusign/api"
	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// runWith runs one command line with the given variables and terminal
// state, returning the exit code, stdout and stderr.
func runWith(vars map[string]string, terminal bool, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: func(k string) string { return vars[k] }, isTerminal: terminal}
	code := run(context.Background(), e, args)
	return code, out.String(), errOut.String()
}

// helpSections splits a command's help into its own and its global flag
// names.
func helpSections(t *testing.T, help string) (own, global []string) {
	t.Helper()
	ownPart, globalPart, _ := strings.Cut(help, "\nglobal flags")
	collect := func(part string) []string {
		var names []string
		for _, l := range strings.Split(part, "\n") {
			if strings.HasPrefix(l, "  -") {
				names = append(names, strings.TrimLeft(strings.Fields(l)[0], "-"))
			}
		}
		return names
	}
	return collect(ownPart), collect(globalPart)
}

func TestHelpGoesToStdoutAndExitsZero(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		code, out, errOut := runWith(nil, false, args...)
		if code != exitOK || !strings.Contains(out, "usage: docusign COMMAND") || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	code, _, errOut := runWith(nil, false)
	if code != exitUsage || !strings.Contains(errOut, "usage:") {
		t.Errorf("no arguments: exit %d, stderr %q; want the usage on stderr and exit 2", code, errOut)
	}
}

func TestACommandWithSubcommandsSaysSoInItsUsageLine(t *testing.T) {
	_, out, _ := runWith(nil, false, "connect", "--help")
	if !strings.HasPrefix(out, "usage: docusign connect SUBCOMMAND [flags]") {
		t.Errorf("connect --help starts %q", strings.SplitN(out, "\n", 2)[0])
	}
	_, out, _ = runWith(nil, false, "connect", "listen", "--help")
	if !strings.HasPrefix(out, "usage: docusign connect listen [flags]") {
		t.Errorf("connect listen --help starts %q", strings.SplitN(out, "\n", 2)[0])
	}
}

func TestEachCommandsHelpHasItsDescriptionAndItsOwnFlagsApartFromTheGlobalOnes(t *testing.T) {
	for _, c := range commandList() {
		for _, args := range [][]string{{c.name, "--help"}, {c.name, "-h"}, {"help", c.name}} {
			code, out, errOut := runWith(nil, false, args...)
			if code != exitOK || errOut != "" {
				t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
			}
			firstLine := strings.SplitN(strings.TrimSpace(c.help), "\n", 2)[0]
			if !strings.Contains(out, firstLine) {
				t.Errorf("%v: the description is missing:\n%s", args, out)
			}
			own, global := helpSections(t, out)
			globals := map[string]bool{}
			for _, g := range global {
				globals[g] = true
			}
			for _, o := range own {
				// users had --account beside the global --account-id.
				if globals[o] || globals[o+"-id"] || globals[strings.TrimSuffix(o, "-id")] {
					t.Errorf("%s: flag --%s duplicates a global flag", c.name, o)
				}
			}
		}
	}
	for name, help := range subcommandHelp {
		args := append(strings.Fields(name), "--help")
		code, out, errOut := runWith(nil, false, args...)
		firstLine := strings.SplitN(strings.TrimSpace(help), "\n", 2)[0]
		if code != exitOK || errOut != "" || !strings.Contains(out, firstLine) {
			t.Errorf("%v: exit %d, stderr %q; the description is missing:\n%s", args, code, errOut, out)
		}
	}
	_, out, _ := runWith(nil, false, "events", "--help")
	own, global := helpSections(t, out)
	if !strings.Contains(strings.Join(own, " "), "since") || strings.Contains(strings.Join(own, " "), "env") ||
		!strings.Contains(strings.Join(global, " "), "integration-key") {
		t.Errorf("events --help: own flags %v, global %v", own, global)
	}
}

func TestUsersTakesTheAccountFromAccountIDOnly(t *testing.T) {
	f := newFixture(t, docusigntest.WithUsers(30))
	var out bytes.Buffer
	if code, _ := f.run(t, context.Background(), &out, "users", "--account", f.in.AccountID); code != exitUsage {
		t.Errorf("users --account: exit %d, want %d (the flag is --account-id)", code, exitUsage)
	}
	out.Reset()
	if code, errs := f.run(t, context.Background(), &out, "users", "--account-id", f.in.AccountID); code != exitOK || len(lines(out.String())) != len(f.srv.AccountUsers(f.in.AccountID)) {
		t.Errorf("users --account-id: exit %d, %d users: %s", code, len(lines(out.String())), errs)
	}
}

func TestEveryConfigurationProblemIsReportedAtOnceWithFlagAndVariableNames(t *testing.T) {
	cp := filepath.Join(t.TempDir(), "missing", "events.cp")
	code, out, errOut := runWith(nil, false, "events", "--since", "yesterday", "--limit", "5000", "--max", "-1", "--checkpoint", cp)
	if code != exitUsage || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{"--since", "--limit 5000", "--max -1", "--checkpoint " + cp, "--integration-key / DOCUSIGN_INTEGRATION_KEY", "--user-id / DOCUSIGN_USER_ID"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "Options.") {
		t.Errorf("stderr names a library type:\n%s", errOut)
	}
}

func TestConfigurationErrorsNameFlagsNeverLibraryOptions(t *testing.T) {
	f := newFixture(t)
	f.vars["DOCUSIGN_PRIVATE_KEY_FILE"] = filepath.Join(f.dir, "no-such-key.pem")
	var out bytes.Buffer
	code, errs := f.run(t, context.Background(), &out, "token")
	if code != exitUsage || !strings.Contains(errs, "--private-key-file / DOCUSIGN_PRIVATE_KEY_FILE") || strings.Contains(errs, "With") {
		t.Errorf("missing key file: exit %d:\n%s", code, errs)
	}
	delete(f.vars, "DOCUSIGN_PRIVATE_KEY_FILE")
	f.vars["DOCUSIGN_PRIVATE_KEY"] = "not a PEM"
	code, errs = f.run(t, context.Background(), &out, "token")
	if code != exitUsage || !strings.Contains(errs, "--private-key / DOCUSIGN_PRIVATE_KEY") || strings.Contains(errs, "With") || strings.Contains(errs, "docusign: ") {
		t.Errorf("bad key: exit %d:\n%s", code, errs)
	}
}

func TestInsecureIsABooleanFlag(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	for _, args := range [][]string{{"token", "--insecure"}, {"token", "--insecure=false"}} {
		if code, errs := f.run(t, context.Background(), &out, args...); code != exitOK {
			t.Errorf("%v: exit %d: %s", args, code, errs)
		}
	}
	f.vars["DOCUSIGN_INSECURE"] = "1"
	if code, errs := f.run(t, context.Background(), &out, "token"); code != exitOK {
		t.Errorf("DOCUSIGN_INSECURE=1: exit %d: %s", code, errs)
	}
	f.vars["DOCUSIGN_INSECURE"] = "maybe"
	if code, errs := f.run(t, context.Background(), &out, "token"); code != exitUsage || !strings.Contains(errs, "--insecure / DOCUSIGN_INSECURE") {
		t.Errorf("DOCUSIGN_INSECURE=maybe: exit %d: %s", code, errs)
	}
}

func TestAnUnknownAccountIDIsAConfigurationError(t *testing.T) {
	f := newFixture(t)
	f.vars["DOCUSIGN_ACCOUNT_ID"] = "00000000-0000-4000-8000-0000000000aa"
	var out bytes.Buffer
	code, errs := f.run(t, context.Background(), &out, "whoami")
	if code != exitUsage || !strings.Contains(errs, "--account-id / DOCUSIGN_ACCOUNT_ID") || !strings.Contains(errs, f.in.AccountID) {
		t.Errorf("exit %d, want %d naming the flag and the user's accounts:\n%s", code, exitUsage, errs)
	}
}

func TestNetworkErrorsNameTheRequestOnceAndFailedAttemptsAreLoggedOnlyWithV(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // connections are refused from now on
	f := newFixture(t)
	f.vars["DOCUSIGN_OAUTH_URL"] = "http://" + addr
	var out bytes.Buffer
	code, errs := f.run(t, context.Background(), &out, "token")
	if code != exitError {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if n := strings.Count(errs, "/oauth/token"); n != 1 || strings.Contains(errs, "docusign: ") || strings.Count(errs, "\n") != 1 {
		t.Errorf("want one line naming the request once, without stacked prefixes or attempt logs:\n%s", errs)
	}
	// With -v every attempt is logged.
	code, errs = newFixture(t).run(t, context.Background(), &out, "whoami", "-v")
	if code != exitOK || !strings.Contains(errs, "attempt=1") {
		t.Errorf("-v: exit %d, no attempt log:\n%s", code, errs)
	}
}

func TestGoLiveSaysGoLiveOnce(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	if code, errs := f.run(t, context.Background(), &out, "golive"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.Contains(out.String(), "Go-Live: Go-Live:") || !strings.Contains(out.String(), "Go-Live: 20/20") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestTheCheckpointPathIsCheckedBeforeAnythingIsPrinted(t *testing.T) {
	f := newFixture(t, docusigntest.WithEvents(50), docusigntest.WithUsers(20))
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.cp")
	os.WriteFile(garbage, []byte("not a checkpoint\n"), 0o600)
	for _, cp := range []string{filepath.Join(dir, "missing", "x.cp"), dir, garbage} {
		for _, cmd := range []string{"events", "users", "esign-users"} {
			var out bytes.Buffer
			code, errs := f.run(t, context.Background(), &out, cmd, "--checkpoint", cp)
			if code != exitUsage || out.Len() != 0 || !strings.Contains(errs, "--checkpoint "+cp+":") {
				t.Errorf("%s --checkpoint %s: exit %d, %d bytes written:\n%s", cmd, cp, code, out.Len(), errs)
			}
		}
	}
}

func TestVersionPrintsTheModuleGoAndSpecVersions(t *testing.T) {
	code, out, errOut := runWith(nil, false, "version")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	specs, err := api.Specs()
	if err != nil {
		t.Fatal(err)
	}
	wants := []string{"docusign " + client.Version, "github.com/dsgo/docusign", runtime.Version()}
	for _, s := range specs {
		wants = append(wants, s.Name, s.Commit)
	}
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("version output lacks %q:\n%s", want, out)
		}
	}
	if _, again, _ := runWith(nil, false, "--version"); again != out {
		t.Errorf("--version differs from version:\n%s", again)
	}
}

func TestProgressIsShownOnATerminalOnly(t *testing.T) {
	f := newFixture(t, docusigntest.WithEvents(2500))
	f.srv.InjectFault(docusigntest.Fault{PathPrefix: "/api/v2.0/datasets/monitor/stream", Status: http.StatusTooManyRequests})
	code, out, errs := runWith(f.vars, true, "events", "--limit", "1000")
	if code != exitOK || len(lines(out)) != 2500 {
		t.Fatalf("exit %d, %d events: %s", code, len(lines(out)), errs)
	}
	last := errs[strings.LastIndex(strings.TrimSuffix(errs, "\n"), "\r")+1:]
	for _, want := range []string{`^events: 2500 records, [34] pages, \d+/s, waited 1s for the rate limit; hourly \d+/\d+`} {
		if !regexp.MustCompile(want).MatchString(last) {
			t.Errorf("the last progress line lacks %q: %q", want, last)
		}
	}
	if code, _, errs := runWith(f.vars, false, "events", "--limit", "1000"); code != exitOK || errs != "" {
		t.Errorf("not a terminal: exit %d, stderr %q; want nothing", code, errs)
	}
}

func TestProxyPasswordsNeverShownAndSocks5Accepted(t *testing.T) {
	f := newFixture(t)
	for _, proxy := range []string{"http://ops:s3cret pw@[bad", "ops:s3cret@proxy:3128", "ftp://ops:s3cret@proxy"} {
		f.vars["DOCUSIGN_PROXY"] = proxy
		var out bytes.Buffer
		code, errs := f.run(t, context.Background(), &out, "token")
		if code != exitUsage || strings.Contains(errs, "s3cret") || !strings.Contains(errs, "DOCUSIGN_PROXY") {
			t.Errorf("proxy %q: exit %d:\n%s", proxy, code, errs)
		}
	}
	f.vars["DOCUSIGN_PROXY"] = "socks5://ops:s3cret@127.0.0.1:1080"
	if _, err := newClient(&env{stderr: &bytes.Buffer{}}, settingsFrom(f.vars), need{auth: true}, scopesESign); err != nil {
		t.Errorf("a socks5 proxy, which the library accepts, is refused: %v", err)
	}
}

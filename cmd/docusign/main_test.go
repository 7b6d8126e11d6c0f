package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client/docusigntest"
)

// fixture is a fake DocuSign plus the DOCUSIGN_* variables pointing at it.
type fixture struct {
	srv  *docusigntest.Server
	in   docusigntest.Integration
	vars map[string]string
	dir  string
}

func newFixture(t *testing.T, opts ...docusigntest.Option) *fixture {
	t.Helper()
	srv := docusigntest.NewServer(opts...)
	t.Cleanup(srv.Close)
	in := srv.NewIntegration(docusigntest.WithRedirectURIs("https://localhost/cb"))
	dir := t.TempDir()
	key := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(key, in.PrivateKeyPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := srv.Environment()
	return &fixture{srv: srv, in: in, dir: dir, vars: map[string]string{
		"DOCUSIGN_OAUTH_URL":        env.OAuthURL,
		"DOCUSIGN_ESIGN_URL":        env.ESignatureURL,
		"DOCUSIGN_ADMIN_URL":        env.AdminURL,
		"DOCUSIGN_MONITOR_URL":      env.MonitorURL,
		"DOCUSIGN_INTEGRATION_KEY":  in.Key,
		"DOCUSIGN_USER_ID":          in.UserID,
		"DOCUSIGN_PRIVATE_KEY_FILE": key,
		"DOCUSIGN_ORG_ID":           srv.OrgID(),
		"DOCUSIGN_REDIRECT_URI":     "https://localhost/cb",
		"DOCUSIGN_TOKEN_CACHE":      filepath.Join(dir, "tokens"),
	}}
}

// run runs one command line with the fixture's variables.
func (f *fixture) run(t *testing.T, ctx context.Context, stdout *bytes.Buffer, args ...string) (int, string) {
	t.Helper()
	var stderr bytes.Buffer
	e := &env{stdout: stdout, stderr: &stderr, getenv: func(k string) string { return f.vars[k] }}
	return run(ctx, e, args), stderr.String()
}

func TestDemoRunsTheWholeFlowEndToEnd(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}, []string{"demo", "--events", "3000", "--users", "300"})
	if code != exitOK {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"consent_required", "consent granted", "token valid until", "20/20", "ready=true", "created", "signed: completed", "certificate of completion downloaded (1-page PDF)", "3002 unique of 3002", "0 duplicates", "organization users"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("demo output lacks %q:\n%s", want, out.String())
		}
	}
}

// cancelAfter is a stdout that cancels the run after n lines, as a SIGINT
// in the middle of a page would.
type cancelAfter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	n      int
	cancel context.CancelFunc
}

func (c *cancelAfter) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.buf.Write(p)
	if strings.Count(c.buf.String(), "\n") >= c.n {
		c.cancel()
	}
	return len(p), nil
}

func eventIDs(t *testing.T, ndjson string) []string {
	t.Helper()
	var ids []string
	for _, l := range lines(ndjson) {
		var ev map[string]any
		if err := json.Unmarshal([]byte(l), &ev); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		ids = append(ids, ev["eventId"].(string))
	}
	return ids
}

func TestEventsResumeFromTheCheckpointFileWithNothingLostOrDuplicated(t *testing.T) {
	f := newFixture(t, docusigntest.WithEvents(4500))
	cp := filepath.Join(f.dir, "events.cp")
	// Output is buffered and written in chunks, so the interrupt (cancel
	// once stopAfter lines have reached stdout) lands where a chunk ends:
	// mid-page for 1 and 2500, at the end of page 1 for 999 and 1000. The
	// run must stop at the next record, not finish the page.
	for _, tc := range []struct {
		stopAfter int
		midPage   bool
	}{{1, true}, {999, false}, {1000, false}, {2500, true}} {
		stopAfter := tc.stopAfter
		t.Run("interrupted after "+itoa(stopAfter)+" events", func(t *testing.T) {
			os.Remove(cp)
			ctx, cancel := context.WithCancel(context.Background())
			first := &cancelAfter{n: stopAfter, cancel: cancel}
			var stderr bytes.Buffer
			run(ctx, &env{stdout: first, stderr: &stderr, getenv: func(k string) string { return f.vars[k] }},
				[]string{"events", "--limit", "1000", "--checkpoint", cp})
			var second bytes.Buffer
			if code, errs := f.run(t, context.Background(), &second, "events", "--limit", "1000", "--checkpoint", cp); code != exitOK {
				t.Fatalf("resume: exit %d: %s", code, errs)
			}
			firstIDs := eventIDs(t, first.buf.String())
			if len(firstIDs) < stopAfter || len(firstIDs) >= f.srv.MonitorEventCount() {
				t.Fatalf("the first run wrote %d events: it was not interrupted part-way", len(firstIDs))
			}
			if tc.midPage && len(firstIDs)%1000 == 0 {
				t.Fatalf("the first run wrote %d events: it finished the page instead of stopping mid-page", len(firstIDs))
			}
			requireExactlyOnce(t, append(firstIDs, eventIDs(t, second.String())...), f.srv.MonitorEventCount())
		})
	}
}

// requireExactlyOnce fails unless ids holds want distinct IDs, none twice.
func requireExactlyOnce(t *testing.T, ids []string, want int) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("%s written twice", id)
		}
		seen[id] = true
	}
	if len(ids) != want {
		t.Fatalf("%d written across the runs, want %d", len(ids), want)
	}
}

func TestEventsAreWrittenByteForByteAsSent(t *testing.T) {
	f := newFixture(t, docusigntest.WithEvents(10))
	var out bytes.Buffer
	if code, errs := f.run(t, context.Background(), &out, "events", "--limit", "3", "--max", "3"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	req, _ := http.NewRequest("GET", f.srv.URL()+"/api/v2.0/datasets/monitor/stream?limit=3", nil)
	req.Header.Set("Authorization", "Bearer "+f.srv.AccessToken())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct{ Data []json.RawMessage }
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	got := lines(out.String())
	if len(got) != 3 {
		t.Fatalf("%d lines", len(got))
	}
	for i, raw := range page.Data {
		if got[i] != string(raw) {
			t.Errorf("event %d:\n got  %s\n sent %s", i, got[i], raw)
		}
	}
}

func TestMissingSettingsAreAllReportedWithFlagAndVariable(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}, []string{"token"})
	if code != exitUsage {
		t.Fatalf("exit %d, want %d", code, exitUsage)
	}
	for _, want := range []string{"--integration-key / DOCUSIGN_INTEGRATION_KEY", "--user-id / DOCUSIGN_USER_ID", "--private-key / DOCUSIGN_PRIVATE_KEY", "--private-key-file / DOCUSIGN_PRIVATE_KEY_FILE"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
}

func TestFlagsWinOverVariables(t *testing.T) {
	f := newFixture(t)
	f.vars["DOCUSIGN_USER_ID"] = "not-a-guid"
	var out bytes.Buffer
	if code, errs := f.run(t, context.Background(), &out, "token", "--user-id", f.in.UserID); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	code, errs := f.run(t, context.Background(), &out, "token")
	if code != exitUsage || !strings.Contains(errs, "not-a-guid") {
		t.Fatalf("with the bad variable alone: exit %d: %s", code, errs)
	}
}

func TestConsentRequiredExitsWithTheURLToOpen(t *testing.T) {
	f := newFixture(t)
	f.srv.RevokeConsent(f.in.Key, f.in.UserID)
	var out bytes.Buffer
	code, errs := f.run(t, context.Background(), &out, "whoami")
	if code != exitAuth {
		t.Fatalf("exit %d, want %d: %s", code, exitAuth, errs)
	}
	if !strings.Contains(errs, "consent_required") || !strings.Contains(errs, "/oauth/auth?response_type=code") {
		t.Errorf("stderr does not say what to open:\n%s", errs)
	}
}

func TestAPIErrorsExitWithTheDocuSignCode(t *testing.T) {
	f := newFixture(t)
	f.vars["DOCUSIGN_ORG_ID"] = "00000000-0000-4000-8000-000000000000"
	var out bytes.Buffer
	code, errs := f.run(t, context.Background(), &out, "users")
	if code != exitAPI {
		t.Fatalf("exit %d, want %d: %s", code, exitAPI, errs)
	}
	if !strings.Contains(errs, "DocuSign API error") {
		t.Errorf("stderr: %s", errs)
	}
}

func TestSecretsNeverReachTheOutput(t *testing.T) {
	f := newFixture(t, docusigntest.WithEvents(50))
	pemBytes := f.in.PrivateKeyPEM()
	delete(f.vars, "DOCUSIGN_PRIVATE_KEY_FILE")
	f.vars["DOCUSIGN_PRIVATE_KEY"] = string(pemBytes)
	var tokOut bytes.Buffer
	if code, errs := f.run(t, context.Background(), &tokOut, "token", "--show"); code != exitOK {
		t.Fatalf("token --show: exit %d: %s", code, errs)
	}
	token := strings.TrimSpace(lines(tokOut.String())[1])
	keyLine := strings.Split(string(pemBytes), "\n")[2]
	var all strings.Builder
	for _, args := range [][]string{{"token"}, {"whoami", "-v"}, {"events", "-v", "--max", "5"}, {"users", "-v", "--max", "3"}, {"golive", "-v"}, {"reset-token"}} {
		var out bytes.Buffer
		code, errs := f.run(t, context.Background(), &out, args...)
		if code != exitOK {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
		all.WriteString(out.String() + errs)
	}
	// A bad key in the variable must not be echoed either.
	f.vars["DOCUSIGN_PRIVATE_KEY"] = "-----BEGIN RSA PRIVATE KEY-----\nSECRETSECRET\n-----END RSA PRIVATE KEY-----"
	var out bytes.Buffer
	_, errs := f.run(t, context.Background(), &out, "token")
	all.WriteString(errs)
	for name, secret := range map[string]string{"access token": token, "private key": keyLine, "damaged key": "SECRETSECRET"} {
		if strings.Contains(all.String(), secret) {
			t.Errorf("the %s appears in the output", name)
		}
	}
}

func TestUsersAsATable(t *testing.T) {
	f := newFixture(t, docusigntest.WithUsers(40))
	var out bytes.Buffer
	if code, errs := f.run(t, context.Background(), &out, "users", "--table"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	rows := lines(out.String())
	if !strings.HasPrefix(rows[0], "ID") || len(rows) != 1+len(f.srv.AccountUsers(f.in.AccountID)) {
		t.Errorf("table:\n%s", out.String())
	}
}

func TestConsentURLMatchesTheOfficialSDKForm(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	if code, errs := f.run(t, context.Background(), &out, "consent-url", "--for", "users", "--state", "s1"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	want := f.srv.URL() + "/oauth/auth?response_type=code&scope=signature%20impersonation%20organization_read%20user_read&client_id=" + f.in.Key + "&redirect_uri=https%3A%2F%2Flocalhost%2Fcb&state=s1"
	if strings.TrimSpace(out.String()) != want {
		t.Errorf("got  %s\nwant %s", out.String(), want)
	}
}

func TestOverridesReplaceEveryHost(t *testing.T) {
	s := settingsFrom(map[string]string{"DOCUSIGN_ENV": "production", "DOCUSIGN_OAUTH_URL": "https://proxy.internal"})
	env, err := s.environment()
	if err != nil {
		t.Fatal(err)
	}
	if env.OAuthURL != "https://proxy.internal" || env.AdminURL != "" || env.MonitorURL != "" || env.ESignatureURL != "" || env.Sandbox {
		t.Errorf("custom environment kept a default host or sandbox: %+v", env)
	}
	s = settingsFrom(map[string]string{"DOCUSIGN_ADMIN_URL": "https://proxy.internal/management"})
	if _, err := s.environment(); err == nil || !strings.Contains(err.Error(), "DOCUSIGN_OAUTH_URL") {
		t.Errorf("an override without the OAuth URL must be refused, got %v", err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func tableIDs(t *testing.T, table string) []string {
	t.Helper()
	var ids []string
	for _, row := range lines(table) {
		if strings.HasPrefix(row, "ID ") {
			continue
		}
		ids = append(ids, strings.Fields(row)[0])
	}
	return ids
}

func TestUsersTableAndNDJSONResumeFromTheirCheckpoints(t *testing.T) {
	f := newFixture(t, docusigntest.WithUsers(700))
	want := len(f.srv.AccountUsers(f.in.AccountID))
	for _, format := range [][]string{{"--table"}, {}} {
		cp := filepath.Join(f.dir, "users"+strings.Join(format, "")+".cp")
		var first, second bytes.Buffer
		if code, errs := f.run(t, context.Background(), &first, append([]string{"users", "--max", "260", "--checkpoint", cp}, format...)...); code != exitOK {
			t.Fatalf("%v first: exit %d: %s", format, code, errs)
		}
		if code, errs := f.run(t, context.Background(), &second, append([]string{"users", "--checkpoint", cp}, format...)...); code != exitOK {
			t.Fatalf("%v second: exit %d: %s", format, code, errs)
		}
		var ids []string
		if len(format) > 0 {
			ids = append(tableIDs(t, first.String()), tableIDs(t, second.String())...)
		} else {
			for _, l := range append(lines(first.String()), lines(second.String())...) {
				var u struct{ ID string }
				json.Unmarshal([]byte(l), &u)
				ids = append(ids, u.ID)
			}
		}
		if len(lines(first.String())) < 260 {
			t.Fatalf("%v: the first run listed %d users, want at least 260", format, len(lines(first.String())))
		}
		requireExactlyOnce(t, ids, want)
	}
}

func TestESignUsersListsTheAccount(t *testing.T) {
	f := newFixture(t, docusigntest.WithUsers(250))
	var out bytes.Buffer
	if code, errs := f.run(t, context.Background(), &out, "esign-users"); code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if got, want := len(lines(out.String())), len(f.srv.AccountUsers(f.in.AccountID)); got != want {
		t.Errorf("%d users, want %d", got, want)
	}
}

// appendThenCancel appends events once the first batch is written and
// cancels the run once the appended ones are written too.
type appendThenCancel struct {
	mu          sync.Mutex
	buf         bytes.Buffer
	first, more int
	srv         *docusigntest.Server
	appended    bool
	cancel      context.CancelFunc
}

func (a *appendThenCancel) Write(p []byte) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.buf.Write(p)
	n := strings.Count(a.buf.String(), "\n")
	if n >= a.first && !a.appended {
		a.appended = true
		a.srv.AppendEvents(a.more)
	}
	if n >= a.first+a.more {
		a.cancel()
	}
	return len(p), nil
}

func TestEventsFollowPicksUpAppendedEventsUntilInterrupted(t *testing.T) {
	f := newFixture(t, docusigntest.WithEvents(300))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := &appendThenCancel{first: 300, more: 120, srv: f.srv, cancel: cancel}
	var stderr bytes.Buffer
	code := run(ctx, &env{stdout: out, stderr: &stderr, getenv: func(k string) string { return f.vars[k] }},
		[]string{"events", "--follow", "--interval", "20ms", "--limit", "100"})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	requireExactlyOnce(t, eventIDs(t, out.buf.String()), 300+120) // the initial and the appended events
}

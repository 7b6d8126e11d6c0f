package client_test

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// optionCase is one configuration problem and the option it must name.
type optionCase struct {
	name   string
	err    func(t *testing.T) error
	option string
	is     error // errors.Is must hold too, when set
	as     any   // errors.As into this must succeed too, when set
}

func optionCases(t *testing.T) []optionCase {
	srv := docusigntest.NewServer(docusigntest.WithUsers(5), docusigntest.WithEvents(5))
	t.Cleanup(srv.Close)
	in := srv.NewIntegration()
	env := srv.Environment()
	// keyless is New with a valid configuration but for the key.
	keyless := func(opts ...client.Option) error {
		_, err := client.New(append([]client.Option{
			client.WithEnvironment(env), client.WithIntegrationKey(in.Key), client.WithUserID(in.UserID),
		}, opts...)...)
		return err
	}
	jwt := func(opts ...client.Option) error {
		return keyless(append([]client.Option{client.WithPrivateKey(in.PrivateKeyPEM())}, opts...)...)
	}
	c := fakeClientFor(t, srv)
	// A checkpoint of an account user listing, taken after one page.
	usersCP := func(t *testing.T) client.Checkpoint {
		p, err := c.AccountUsersPager(client.AccountUsersOptions{Count: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.NextPage(context.Background()); err != nil {
			t.Fatal(err)
		}
		return p.Checkpoint()
	}
	pagerErr := func(_ any, err error) error { return err }
	var keyErr *client.KeyError
	return []optionCase{
		{"missing integration key", func(*testing.T) error {
			_, err := client.New(client.WithEnvironment(env), client.WithUserID(in.UserID), client.WithPrivateKey(in.PrivateKeyPEM()))
			return err
		}, "WithIntegrationKey", nil, nil},
		{"AuthCodeFlow on a JWT client", func(*testing.T) error {
			_, err := c.AuthCodeFlow()
			return err
		}, "WithAuthorizationCode", nil, nil},
		{"integration key not a GUID", func(*testing.T) error { return jwt(client.WithIntegrationKey("my-app")) }, "WithIntegrationKey", nil, nil},
		{"missing user ID", func(*testing.T) error {
			_, err := client.New(client.WithEnvironment(env), client.WithIntegrationKey(in.Key), client.WithPrivateKey(in.PrivateKeyPEM()))
			return err
		}, "WithUserID", nil, nil},
		{"user ID is an email address", func(*testing.T) error { return jwt(client.WithUserID("ada@example.com")) }, "WithUserID", nil, nil},
		{"key is not a PEM", func(*testing.T) error { return keyless(client.WithPrivateKey([]byte("not a key"))) }, "WithPrivateKey", nil, &keyErr},
		{"key file is missing", func(t *testing.T) error {
			return keyless(client.WithPrivateKeyFile(filepath.Join(t.TempDir(), "none.pem")))
		}, "WithPrivateKeyFile", nil, &keyErr},
		{"redirect URI with a fragment", func(*testing.T) error { return jwt(client.WithRedirectURI("https://app.example.com/cb#x")) }, "WithRedirectURI", nil, nil},
		{"token lifetime too long", func(*testing.T) error { return jwt(client.WithTokenLifetime(2 * time.Hour)) }, "WithTokenLifetime", nil, nil},
		{"environment without OAuth URL", func(*testing.T) error { return jwt(client.WithEnvironment(client.Environment{Name: "x"})) }, "WithEnvironment", nil, nil},
		{"proxy of another scheme", func(*testing.T) error { return jwt(client.WithProxy("ftp://ops:s3cret@proxy.example.com")) }, "WithProxy", nil, nil},
		{"no attempts", func(*testing.T) error { return jwt(client.WithMaxAttempts(0)) }, "WithMaxAttempts", nil, nil},
		{"nil option", func(*testing.T) error { return jwt(nil) }, "New", nil, nil},
		{"client secret without the code grant", func(*testing.T) error { return jwt(client.WithClientSecret("s3cret")) }, "WithClientSecret", nil, nil},
		{"monitor limit out of range", func(*testing.T) error {
			return pagerErr(c.MonitorEventsPager(client.MonitorEventsOptions{Limit: 5000}))
		}, "MonitorEventsOptions.Limit", nil, nil},
		{"monitor checkpoint of another listing", func(t *testing.T) error {
			return pagerErr(c.MonitorEventsPager(client.MonitorEventsOptions{Checkpoint: usersCP(t)}))
		}, "MonitorEventsOptions.Checkpoint", client.ErrInvalidCheckpoint, nil},
		{"two monitor starts", func(*testing.T) error {
			return pagerErr(c.MonitorEventsPager(client.MonitorEventsOptions{Cursor: "c", FromNow: true}))
		}, "MonitorEventsOptions.Cursor", nil, nil},
		{"org users take out of range", func(*testing.T) error {
			return pagerErr(c.OrgUsersPager(client.OrgUsersOptions{Take: 251}))
		}, "OrgUsersOptions.Take", nil, nil},
		{"account users count out of range", func(*testing.T) error {
			return pagerErr(c.AccountUsersPager(client.AccountUsersOptions{Count: 101}))
		}, "AccountUsersOptions.Count", nil, nil},
		{"account users filter differs from the checkpoint", func(t *testing.T) error {
			return pagerErr(c.AccountUsersPager(client.AccountUsersOptions{Status: "Closed", Checkpoint: usersCP(t)}))
		}, "AccountUsersOptions.Status", nil, nil},
		{"envelope changes without a start", func(*testing.T) error {
			return pagerErr(c.EnvelopeStatusChangesPager(client.EnvelopeStatusChangesOptions{}))
		}, "EnvelopeStatusChangesOptions.FromDate", nil, nil},
		{"list request of a bad kind", func(*testing.T) error {
			return pagerErr(client.ESignatureList[struct{}](c, client.ESignatureListRequest{Kind: "Bad Kind", Path: "/x", ItemsKey: "x"}))
		}, "ESignatureListRequest.Kind", nil, nil},
		{"monitor without a Monitor URL", func(*testing.T) error {
			e := env
			e.MonitorURL = ""
			return pagerErr(fakeClientFor(t, srv, client.WithEnvironment(e)).MonitorEventsPager(client.MonitorEventsOptions{}))
		}, "Environment.MonitorURL", nil, nil},
		{"JWT config without a user", func(*testing.T) error {
			_, err := client.NewJWTTokenSource(client.JWTConfig{Environment: env, IntegrationKey: in.Key})
			return err
		}, "JWTConfig.UserID", nil, nil},
		{"consent URL without a redirect URI", func(*testing.T) error {
			_, err := client.ConsentURL(client.ConsentParams{Environment: env, IntegrationKey: in.Key, Scopes: []string{client.ScopeSignature}})
			return err
		}, "ConsentParams.RedirectURI", nil, nil},
	}
}

func TestEachConfigurationProblemIsAnOptionErrorNamingTheOption(t *testing.T) {
	for _, tc := range optionCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err(t)
			var oe *client.OptionError
			if !errors.As(err, &oe) {
				t.Fatalf("%v: not an *OptionError", err)
			}
			if oe.Option != tc.option {
				t.Errorf("errors.As found Option %q, want %q (%v)", oe.Option, tc.option, err)
			}
			if !strings.HasPrefix(oe.Error(), "docusign: "+oe.Option) {
				t.Errorf("text %q does not start with the option", oe.Error())
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, tc.is)
			}
			if tc.as != nil && !errors.As(err, tc.as) {
				t.Errorf("errors.As(%v, %T) = false", err, tc.as)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "not a key") {
				t.Errorf("a secret in the text: %v", err)
			}
			// Every problem in a join is an option error of its own.
			for _, leaf := range joined(err) {
				if _, ok := leaf.(*client.OptionError); !ok {
					t.Errorf("joined problem %T %q is not an *OptionError", leaf, leaf)
				}
			}
		})
	}
}

// joined is the errors an errors.Join holds, or err itself.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, joined(e)...)
		}
		return out
	}
	return []error{err}
}

func TestEveryReportedOptionNamesAnOptionOrFieldOfThePackage(t *testing.T) {
	funcs, fields := exportedNames(t)
	for _, tc := range optionCases(t) {
		name := tc.option
		if typ, field, ok := strings.Cut(name, "."); ok {
			if !slices.Contains(fields[typ], field) {
				t.Errorf("%s: %s has no field %s", tc.name, typ, field)
			}
		} else if !funcs[name] {
			t.Errorf("%s: the package has no function %s", tc.name, name)
		}
	}
}

// exportedNames lists the package's exported functions and the exported
// fields of its struct types, read from its source.
func exportedNames(t *testing.T) (funcs map[string]bool, fields map[string][]string) {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	funcs, fields = map[string]bool{}, map[string][]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					funcs[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					ts, ok := s.(*ast.TypeSpec)
					if !ok {
						continue
					}
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, fl := range st.Fields.List {
						for _, n := range fl.Names {
							fields[ts.Name.Name] = append(fields[ts.Name.Name], n.Name)
						}
					}
				}
			}
		}
	}
	return funcs, fields
}

func TestEveryProblemOfNewIsItsOwnOptionError(t *testing.T) {
	_, err := client.New(
		client.WithEnvironment(client.Environment{Name: "custom", OAuthURL: "account-d.docusign.com", AdminURL: "https://x/?q=1"}),
		client.WithUserID("ada@example.com"),
		client.WithRedirectURI("/callback"),
		client.WithTokenLifetime(2*time.Hour),
	)
	var got []string
	for _, oe := range client.OptionErrors(err) {
		got = append(got, oe.Option)
	}
	want := []string{"WithEnvironment", "WithIntegrationKey", "WithPrivateKey", "WithUserID", "WithRedirectURI", "WithTokenLifetime"}
	if !slices.Equal(got, want) {
		t.Errorf("OptionErrors: %q, want %q\n%v", got, want, err)
	}
	// The environment's fields are option errors below WithEnvironment.
	var oe *client.OptionError
	if !errors.As(err, &oe) || oe.Option != "WithEnvironment" {
		t.Fatalf("errors.As: %v, want WithEnvironment first", oe)
	}
	var fields []string
	for _, f := range client.OptionErrors(oe.Err) {
		fields = append(fields, f.Option)
	}
	if want := []string{"Environment.OAuthURL", "Environment.AdminURL"}; !slices.Equal(fields, want) {
		t.Errorf("fields of WithEnvironment: %q, want %q", fields, want)
	}
}

func TestOptionErrorsFindsOptionErrorsThroughWrapsAndJoinsOnly(t *testing.T) {
	a := &client.OptionError{Option: "WithUserID", Err: errors.New("bad")}
	b := &client.OptionError{Option: "WithProxy", Err: a} // not looked into
	err := errors.Join(errors.New("other"), fmtWrap(a), errors.Join(b))
	got := client.OptionErrors(err)
	if len(got) != 2 || got[0] != a || got[1] != b {
		t.Errorf("OptionErrors = %v", got)
	}
	if client.OptionErrors(errors.New("plain")) != nil || client.OptionErrors(nil) != nil {
		t.Error("OptionErrors found something in an error without option errors")
	}
	if got, want := b.Error(), "docusign: WithProxy: WithUserID: bad"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(b, a) {
		t.Error("errors.Is does not see through Unwrap")
	}
	multi := &client.OptionError{Option: "WithEnvironment", Err: errors.Join(errors.New("docusign: one"), errors.New("two"))}
	if got, want := multi.Error(), "docusign: WithEnvironment: one\ndocusign: WithEnvironment: two"; got != want {
		t.Errorf("multi-line Error() = %q, want %q", got, want)
	}
}

func fmtWrap(err error) error { return &wrapped{err} }

type wrapped struct{ err error }

func (w *wrapped) Error() string { return "context: " + w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }

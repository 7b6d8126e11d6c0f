package main

import (
	"bytes"
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// optionTypes are the client types whose fields the CLI sets and the
// library validates, naming them "Type.Field" in OptionError.Option.
var optionTypes = []string{"Environment", "ConsentParams", "LoginOptions",
	"MonitorEventsOptions", "OrgUsersOptions", "AccountUsersOptions", "EnvelopeStatusChangesOptions"}

// cliSetOptions reads the CLI's sources and lists every client option
// (client.WithX) it uses and every field of an optionTypes value it sets or
// reads, as the library names them in an OptionError.
func cliSetOptions(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
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
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			vars := map[string]string{} // variable -> option type, in this function
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.SelectorExpr:
					if typ := clientType(n); strings.HasPrefix(typ, "With") {
						found[typ] = true
					} else if id, ok := n.X.(*ast.Ident); ok && vars[id.Name] != "" && n.Sel.IsExported() {
						found[vars[id.Name]+"."+n.Sel.Name] = true
					}
				case *ast.CompositeLit:
					if typ := clientType(n.Type); slices.Contains(optionTypes, typ) {
						for _, el := range n.Elts {
							if kv, ok := el.(*ast.KeyValueExpr); ok {
								found[typ+"."+kv.Key.(*ast.Ident).Name] = true
							}
						}
					}
				case *ast.AssignStmt: // v := client.T{...}
					for i, rhs := range n.Rhs {
						if cl, ok := rhs.(*ast.CompositeLit); ok && i < len(n.Lhs) {
							if typ := clientType(cl.Type); slices.Contains(optionTypes, typ) {
								vars[n.Lhs[i].(*ast.Ident).Name] = typ
							}
						}
					}
				case *ast.ValueSpec: // var v client.T
					if typ := clientType(n.Type); slices.Contains(optionTypes, typ) {
						for _, id := range n.Names {
							vars[id.Name] = typ
						}
					}
				}
				return true
			})
		}
	}
	var out []string
	for name := range found {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// clientType is X for the expression client.X, "" otherwise.
func clientType(e ast.Expr) string {
	if sel, ok := e.(*ast.SelectorExpr); ok {
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == "client" {
			return sel.Sel.Name
		}
	}
	return ""
}

func TestEveryOptionTheCLISetsHasAFlagName(t *testing.T) {
	set := cliSetOptions(t)
	if len(set) < 20 {
		t.Fatalf("found only %d options in the CLI's sources: %q", len(set), set)
	}
	for _, name := range set {
		if _, ok := optionFlags[name]; !ok && !slices.Contains(cliInternalOptions, name) {
			t.Errorf("the CLI sets %s, which has no row in optionFlags (nor in cliInternalOptions)", name)
		}
	}
	for name := range optionFlags {
		if !slices.Contains(set, name) {
			t.Errorf("optionFlags maps %s, which the CLI does not set", name)
		}
	}
	for _, name := range cliInternalOptions {
		if !slices.Contains(set, name) {
			t.Errorf("cliInternalOptions lists %s, which the CLI does not set", name)
		}
		if _, ok := optionFlags[name]; ok {
			t.Errorf("%s is both mapped and internal", name)
		}
	}
}

func TestOptionErrorsAreShownUnderTheirFlagNames(t *testing.T) {
	_, err := client.New(
		client.WithEnvironment(client.Environment{Name: "custom:x", OAuthURL: "https://o.example/?a=1", MonitorURL: "m"}),
		client.WithIntegrationKey("my-app"),
		client.WithUserID("ada@example.com"),
		client.WithPrivateKey([]byte("not a key")),
		client.WithProxy("ftp://ops:s3cret@proxy.example.com"),
	)
	if err == nil {
		t.Fatal("no error")
	}
	msg := message(usageError{err})
	for _, want := range []string{
		`--oauth-url / DOCUSIGN_OAUTH_URL: "https://o.example/?a=1" must not have a query`,
		`--monitor-url / DOCUSIGN_MONITOR_URL: "m" is not an absolute http(s) URL`,
		`--integration-key / DOCUSIGN_INTEGRATION_KEY: "my-app" is not a GUID`,
		`--user-id / DOCUSIGN_USER_ID: "ada@example.com" is not a GUID`,
		"--private-key / DOCUSIGN_PRIVATE_KEY: private key is not PEM",
		`--proxy / DOCUSIGN_PROXY: proxy URL "ftp://ops:xxxxx@proxy.example.com" has scheme "ftp"`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "With") || strings.Contains(msg, "Environment.") || strings.Contains(msg, "docusign: ") || strings.Contains(msg, "s3cret") {
		t.Errorf("message names library options, or shows a secret:\n%s", msg)
	}
	if got, want := strings.Count(msg, "\n")+1, len(client.OptionErrors(err))+1; got != want { // WithEnvironment: two fields
		t.Errorf("%d lines, want %d:\n%s", got, want, msg)
	}

	// An option with no row keeps the library's name: visible, not lost.
	unmapped := &client.OptionError{Option: "WithTokenSource", Err: errors.New("docusign: problem")}
	if got, want := message(fmtErr(unmapped)), "setup: WithTokenSource: problem"; got != want {
		t.Errorf("unmapped: %q, want %q", got, want)
	}
	// A field error reads as the sentence it was.
	limit := func() error {
		_, err := (&client.Client{}).MonitorEventsPager(client.MonitorEventsOptions{Limit: 5000})
		return err
	}()
	if got := message(limit); !strings.Contains(got, "\n--limit 5000 is out of range: use 1 to 2000") {
		t.Errorf("field error: %q", got)
	}
}

func fmtErr(err error) error { return &prefixed{err} }

type prefixed struct{ err error }

func (p *prefixed) Error() string { return "setup: " + p.err.Error() }
func (p *prefixed) Unwrap() error { return p.err }

func TestPagerOptionErrorsNameTheCommandsFlags(t *testing.T) {
	f := newFixture(t, docusigntest.WithUsers(30), docusigntest.WithEvents(10))
	cp := filepath.Join(t.TempDir(), "users.cp")
	var out bytes.Buffer
	if code, errs := f.run(t, context.Background(), &out, "users", "--max", "5", "--checkpoint", cp); code != exitOK {
		t.Fatalf("users: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(cp); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"users", "--status", "closed", "--checkpoint", cp}, `--status "closed" differs from the checkpoint's status=`},
		{[]string{"events", "--checkpoint", cp}, "--checkpoint: invalid checkpoint: checkpoint is for a orgusers listing, not monitor"},
		{[]string{"esign-users", "--checkpoint", cp}, "--checkpoint: invalid checkpoint"},
	} {
		out.Reset()
		code, errs := f.run(t, context.Background(), &out, tc.args...)
		if code != exitUsage || !strings.Contains(errs, tc.want) || strings.Contains(errs, "Options.") {
			t.Errorf("%q: exit %d, want %d and %q:\n%s", tc.args, code, exitUsage, tc.want, errs)
		}
	}
}

package client

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseEnvironmentAcceptsEveryName(t *testing.T) {
	tests := map[string]Environment{
		"developer": Developer(), "demo": Developer(), " Developer ": Developer(),
		"production": Production(), "PROD": Production(),
		"stage": Stage(),
	}
	for in, want := range tests {
		got, err := ParseEnvironment(in)
		if err != nil || got != want {
			t.Errorf("ParseEnvironment(%q) = %v, %v; want %s", in, got.Name, err, want.Name)
		}
	}
	if _, err := ParseEnvironment("sandbox"); err == nil || !strings.Contains(err.Error(), "developer") {
		t.Errorf("unknown name: %v", err)
	}
}

func TestPredefinedEnvironmentsAreValidAndDistinct(t *testing.T) {
	hosts := map[string]string{}
	for _, env := range []Environment{Developer(), Production(), Stage()} {
		if err := env.Validate(); err != nil {
			t.Errorf("%s: %v", env.Name, err)
		}
		if prev, dup := hosts[env.OAuthHost()]; dup {
			t.Errorf("%s and %s share the OAuth host", prev, env.Name)
		}
		hosts[env.OAuthHost()] = env.Name
	}
	if Developer().OAuthHost() != "account-d.docusign.com" || Production().OAuthHost() != "account.docusign.com" {
		t.Errorf("OAuth hosts %s, %s", Developer().OAuthHost(), Production().OAuthHost())
	}
	if Production().ESignatureURL != "" {
		t.Error("production must take the eSignature base from the account's base_uri")
	}
	if !Developer().Sandbox || Production().Sandbox || Stage().Sandbox {
		t.Error("only Developer is a sandbox")
	}
}

func TestEnvironmentValidateReportsEveryBadURL(t *testing.T) {
	err := Environment{OAuthURL: "", ESignatureURL: "ftp://x", AdminURL: "https://x#frag", MonitorURL: "::"}.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"Name", "OAuthURL", "ESignatureURL", "AdminURL", "MonitorURL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %s: %v", want, err)
		}
	}
	if err := (Environment{Name: "proxy", OAuthURL: "http://127.0.0.1:8080/ds"}).Validate(); err != nil {
		t.Errorf("a minimal custom environment: %v", err)
	}
}

func TestOAuthHostKeepsThePort(t *testing.T) {
	if h := (Environment{OAuthURL: "http://127.0.0.1:8443/x"}).OAuthHost(); h != "127.0.0.1:8443" {
		t.Errorf("OAuthHost = %q", h)
	}
}

func TestPredefinedEnvironmentsCannotBeChangedByACaller(t *testing.T) {
	d := Developer()
	d.OAuthURL = "https://evil.example"
	d.Sandbox = false
	if Developer().OAuthURL != "https://account-d.docusign.com" || !Developer().Sandbox {
		t.Fatal("changing a returned Environment changed Developer()")
	}
}

func TestClientFormatNamesItsPackage(t *testing.T) {
	c, err := New(WithEnvironment(Developer()), WithTokenSource(StaticTokenSource(&Token{AccessToken: "tok"})))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprintf("%v", c); !strings.HasPrefix(got, "client.Client{") {
		t.Errorf("%%v = %q, want the package's real name client.Client", got)
	}
}

package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// A Client for the JWT grant. Against DocuSign, use client.Developer() (or
// client.Production() after Go-Live) and the key from Apps and Keys; here a
// fake DocuSign stands in.
func ExampleNew() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration() // integration key, user, RSA key, consent

	c, err := client.New(
		client.WithEnvironment(srv.Environment()),
		client.WithIntegrationKey(app.Key),
		client.WithUserID(app.UserID),
		client.WithPrivateKey(app.PrivateKeyPEM()), // or WithPrivateKeyFile, WithPrivateKeyEnv
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	account, err := c.Account(ctx) // from /oauth/userinfo: the default account
	if err != nil {
		fmt.Println(err)
		return
	}
	base, _ := c.ESignatureURL(ctx)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v2.1/accounts/"+account.AccountID, nil)
	resp, err := c.Do(req) // the bearer token is added per request
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(account.AccountID == app.AccountID, resp.Status)
	// Output: true 200 OK
}

// New checks every option before any network call and reports all
// problems at once, each with the option name and the fix.
func ExampleNew_configurationErrors() {
	_, err := client.New(
		client.WithEnvironment(client.Developer()),
		client.WithUserID("ada@example.com"),
		client.WithTokenLifetime(2*time.Hour),
		client.WithPrivateKey([]byte("-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----\n")),
	)
	fmt.Println(err)
	// Output:
	// docusign: WithIntegrationKey: integration key is required: copy it from Apps and Keys in DocuSign admin
	// docusign: WithPrivateKey: private key is public key (found PUBLIC KEY): this is the public half; use the private key shown once when the keypair was generated
	// docusign: WithUserID: "ada@example.com" is not a GUID (want 8-4-4-4-12 hex digits, e.g. 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0): use the API Username GUID, not the email address
	// docusign: WithTokenLifetime: 2h0m0s exceeds DocuSign's maximum of 1h0m0s: use 1h0m0s or less
}

// Every configuration problem is an *OptionError naming the option or
// field at fault, so a program can tell which one without reading the text
// (here to name its own flags): errors.As finds the first, OptionErrors
// lists every one of a joined error.
func ExampleOptionError() {
	flags := map[string]string{"WithUserID": "--user-id", "MonitorEventsOptions.Limit": "--limit"}
	token := client.WithTokenSource(client.StaticTokenSource(&client.Token{AccessToken: "t", Expiry: time.Now().Add(time.Hour)}))
	_, err := client.New(client.WithEnvironment(client.Developer()), client.WithUserID("ada@example.com"), token)
	var oe *client.OptionError
	if errors.As(err, &oe) {
		fmt.Printf("%s: %v\n", flags[oe.Option], oe.Err)
	}

	c, err := client.New(client.WithEnvironment(client.Developer()), token)
	if err != nil {
		panic(err)
	}
	_, err = c.MonitorEventsPager(client.MonitorEventsOptions{Limit: 5000, FromNow: true, Cursor: "abc"})
	for _, oe := range client.OptionErrors(err) {
		fmt.Println(oe.Option)
	}
	// Output:
	// --user-id: "ada@example.com" is not a GUID (want 8-4-4-4-12 hex digits, e.g. 0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0): use the API Username GUID, not the email address
	// MonitorEventsOptions.Cursor
	// MonitorEventsOptions.Limit
}

// Until the user consents, the JWT grant fails with ErrConsentRequired; the
// error carries the URL to open when a redirect URI is configured.
func ExampleClient_ConsentURL() {
	c, err := client.New(
		client.WithEnvironment(client.Production()),
		client.WithIntegrationKey("0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0"),
		client.WithUserID("11111111-2222-4333-8444-555555555555"),
		client.WithPrivateKey(docusigntest.Integration{PrivateKey: docusigntest.TestKey(0)}.PrivateKeyPEM()),
		client.WithScopes(client.ScopeSignature, client.ScopeOrganizationRead, client.ScopeUserRead),
		client.WithRedirectURI("https://collector.example.com/docusign/callback"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := c.ConsentURL("setup-1")
	fmt.Println(u)
	// Output:
	// https://account.docusign.com/oauth/auth?response_type=code&scope=signature%20organization_read%20user_read%20impersonation&client_id=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0&redirect_uri=https%3A%2F%2Fcollector.example.com%2Fdocusign%2Fcallback&state=setup-1
}

// A token source assembled by hand: the JWT grant behind a cache that
// persists tokens in files, so a collector started every minute requests a
// token about once an hour instead of on every run.
func ExampleNewCachingTokenSource() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration()
	dir, _ := os.MkdirTemp("", "tokens")
	defer os.RemoveAll(dir)

	key, err := client.ParsePrivateKey(app.PrivateKeyPEM())
	if err != nil {
		fmt.Println(err)
		return
	}
	env := srv.Environment()
	cfg := client.JWTConfig{
		Environment:    env,
		IntegrationKey: app.Key,
		UserID:         app.UserID,
		PrivateKey:     key,
	}
	jwtSource, err := client.NewJWTTokenSource(cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	cache, _ := client.NewFileTokenCache(dir)
	newRun := func() client.TokenSource { // each run of the collector
		return client.NewCachingTokenSource(jwtSource, client.CachingOptions{
			Cache: cache,
			Key:   cfg.TokenCacheKey(), // environment, integration key, user, scopes and key

		})
	}
	ctx := context.Background()
	first, _ := newRun().Token(ctx)
	second, _ := newRun().Token(ctx)
	fmt.Println(strings.Contains(fmt.Sprint(first), "access_token=REDACTED")) // tokens print redacted
	fmt.Println(first.AccessToken == second.AccessToken, srv.TokenRequests())
	// Output:
	// true
	// true 1
}

// The tracker counts consecutive successful eSignature calls made through
// the Client in a sandbox environment; Go-Live review needs 20.
func ExampleClient_GoLive() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration()
	env := srv.Environment()
	env.Sandbox = true // stands in for client.Developer()

	c, _ := client.New(client.WithEnvironment(env), client.WithIntegrationKey(app.Key),
		client.WithUserID(app.UserID), client.WithPrivateKey(app.PrivateKeyPEM()))
	for range 20 {
		req, _ := http.NewRequest(http.MethodGet, env.ESignatureURL+"/v2.1/accounts/"+app.AccountID, nil)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	fmt.Println(c.GoLive().Status())
	// Output: Go-Live: 20/20 consecutive successful eSignature calls (ready for review)
}

// Keys pasted into environment variables or config UIs often arrive with
// literal \n sequences or quotes; ParsePrivateKey repairs them, and names
// what is wrong with keys it cannot use.
func ExampleParsePrivateKey() {
	pemText := string(docusigntest.Integration{PrivateKey: docusigntest.TestKey(0)}.PrivateKeyPEM())
	damaged := `"` + strings.ReplaceAll(pemText, "\n", `\n`) + `"`
	key, err := client.ParsePrivateKey([]byte(damaged))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key.Bits(), strings.HasPrefix(key.String(), "PrivateKey(RSA-2048 SHA256:"))

	_, err = client.ParsePrivateKey([]byte("ssh-rsa AAAAB3NzaC1yc2E user@host"))
	var kerr *client.KeyError
	if errors.As(err, &kerr) {
		fmt.Println(kerr.Kind)
	}
	// Output:
	// 2048 true
	// not PEM
}

package client_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
)

// A person logs in once in the browser (Authorization Code Grant with
// PKCE); the Client then acts as them and renews the 8-hour access token
// with the refresh token, kept in the token cache between runs. Against
// DocuSign, register http://127.0.0.1:8765/callback as a redirect URI of
// the integration key, set it with WithRedirectURI, and open the URL in a
// browser; here the fake's Browser plays the user and a listener on a free
// port stands in for the registered one.
func ExampleClient_Login() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration(docusigntest.WithoutConsent()) // a public app: no secret
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "tokens")
	defer os.RemoveAll(dir)

	c, err := client.New(
		client.WithEnvironment(srv.Environment()),
		client.WithIntegrationKey(app.Key),
		client.WithAuthorizationCode(), // WithClientSecretEnv(...) for a confidential app
		client.WithRedirectURI("http://"+ln.Addr().String()+"/callback"),
		client.WithTokenCacheDir(filepath.Join(dir, "tokens")),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	err = c.Login(ctx, client.LoginOptions{
		Open:     srv.Browser(), // e.g. print the URL, or start a browser
		Listener: ln,            // omit it to listen on the redirect URI
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ui, _ := c.UserInfo(ctx)
	fmt.Println("logged in:", ui.Sub == app.UserID)

	account, _ := c.AccountID(ctx)
	base, _ := c.ESignatureURL(ctx)
	get := func() (*http.Response, error) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v2.1/accounts/"+account, nil)
		return c.Do(req)
	}

	// The fake's clock jumps past the access token's 8 hours: the call is
	// answered 401, the Client renews the token and repeats it.
	srv.Advance(9 * time.Hour)
	resp, err := get()
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status, "after", srv.GrantRequests("refresh_token"), "refresh")

	// Past the refresh token's 30 days: the user must log in again.
	srv.Advance(31 * 24 * time.Hour)
	_, err = get()
	fmt.Println(errors.Is(err, client.ErrLoginRequired))
	// Output:
	// logged in: true
	// 200 OK after 1 refresh
	// true
}

// A web application sends the browser to flow.AuthURL() and, on the
// request to its redirect URI, completes the login with the request's
// query; the flow checks the state and holds the PKCE verifier. Here an
// HTTP client that does not follow redirects plays the browser.
func ExampleClient_AuthCodeFlow() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration(docusigntest.WithoutConsent(), docusigntest.WithClientSecret("secret-from-apps-and-keys"))

	c, err := client.New(
		client.WithEnvironment(srv.Environment()),
		client.WithIntegrationKey(app.Key),
		client.WithAuthorizationCode(),
		client.WithClientSecret(app.Secret), // a confidential app: WithClientSecretEnv in practice
		client.WithRedirectURI("https://app.example.com/docusign/callback"),
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	flow, err := c.AuthCodeFlow() // keep it, e.g. in the session, until the redirect
	if err != nil {
		fmt.Println(err)
		return
	}

	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(flow.AuthURL())
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	redirect, _ := resp.Location() // https://app.example.com/docusign/callback?code=...&state=...

	// In the redirect URI's handler: flow.Exchange(r.Context(), r.URL.Query())
	ctx := context.Background()
	if _, err := flow.Exchange(ctx, redirect.Query()); err != nil {
		fmt.Println(err)
		return
	}
	ui, _ := c.UserInfo(ctx)
	fmt.Println("logged in:", ui.Sub == app.UserID)
	// Output: logged in: true
}

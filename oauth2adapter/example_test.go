package oauth2adapter_test

import (
	"context"
	"fmt"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/oauth2adapter"
	"golang.org/x/oauth2"
)

// Tokens from an x/oauth2 flow drive a dsgo Client.
func ExampleFromOAuth2() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	var src oauth2.TokenSource = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: srv.AccessToken()}) // e.g. an authorization-code flow's source

	c, err := client.New(client.WithEnvironment(srv.Environment()), client.WithTokenSource(oauth2adapter.FromOAuth2(src)))
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := c.Account(context.Background())
	fmt.Println(err == nil && a.AccountID != "")
	// Output: true
}

// A dsgo Client's tokens (JWT grant, cached and refreshed early) serve code
// built on x/oauth2.
func ExampleToOAuth2() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration()
	c, err := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(app.Key),
		client.WithUserID(app.UserID), client.WithPrivateKey(app.PrivateKeyPEM()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	hc := oauth2.NewClient(ctx, oauth2adapter.ToOAuth2(ctx, c))
	resp, err := hc.Get(srv.URL() + "/oauth/userinfo")
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println(resp.Status)
	// Output: 200 OK
}

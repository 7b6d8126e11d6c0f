// Package oauth2adapter connects golang.org/x/oauth2 and the dsgo client in
// both directions:
//
//	// Tokens from an x/oauth2 flow (a TokenSource of your own) for a dsgo Client:
//	c, err := client.New(client.WithEnvironment(env), client.WithTokenSource(oauth2adapter.FromOAuth2(src)))
//
//	// The dsgo Client's tokens (JWT grant, cached) for code built on x/oauth2:
//	hc := oauth2.NewClient(ctx, oauth2adapter.ToOAuth2(ctx, c))
//
// It is a module of its own (github.com/dsgo/docusign/oauth2adapter), so the
// library itself does not depend on golang.org/x/oauth2; only programs that
// import this package do.
package oauth2adapter

package client_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dsgo/docusign/client"
)

// Application structs that keep the SDK's values in unexported fields:
// fmt cannot call their String or Format there, and for a verb such as %s
// it dereferences one pointer level and prints the fields.
type (
	holdClient struct{ c *client.Client }
	holdSource struct{ s *client.CachingTokenSource }
	holdFlow   struct{ f *client.AuthCodeFlow }
	holdCache  struct{ m *client.MemoryTokenCache }
)

// TestNoFormatVerbPrintsLoginSecrets: the client secret, refresh and
// access tokens, and a login's state and PKCE verifier stay out of every
// fmt verb, for the values themselves and for application structs that
// hold them in unexported fields. (Token and AuthCodeConfig, whose secrets
// are exported fields, redact only when fmt can call their methods.)
func TestNoFormatVerbPrintsLoginSecrets(t *testing.T) {
	f := newCodeFixture(t, nil)
	const secret, rt, at = "SUPERSECRETVALUE1", "REFRESHTOKENVAL42", "ACCESSTOKENVAL7"
	c := f.client(t, "http://127.0.0.1:1/cb", client.WithClientSecret(secret), client.WithRefreshToken(rt))
	cfg := client.AuthCodeConfig{Environment: f.srv.Environment(), IntegrationKey: f.in.Key, ClientSecret: secret, RedirectURI: "http://127.0.0.1:1/cb"}
	src, err := client.NewRefreshTokenSource(cfg, &client.Token{AccessToken: at, RefreshToken: rt}, client.CachingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	flow, err := c.AuthCodeFlow()
	if err != nil {
		t.Fatal(err)
	}
	mc := client.NewMemoryTokenCache()
	_ = mc.Store(context.Background(), "k", &client.Token{AccessToken: at, RefreshToken: rt})
	tok := client.Token{AccessToken: at, RefreshToken: rt}
	args := []any{c, holdClient{c}, src, holdSource{src}, flow, holdFlow{flow}, cfg, &cfg, mc, holdCache{mc}, tok, &tok}
	secrets := []string{secret, rt, at, flow.State()}
	for _, s := range secrets[:3] {
		secrets = append(secrets, fmt.Sprintf("%x", s))
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%d", "%x", "%X", "%q"} {
		for _, a := range args {
			out := fmt.Sprintf(verb, a)
			for _, s := range secrets {
				if strings.Contains(strings.ToLower(out), strings.ToLower(s)) {
					t.Errorf("%s of %T shows %q: %.200s", verb, a, s, out)
				}
			}
		}
	}
}

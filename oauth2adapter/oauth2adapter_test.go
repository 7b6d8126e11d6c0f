package oauth2adapter_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/oauth2adapter"
	"golang.org/x/oauth2"
)

// tokenSourceFunc adapts a function to oauth2.TokenSource.
type tokenSourceFunc func() (*oauth2.Token, error)

func (f tokenSourceFunc) Token() (*oauth2.Token, error) { return f() }

func TestFromOAuth2ConvertsTokens(t *testing.T) {
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	src := oauth2adapter.FromOAuth2(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "at", TokenType: "bearer", RefreshToken: "rt", Expiry: exp}))
	tok, err := src.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != "at" || tok.TokenType != "Bearer" || !tok.Expiry.Equal(exp) {
		t.Fatalf("token %+v (access %q)", tok, tok.AccessToken)
	}
}

func TestFromOAuth2ReportsFailures(t *testing.T) {
	boom := errors.New("boom")
	for name, src := range map[string]oauth2.TokenSource{
		"an error":            tokenSourceFunc(func() (*oauth2.Token, error) { return nil, boom }),
		"a nil token":         tokenSourceFunc(func() (*oauth2.Token, error) { return nil, nil }),
		"an empty token":      tokenSourceFunc(func() (*oauth2.Token, error) { return &oauth2.Token{}, nil }),
		"a nil oauth2 source": nil,
	} {
		if tok, err := oauth2adapter.FromOAuth2(src).Token(context.Background()); err == nil || tok != nil {
			t.Errorf("%s: got %v, %v", name, tok, err)
		}
	}
	_, err := oauth2adapter.FromOAuth2(tokenSourceFunc(func() (*oauth2.Token, error) { return nil, boom })).Token(context.Background())
	if !errors.Is(err, boom) {
		t.Errorf("the source's error is not wrapped: %v", err)
	}
}

func TestFromOAuth2StopsWaitingWhenTheContextEnds(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	src := oauth2adapter.FromOAuth2(tokenSourceFunc(func() (*oauth2.Token, error) {
		<-release
		return &oauth2.Token{AccessToken: "late"}, nil
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := src.Token(ctx); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("error %v, want the context's", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Token ignored its context")
	}
}

func TestFromOAuth2FeedsAClient(t *testing.T) {
	srv := docusigntest.NewServer()
	defer srv.Close()
	c, err := client.New(client.WithEnvironment(srv.Environment()),
		client.WithTokenSource(oauth2adapter.FromOAuth2(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: srv.AccessToken()}))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Account(context.Background()); err != nil {
		t.Fatalf("a client fed by an x/oauth2 source: %v", err)
	}
}

func TestToOAuth2ServesAClientsTokens(t *testing.T) {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration()
	c, err := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(app.Key),
		client.WithUserID(app.UserID), client.WithPrivateKey(app.PrivateKeyPEM()))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ts := oauth2adapter.ToOAuth2(ctx, c)
	tok, err := ts.Token()
	if err != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.Expiry.IsZero() {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	// A plain x/oauth2 HTTP client authenticates with it.
	resp, err := oauth2.NewClient(ctx, ts).Get(srv.URL() + "/oauth/userinfo")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("userinfo with the adapted token: %s", resp.Status)
	}
	if _, err := oauth2adapter.ToOAuth2(ctx, nil).Token(); err == nil {
		t.Error("a nil source gave a token")
	}
	failing := client.TokenSourceFunc(func(context.Context) (*client.Token, error) { return nil, errors.New("no consent") })
	if _, err := oauth2adapter.ToOAuth2(ctx, failing).Token(); err == nil || !strings.Contains(err.Error(), "no consent") {
		t.Errorf("error %v", err)
	}
}

package oauth2adapter

import (
	"context"
	"errors"
	"fmt"

	"github.com/dsgo/docusign/client"
	"golang.org/x/oauth2"
)

// FromOAuth2 returns a client.TokenSource that takes its tokens from src,
// for client.WithTokenSource. x/oauth2 sources carry the context they were
// built with; a call's ctx only bounds the wait (src's request goes on for
// its own context). src is asked on every call: wrap it in
// oauth2.ReuseTokenSource (most x/oauth2 constructors already do) to reuse a
// token until it expires. x/oauth2 sources cannot be told that a token was
// rejected, so after a 401 the Client retries only if src returns another
// token.
func FromOAuth2(src oauth2.TokenSource) client.TokenSource {
	return &fromOAuth2{src: src}
}

type fromOAuth2 struct{ src oauth2.TokenSource }

// result is one answer of an oauth2.TokenSource.
type result struct {
	tok *oauth2.Token
	err error
}

// Token asks the wrapped source, waiting at most until ctx is done.
func (s *fromOAuth2) Token(ctx context.Context) (*client.Token, error) {
	if s.src == nil {
		return nil, errors.New("docusign: oauth2adapter.FromOAuth2: the oauth2.TokenSource is nil")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	done := make(chan result, 1) // buffered: a late answer never blocks the goroutine
	go func() {
		t, err := s.src.Token()
		done <- result{t, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if r.err != nil {
		return nil, fmt.Errorf("docusign: oauth2 token source: %w", r.err)
	}
	if r.tok == nil || r.tok.AccessToken == "" {
		return nil, errors.New("docusign: oauth2 token source returned no access token")
	}
	return &client.Token{AccessToken: r.tok.AccessToken, TokenType: r.tok.Type(), Expiry: r.tok.Expiry}, nil
}

// String names the adapter without any token.
func (s *fromOAuth2) String() string { return fmt.Sprintf("oauth2adapter.FromOAuth2(%T)", s.src) }

// ToOAuth2 returns an oauth2.TokenSource that takes its tokens from src (a
// *client.Client, its TokenSource(), or any client.TokenSource), asking
// with ctx: for oauth2.NewClient, oauth2.ReuseTokenSource and libraries
// that accept an x/oauth2 source. A *client.Client already caches and
// refreshes its tokens early, so no further reuse wrapper is needed.
func ToOAuth2(ctx context.Context, src client.TokenSource) oauth2.TokenSource {
	return &toOAuth2{ctx: ctx, src: src}
}

type toOAuth2 struct {
	ctx context.Context
	src client.TokenSource
}

// Token asks the wrapped source.
func (s *toOAuth2) Token() (*oauth2.Token, error) {
	if s.src == nil {
		return nil, errors.New("docusign: oauth2adapter.ToOAuth2: the client.TokenSource is nil")
	}
	t, err := s.src.Token(s.ctx)
	if err != nil {
		return nil, err
	}
	if t == nil || t.AccessToken == "" {
		return nil, errors.New("docusign: token source returned no access token")
	}
	return &oauth2.Token{AccessToken: t.AccessToken, TokenType: t.Type(), Expiry: t.Expiry}, nil
}

// String names the adapter without any token.
func (s *toOAuth2) String() string { return fmt.Sprintf("oauth2adapter.ToOAuth2(%T)", s.src) }

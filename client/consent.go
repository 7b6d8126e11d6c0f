package client

import (
	"errors"
	"strings"
)

// ConsentParams are the inputs of a consent URL.
type ConsentParams struct {
	// Environment selects the OAuth server (Environment.OAuthURL).
	Environment Environment
	// IntegrationKey is the OAuth client ID.
	IntegrationKey string
	// RedirectURI must be registered for the integration key; DocuSign sends
	// the browser there after consent.
	RedirectURI string
	// Scopes to consent to; JWT grant needs ScopeImpersonation among them.
	Scopes []string
	// State is an optional opaque value DocuSign passes back to RedirectURI.
	State string
}

// ConsentURL builds the URL where a user grants the integration key consent
// for the JWT grant:
//
//	{OAuthURL}/oauth/auth?response_type=code&scope=S1%20S2&client_id=K&redirect_uri=R[&state=X]
//
// Scopes are joined by %20, and the redirect URI and state are
// percent-encoded as JavaScript's encodeURIComponent does, giving the same
// URL DocuSign's own SDKs build from the same inputs.
func ConsentURL(p ConsentParams) (string, error) {
	var errs []error
	if err := p.Environment.Validate(); err != nil {
		errs = append(errs, wrapOpt("ConsentParams.Environment", err))
	}
	if strings.TrimSpace(p.IntegrationKey) == "" {
		errs = append(errs, optErr("ConsentParams.IntegrationKey", "integration key is empty: set it (WithIntegrationKey)"))
	}
	if p.RedirectURI == "" {
		errs = append(errs, optErr("ConsentParams.RedirectURI", "redirect URI is empty: set one registered for the integration key (WithRedirectURI)"))
	} else if err := checkRedirectURI(p.RedirectURI); err != nil {
		errs = append(errs, wrapOpt("ConsentParams.RedirectURI", err))
	}
	if len(p.Scopes) == 0 {
		errs = append(errs, optErr("ConsentParams.Scopes", "no scopes: JWT grant needs at least signature and impersonation"))
	}
	if err := errors.Join(errs...); err != nil {
		return "", err
	}
	scopes := make([]string, len(p.Scopes))
	for i, s := range p.Scopes {
		scopes[i] = encodeURIComponent(s)
	}
	var b strings.Builder
	b.WriteString(strings.TrimRight(p.Environment.OAuthURL, "/"))
	b.WriteString("/oauth/auth?response_type=code&scope=")
	b.WriteString(strings.Join(scopes, "%20"))
	b.WriteString("&client_id=")
	b.WriteString(encodeURIComponent(strings.TrimSpace(p.IntegrationKey)))
	b.WriteString("&redirect_uri=")
	b.WriteString(encodeURIComponent(p.RedirectURI))
	if p.State != "" {
		b.WriteString("&state=")
		b.WriteString(encodeURIComponent(p.State))
	}
	return b.String(), nil
}

// encodeURIComponent percent-encodes s like JavaScript's function of that
// name: everything except A-Z a-z 0-9 - _ . ! ~ * ' ( ) is escaped, bytes of
// UTF-8 individually, with upper-case hex. (url.QueryEscape differs: it
// writes spaces as + and escapes ! ' ( ) *.)
func encodeURIComponent(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '!', c == '~', c == '*', c == '\'', c == '(', c == ')':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

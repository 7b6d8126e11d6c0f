package client

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// OAuth error codes DocuSign's account server returns.
const (
	codeConsentRequired = "consent_required"
	codeInvalidGrant    = "invalid_grant"
	codeInvalidKey      = "no_valid_keys_or_signatures"
	codeUnknownIssuer   = "issuer_not_found"
	codeUserNotFound    = "user_not_found"
	codeInvalidClient   = "invalid_client"
)

// Sentinel errors for classifying an *AuthError with errors.Is.
var (
	// ErrConsentRequired: the user (or an admin for the organization) has not
	// granted the integration key consent to impersonate. AuthError.ConsentURL
	// holds the URL to grant it when a redirect URI is configured.
	ErrConsentRequired = errors.New("docusign: consent required")
	// ErrInvalidGrant: the account server rejected the grant: the JWT
	// assertion, an authorization code or a refresh token (AuthError.Grant
	// says which). The more specific ErrInvalidKey, ErrUnknownIssuer and
	// ErrUserNotFound are kinds of invalid grant and match this too.
	ErrInvalidGrant = errors.New("docusign: invalid grant")
	// ErrInvalidKey: the assertion's signature matches none of the RSA keys
	// registered for the integration key (no_valid_keys_or_signatures).
	ErrInvalidKey = errors.New("docusign: no valid keys or signatures")
	// ErrUnknownIssuer: the integration key does not exist in this
	// environment (issuer_not_found).
	ErrUnknownIssuer = errors.New("docusign: integration key not found")
	// ErrUserNotFound: the user ID does not exist in this environment.
	ErrUserNotFound = errors.New("docusign: user not found")
)

// AuthError is an error answer from DocuSign's OAuth endpoints
// (/oauth/token, /oauth/userinfo). Use errors.Is with the Err... sentinels
// to classify it.
type AuthError struct {
	// Code is the most specific OAuth error code, e.g. "consent_required" or
	// "user_not_found" (DocuSign sometimes sends invalid_grant with the
	// specific code as the description; Code is then the specific one).
	Code string
	// Description is the server's error_description, if any.
	Description string
	// StatusCode is the HTTP status of the answer.
	StatusCode int
	// Endpoint is the URL that answered, with credentials and
	// secret-looking query values redacted (as in APIError.URL).
	Endpoint string
	// ConsentURL is where the user grants consent, set for consent_required
	// when a redirect URI is configured.
	ConsentURL string
	// Grant is the grant_type of the token request that failed (e.g.
	// GrantTypeRefreshToken), "" for other endpoints.
	Grant string
}

// authFixes explains each code in terms of what to change.
var authFixes = map[string]string{
	codeConsentRequired: "the user has not granted consent to this integration key; open the consent URL once, signed in as that user (or grant admin consent for the organization)",
	codeInvalidGrant:    "the JWT assertion was rejected; check the user ID, that the private key belongs to this integration key, and that the system clock is correct",
	codeInvalidKey:      "the private key does not match any RSA keypair of this integration key in this environment; add the keypair's public key under Apps and Keys or use the matching private key",
	codeUnknownIssuer:   "the integration key is not known in this environment; keys exist only in the developer environment until Go-Live promotes them to production",
	codeUserNotFound:    "the user ID does not exist in this environment; use the API Username (a GUID) from Apps and Keys of this environment",
}

// Error describes the failure and what to do about it.
func (e *AuthError) Error() string {
	var b strings.Builder
	b.WriteString("docusign: OAuth")
	if e.Endpoint != "" {
		b.WriteString(" " + e.Endpoint)
	}
	fmt.Fprintf(&b, ": HTTP %d", e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Description != "" && e.Description != e.Code {
		b.WriteString(": " + e.Description)
	}
	if fix := e.fix(); fix != "" {
		b.WriteString(" (" + fix + ")")
	}
	if e.ConsentURL != "" {
		b.WriteString("; grant consent at " + e.ConsentURL)
	} else if e.Code == codeConsentRequired {
		b.WriteString("; configure a redirect URI (WithRedirectURI) to get the consent URL here")
	}
	return b.String()
}

// codeGrantFixes explains invalid_grant and invalid_client answers to the
// authorization code and refresh token grants, which mean something else
// than for the JWT grant.
var codeGrantFixes = map[string]string{
	GrantTypeAuthorizationCode + " " + codeInvalidGrant:  "the authorization code was refused: it expired, was already used, was issued for another redirect URI or client, or the PKCE verifier does not match; log in again",
	GrantTypeRefreshToken + " " + codeInvalidGrant:       "the refresh token expired, was revoked or was already used (refresh tokens rotate); log in again",
	GrantTypeAuthorizationCode + " " + codeInvalidClient: "the integration key or its secret was refused; check the secret, or register the app as public (PKCE, no secret)",
	GrantTypeRefreshToken + " " + codeInvalidClient:      "the integration key or its secret was refused; check the secret, or register the app as public (PKCE, no secret)",
}

// fix is the advice for e's code and grant.
func (e *AuthError) fix() string {
	if f := codeGrantFixes[e.Grant+" "+e.Code]; f != "" {
		return f
	}
	if e.Code == codeInvalidGrant && e.Grant != "" && e.Grant != GrantTypeJWTBearer {
		return ""
	}
	return authFixes[e.Code]
}

// Is matches the sentinel for e.Code.
func (e *AuthError) Is(target error) bool {
	switch target {
	case ErrConsentRequired:
		return e.Code == codeConsentRequired
	case ErrInvalidGrant:
		switch e.Code {
		case codeInvalidGrant, codeInvalidKey, codeUnknownIssuer, codeUserNotFound:
			return true
		}
	case ErrInvalidKey:
		return e.Code == codeInvalidKey
	case ErrUnknownIssuer:
		return e.Code == codeUnknownIssuer
	case ErrUserNotFound:
		return e.Code == codeUserNotFound
	}
	return false
}

// newAuthError builds an *AuthError from a non-2xx answer; it reads (but
// does not close) resp.Body. The body is read like every DocuSign error
// body (parseErrorBody): the OAuth {"error","error_description"} form gives
// Code and Description, anything else a short printable description.
func newAuthError(resp *http.Response) *AuthError {
	e := &AuthError{StatusCode: resp.StatusCode}
	if resp.Request != nil {
		e.Endpoint = redactURL(resp.Request.URL)
	}
	data, _ := readCapped(resp.Body, maxErrorBody)
	e.Code, e.Description, _ = parseErrorBody(resp.Header.Get("Content-Type"), data)
	if e.Code == codeInvalidGrant {
		// DocuSign sometimes names the specific problem in the description.
		switch d := strings.TrimSpace(e.Description); d {
		case codeInvalidKey, codeUnknownIssuer, codeUserNotFound, codeConsentRequired:
			e.Code = d
		}
	}
	if e.Code == "" && e.StatusCode == http.StatusUnauthorized {
		e.Code = "unauthorized"
	}
	return e
}

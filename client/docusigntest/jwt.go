package docusigntest

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// oauthError is an OAuth error response: {"error", "error_description"}.
type oauthError struct {
	Code        string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

func (e *oauthError) Error() string { return e.Code + ": " + e.Description }

func grantError(code, format string, args ...any) *oauthError {
	return &oauthError{Code: code, Description: fmt.Sprintf(format, args...)}
}

// grant is what a verified assertion authorizes.
type grant struct {
	integrationKey string
	userID         string
	scopes         []string
}

// maxAssertionLifetime is DocuSign's limit on exp - iat.
const maxAssertionLifetime = time.Hour

// verifyAssertion checks a JWT grant assertion the way DocuSign's account
// server does, in its order: shape, issuer, signature, subject, audience,
// lifetime, consent.
func (s *Server) verifyAssertion(assertion string) (grant, *oauthError) {
	parts := strings.Split(assertion, ".")
	if len(parts) != 3 {
		return grant{}, grantError("invalid_grant", "the assertion is not a JWT (want header.payload.signature)")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return grant{}, grantError("invalid_grant", "the assertion header is not base64url JSON: %v", err)
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return grant{}, grantError("invalid_grant", "the assertion payload is not base64url JSON: %v", err)
	}

	iss, _ := claims["iss"].(string)
	s.mu.Lock()
	in := s.integrations[iss]
	var pubs []*rsa.PublicKey
	if in != nil {
		pubs = append(pubs, in.pubs...)
	}
	s.mu.Unlock()
	if in == nil {
		return grant{}, grantError("issuer_not_found", "no integration key %q (the iss claim)", iss)
	}

	if header.Alg != "RS256" {
		return grant{}, grantError("no_valid_keys_or_signatures", "alg %q is not RS256", header.Alg)
	}
	sig, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[2], "="))
	if err != nil {
		return grant{}, grantError("no_valid_keys_or_signatures", "the signature is not base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	verified := false
	for _, pub := range pubs {
		if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil {
			verified = true
			break
		}
	}
	if !verified {
		return grant{}, grantError("no_valid_keys_or_signatures", "the signature does not match any RSA key registered for the integration key")
	}

	sub, _ := claims["sub"].(string)
	if sub == "" {
		return grant{}, grantError("invalid_grant", "the sub claim (user ID) is missing")
	}
	if _, ok := s.User(sub); !ok {
		return grant{}, grantError("user_not_found", "no user %q (the sub claim)", sub)
	}

	if !s.audienceOK(claims["aud"]) {
		return grant{}, grantError("invalid_grant", "aud %v is not this server's OAuth host %q (host only, no scheme)", claims["aud"], s.OAuthHost())
	}

	iat, okIat := numericDate(claims["iat"])
	exp, okExp := numericDate(claims["exp"])
	switch {
	case !okIat:
		return grant{}, grantError("invalid_grant", "the iat claim is missing or not a number")
	case !okExp:
		return grant{}, grantError("invalid_grant", "the exp claim is missing or not a number")
	}
	now := s.Now()
	switch {
	case !exp.After(iat):
		return grant{}, grantError("invalid_grant", "exp %v is not after iat %v", exp, iat)
	case exp.Sub(iat) > maxAssertionLifetime:
		return grant{}, grantError("invalid_grant", "exp is %v after iat; the limit is one hour", exp.Sub(iat))
	case iat.After(now.Add(s.cfg.skew)):
		return grant{}, grantError("invalid_grant", "iat %v is in the future (server time %v)", iat.UTC(), now)
	case !exp.After(now.Add(-s.cfg.skew)):
		return grant{}, grantError("invalid_grant", "the assertion expired at %v (server time %v)", exp.UTC(), now)
	}

	scope, _ := claims["scope"].(string)
	scopes := strings.Fields(scope)
	if len(scopes) == 0 {
		scopes = []string{"signature"}
	}
	if missing := s.missingConsent(iss, sub, scopes); len(missing) > 0 {
		return grant{}, grantError("consent_required", "user %s has not consented to scopes %s for integration key %s", sub, strings.Join(missing, " "), iss)
	}
	return grant{integrationKey: iss, userID: strings.ToLower(sub), scopes: scopes}, nil
}

func decodeSegment(seg string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(seg, "="))
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(v)
}

func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := n.Float64()
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)), true
}

// audienceOK accepts a string or an array of strings containing an
// accepted audience.
func (s *Server) audienceOK(aud any) bool {
	switch a := aud.(type) {
	case string:
		return s.acceptsAudience(a)
	case []any:
		for _, v := range a {
			if str, ok := v.(string); ok && s.acceptsAudience(str) {
				return true
			}
		}
	}
	return false
}

func (s *Server) acceptsAudience(a string) bool {
	if a == s.OAuthHost() {
		return true
	}
	for _, extra := range s.cfg.audiences {
		if a == extra {
			return true
		}
	}
	return false
}

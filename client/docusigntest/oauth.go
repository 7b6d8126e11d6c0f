package docusigntest

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The JWT bearer grant type DocuSign's token endpoint accepts.
const jwtGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

type consentKey struct{ integrationKey, userID string }

// token is an issued access token, kept server-side.
type token struct {
	userID         string
	integrationKey string
	scopes         []string
	expires        time.Time
}

func (t *token) hasScope(scope string) bool { return slices.Contains(t.scopes, scope) }

// GrantConsent records that userID consented to scopes for integrationKey,
// as an individual consent through the consent page would. IDs are not
// checked, so tests can pre-grant consent for anything.
func (s *Server) GrantConsent(integrationKey, userID string, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := consentKey{integrationKey, strings.ToLower(userID)}
	set := s.consents[k]
	if set == nil {
		set = map[string]bool{}
		s.consents[k] = set
	}
	for _, sc := range scopes {
		set[sc] = true
	}
}

// RevokeConsent withdraws consent for the given scopes, or for every scope
// when none are given. Tokens already issued stay valid, as at DocuSign; use
// InvalidateTokens to revoke them too.
func (s *Server) RevokeConsent(integrationKey, userID string, scopes ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := consentKey{integrationKey, strings.ToLower(userID)}
	if len(scopes) == 0 {
		delete(s.consents, k)
		return
	}
	for _, sc := range scopes {
		delete(s.consents[k], sc)
	}
}

// HasConsent reports whether userID consented to every one of scopes for
// integrationKey.
func (s *Server) HasConsent(integrationKey, userID string, scopes ...string) bool {
	return len(s.missingConsent(integrationKey, userID, scopes)) == 0
}

func (s *Server) missingConsent(integrationKey, userID string, scopes []string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.consents[consentKey{integrationKey, strings.ToLower(userID)}]
	var missing []string
	for _, sc := range scopes {
		if !set[sc] {
			missing = append(missing, sc)
		}
	}
	return missing
}

// InvalidateTokens revokes every access token issued so far, as a password
// reset or an administrator's revocation does; the next API call with one
// gets 401.
func (s *Server) InvalidateTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}

// IssueToken mints an access token for userID without the JWT flow, for
// tests that are not about authentication. With no scopes it carries
// AllScopes. It expires after the token TTL.
func (s *Server) IssueToken(userID string, scopes ...string) string {
	if len(scopes) == 0 {
		scopes = AllScopes
	}
	return s.storeToken(&token{userID: strings.ToLower(userID), scopes: append([]string(nil), scopes...)}, s.cfg.tokenTTL)
}

// AccessToken mints a token for the default user with AllScopes.
func (s *Server) AccessToken() string { return s.IssueToken(s.defaultUserID) }

// storeToken files t as a new access token valid for ttl and returns it.
func (s *Server) storeToken(t *token, ttl time.Duration) string {
	t.expires = s.Now().Add(ttl)
	v := randomToken()
	s.mu.Lock()
	s.tokens[v] = t
	s.mu.Unlock()
	return v
}

func randomToken() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("docusigntest: " + err.Error())
	}
	return "dst." + base64.RawURLEncoding.EncodeToString(b[:])
}

// authProblem explains why a request is not authenticated.
type authProblem string

// authenticate finds the request's bearer token.
func (s *Server) authenticate(r *http.Request) (*token, authProblem) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, "the Authorization header is missing"
	}
	scheme, v, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(v) == "" {
		return nil, "the Authorization header is not a Bearer token"
	}
	s.mu.Lock()
	t := s.tokens[strings.TrimSpace(v)]
	s.mu.Unlock()
	if t == nil {
		return nil, "the access token is invalid or has been revoked"
	}
	if !s.Now().Before(t.expires) {
		return nil, "the access token has expired"
	}
	return t, ""
}

// handleToken serves POST /oauth/token (the JWT bearer grant).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, grantError("invalid_request", "the body is not a form: %v", err))
		return
	}
	switch gt := r.PostForm.Get("grant_type"); gt {
	case jwtGrantType:
	case grantAuthorizationCode, grantRefreshToken:
		s.handleCodeGrants(w, r, gt)
		return
	case "":
		writeJSON(w, http.StatusBadRequest, grantError("invalid_request", "grant_type is missing"))
		return
	default:
		writeJSON(w, http.StatusBadRequest, grantError("unsupported_grant_type", "grant_type %q is not supported; use %s, %s or %s", gt, jwtGrantType, grantAuthorizationCode, grantRefreshToken))
		return
	}
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		writeJSON(w, http.StatusBadRequest, grantError("invalid_request", "assertion is missing"))
		return
	}
	g, oerr := s.verifyAssertion(assertion)
	if oerr != nil {
		writeJSON(w, http.StatusBadRequest, oerr)
		return
	}
	v := s.storeToken(&token{userID: g.userID, integrationKey: g.integrationKey, scopes: g.scopes}, s.cfg.tokenTTL)
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": v,
		"token_type":   "Bearer",
		"expires_in":   int(s.cfg.tokenTTL / time.Second),
	})
}

// handleConsent serves GET /oauth/auth, the consent and login page: it
// records consent for the consent user and redirects to redirect_uri with
// a single-use code (bound to the client, redirect URI, scopes and any PKCE
// challenge) and the state, or with error=access_denied after DenyLogins.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var problems []string
	if rt := q.Get("response_type"); rt != "code" {
		problems = append(problems, "response_type must be code (got "+quote(rt)+")")
	}
	clientID := q.Get("client_id")
	s.mu.Lock()
	in := s.integrations[clientID]
	var registered []string
	if in != nil {
		registered = append(registered, in.redirect...)
	}
	s.mu.Unlock()
	if in == nil {
		problems = append(problems, "client_id "+quote(clientID)+" is not a known integration key")
	}
	redirect := q.Get("redirect_uri")
	ru, err := url.Parse(redirect)
	switch {
	case redirect == "":
		problems = append(problems, "redirect_uri is missing")
	case err != nil || (ru.Scheme != "http" && ru.Scheme != "https") || ru.Host == "":
		problems = append(problems, "redirect_uri "+quote(redirect)+" is not an absolute http(s) URL")
	case len(registered) > 0 && !slices.Contains(registered, redirect):
		problems = append(problems, "redirect_uri "+quote(redirect)+" is not registered for the integration key")
	}
	scopes := strings.Fields(q.Get("scope"))
	if len(scopes) == 0 {
		problems = append(problems, "scope is missing")
	}
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method != "":
		problems = append(problems, "code_challenge_method without code_challenge")
	case challenge != "" && method != "S256":
		problems = append(problems, "code_challenge_method must be S256 (got "+quote(method)+")")
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: strings.Join(problems, "; ")})
		return
	}
	out := ru.Query()
	if s.acg.denied.Load() {
		out.Set("error", "access_denied")
		out.Set("error_description", "the user declined")
	} else {
		s.GrantConsent(clientID, s.consentUser, scopes...)
		out.Set("code", s.issueCode(issuedCode{grantRecord: grantRecord{integrationKey: clientID, userID: s.consentUser, scopes: scopes}, redirectURI: redirect, challenge: challenge}))
	}
	if st := q.Get("state"); st != "" {
		out.Set("state", st)
	}
	ru.RawQuery = out.Encode()
	http.Redirect(w, r, ru.String(), http.StatusFound)
}

func quote(s string) string { return `"` + s + `"` }

// userinfoAccount is one entry of /oauth/userinfo's accounts.
type userinfoAccount struct {
	AccountID    string       `json:"account_id"`
	IsDefault    bool         `json:"is_default"`
	AccountName  string       `json:"account_name"`
	BaseURI      string       `json:"base_uri"`
	Organization *userinfoOrg `json:"organization,omitempty"`
}

type userinfoOrg struct {
	OrganizationID string         `json:"organization_id"`
	Links          []userinfoLink `json:"links"`
}

type userinfoLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// handleUserinfo serves GET /oauth/userinfo.
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	t, problem := s.authenticate(r)
	if t == nil {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, &oauthError{Code: "invalid_token", Description: string(problem)})
		return
	}
	u, ok := s.User(t.userID)
	if !ok {
		writeJSON(w, http.StatusUnauthorized, &oauthError{Code: "invalid_token", Description: "the token's user no longer exists"})
		return
	}
	accounts := make([]userinfoAccount, 0, len(u.AccountIDs))
	for i, id := range u.AccountIDs {
		a := s.account(id)
		accounts = append(accounts, userinfoAccount{
			AccountID:   a.ID,
			IsDefault:   i == 0,
			AccountName: a.Name,
			BaseURI:     a.BaseURI,
			Organization: &userinfoOrg{
				OrganizationID: s.orgID,
				Links:          []userinfoLink{{Rel: "self", Href: s.URL() + "/management/v2/organizations/" + s.orgID}},
			},
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sub":         u.ID,
		"name":        u.UserName,
		"given_name":  u.FirstName,
		"family_name": u.LastName,
		"email":       u.Email,
		"created":     u.Created.UTC().Format(layoutUserinfo),
		"accounts":    accounts,
	})
}

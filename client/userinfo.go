package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// UserInfo is the answer of /oauth/userinfo: who the token acts as and
// which accounts that user can use.
type UserInfo struct {
	// Sub is the user ID (GUID).
	Sub string `json:"sub"`
	// Name, GivenName, FamilyName and Email describe the user.
	Name       string `json:"name,omitempty"`
	GivenName  string `json:"given_name,omitempty"`
	FamilyName string `json:"family_name,omitempty"`
	Email      string `json:"email,omitempty"`
	// Created is when the user was created, as DocuSign formats it.
	Created string `json:"created,omitempty"`
	// Accounts lists the user's eSignature accounts.
	Accounts []Account `json:"accounts"`
}

// Account is one eSignature account of the user.
type Account struct {
	// AccountID is the account's GUID (the "API Account ID").
	AccountID string `json:"account_id"`
	// IsDefault marks the user's default account.
	IsDefault bool `json:"-"`
	// AccountName is the account's display name.
	AccountName string `json:"account_name,omitempty"`
	// BaseURI is the account's server, e.g. https://na3.docusign.net;
	// eSignature calls go to BaseURI + "/restapi".
	BaseURI string `json:"base_uri"`
	// Organization is the account's organization, if it belongs to one.
	Organization *AccountOrganization `json:"organization,omitempty"`
}

// AccountOrganization is the organization an account belongs to.
type AccountOrganization struct {
	// OrganizationID is the organization's GUID, as WithOrganizationID takes.
	OrganizationID string `json:"organization_id"`
	// Links point at the organization in the Admin API.
	Links []Link `json:"links,omitempty"`
}

// Link is a related resource.
type Link struct {
	// Rel names the relation, e.g. "self".
	Rel string `json:"rel"`
	// Href is the absolute URL.
	Href string `json:"href"`
}

// UnmarshalJSON accepts is_default as a boolean or as the string "true" or
// "false", both of which DocuSign has sent.
func (a *Account) UnmarshalJSON(data []byte) error {
	type plain Account
	var aux struct {
		plain
		IsDefault json.RawMessage `json:"is_default"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	*a = Account(aux.plain)
	if len(aux.IsDefault) > 0 && string(aux.IsDefault) != "null" {
		raw := strings.Trim(string(aux.IsDefault), `"`)
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("docusign: userinfo account %s: is_default %s is not a boolean", a.AccountID, aux.IsDefault)
		}
		a.IsDefault = b
	}
	return nil
}

// MarshalJSON writes is_default as a boolean.
func (a Account) MarshalJSON() ([]byte, error) {
	type plain Account
	return json.Marshal(struct {
		plain
		IsDefault bool `json:"is_default"`
	}{plain(a), a.IsDefault})
}

// clone deep-copies u so callers cannot change a cached value.
func (u *UserInfo) clone() *UserInfo {
	c := *u
	c.Accounts = make([]Account, len(u.Accounts))
	for i, a := range u.Accounts {
		if a.Organization != nil {
			org := *a.Organization
			org.Links = append([]Link(nil), org.Links...)
			a.Organization = &org
		}
		c.Accounts[i] = a
	}
	return &c
}

// ESignatureURL is the account's eSignature REST base, BaseURI + "/restapi".
func (a *Account) ESignatureURL() string {
	return strings.TrimRight(a.BaseURI, "/") + "/restapi"
}

// DefaultAccount returns the account flagged as default, or the first one.
func (u *UserInfo) DefaultAccount() (*Account, error) {
	if len(u.Accounts) == 0 {
		return nil, fmt.Errorf("docusign: user %s has no eSignature accounts in this environment", u.Sub)
	}
	for i := range u.Accounts {
		if u.Accounts[i].IsDefault {
			return &u.Accounts[i], nil
		}
	}
	return &u.Accounts[0], nil
}

// ErrAccountNotFound classifies an *AccountNotFoundError.
var ErrAccountNotFound = errors.New("docusign: account not found")

// AccountNotFoundError reports a configured account ID the user does not
// have, listing the ones the user does have.
type AccountNotFoundError struct {
	// AccountID is the configured account.
	AccountID string
	// UserID is the user whose accounts were searched.
	UserID string
	// Available lists the user's accounts.
	Available []Account
}

// Error names the missing account and lists the available ones.
func (e *AccountNotFoundError) Error() string {
	ids := make([]string, len(e.Available))
	for i, a := range e.Available {
		ids[i] = a.AccountID
		if a.AccountName != "" {
			ids[i] += " (" + a.AccountName + ")"
		}
		if a.IsDefault {
			ids[i] += " [default]"
		}
	}
	avail := "none"
	if len(ids) > 0 {
		avail = strings.Join(ids, ", ")
	}
	return fmt.Sprintf("docusign: WithAccountID: user %s has no account %s in this environment; the user's accounts are: %s", e.UserID, e.AccountID, avail)
}

// Is matches ErrAccountNotFound.
func (e *AccountNotFoundError) Is(target error) bool { return target == ErrAccountNotFound }

// Account returns the account with the given ID (case-insensitive), or an
// *AccountNotFoundError listing the user's accounts.
func (u *UserInfo) Account(accountID string) (*Account, error) {
	for i := range u.Accounts {
		if strings.EqualFold(u.Accounts[i].AccountID, accountID) {
			return &u.Accounts[i], nil
		}
	}
	return nil, &AccountNotFoundError{AccountID: accountID, UserID: u.Sub, Available: u.Accounts}
}

// selectAccount picks the configured account, else the default, and checks
// its base_uri.
func (u *UserInfo) selectAccount(accountID string) (*Account, error) {
	var a *Account
	var err error
	if accountID != "" {
		a, err = u.Account(accountID)
	} else {
		a, err = u.DefaultAccount()
	}
	if err != nil {
		return nil, err
	}
	if err := checkBaseURL(a.BaseURI); err != nil {
		return nil, fmt.Errorf("docusign: userinfo account %s has an unusable base_uri: %w", a.AccountID, err)
	}
	return a, nil
}

// oauthCredentialsKey carries, in an OAuth request's context, the function
// that adds its credentials (a bearer token, client authentication).
type oauthCredentialsKey struct{}

// oauthCredentials is the auth layer of the Client's OAuth pipeline: it
// adds an OAuth request's credentials from its context, below the
// WithMiddleware layers, which therefore never see them.
type oauthCredentials struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t *oauthCredentials) RoundTrip(req *http.Request) (*http.Response, error) {
	set, _ := req.Context().Value(oauthCredentialsKey{}).(func(*http.Request))
	if set == nil {
		return t.next.RoundTrip(req)
	}
	r := req.Clone(req.Context())
	set(r)
	return t.next.RoundTrip(r)
}

// oauthPipeline marks the Client's OAuth HTTP client (outermost, above the
// WithMiddleware layers): requests sent through it get their credentials
// from oauthCredentials.
type oauthPipeline struct{ next http.RoundTripper }

// RoundTrip implements http.RoundTripper.
func (t *oauthPipeline) RoundTrip(req *http.Request) (*http.Response, error) {
	return t.next.RoundTrip(req)
}

// withOAuthCredentials arranges for set to add req's credentials: inside
// the Client's OAuth pipeline, below the WithMiddleware layers, when hc is
// that pipeline; directly on req otherwise (a caller's own *http.Client).
func withOAuthCredentials(hc *http.Client, req *http.Request, set func(*http.Request)) *http.Request {
	if _, ours := hc.Transport.(*oauthPipeline); ours {
		return req.WithContext(context.WithValue(req.Context(), oauthCredentialsKey{}, set))
	}
	set(req)
	return req
}

// fetchUserInfo calls GET {OAuthURL}/oauth/userinfo with tok.
func fetchUserInfo(ctx context.Context, hc *http.Client, env Environment, tok *Token) (*UserInfo, error) {
	u := strings.TrimRight(env.OAuthURL, "/") + "/oauth/userinfo"
	// Error answers come back as responses to become *AuthError here.
	req, err := http.NewRequestWithContext(keepErrorResponses(ctx), http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("docusign: building userinfo request: %w", err)
	}
	req = withOAuthCredentials(hc, req, tok.SetAuthHeader)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("docusign: requesting userinfo: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAuthError(resp)
	}
	var info UserInfo
	if err := json.NewDecoder(io.LimitReader(resp.Body, 4<<20)).Decode(&info); err != nil {
		return nil, fmt.Errorf("docusign: decoding userinfo from %s: %w", u, err)
	}
	return &info, nil
}

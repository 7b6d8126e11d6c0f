package client

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Environment names every DocuSign host the library talks to. The predefined
// values Developer, Production and Stage cover DocuSign's own environments; a
// custom value (a proxy, a test server such as client/docusigntest) may set
// every URL itself.
//
// Switching an integration from the developer environment to production
// (Go-Live) is a change of this one value: tokens, user info and base URIs are
// cached per environment and never cross over.
type Environment struct {
	// Name identifies the environment in cache keys, logs and errors.
	Name string
	// OAuthURL is the account server, e.g. https://account-d.docusign.com.
	// Its host (without scheme) is the JWT audience.
	OAuthURL string
	// ESignatureURL is the eSignature REST base including /restapi, e.g.
	// https://demo.docusign.net/restapi. When empty, the base_uri of the
	// selected account (from /oauth/userinfo) plus /restapi is used, as
	// production requires.
	ESignatureURL string
	// AdminURL is the Admin API base including /management.
	AdminURL string
	// MonitorURL is the Monitor API base (the host; paths start with /api).
	MonitorURL string
	// Sandbox marks a developer-style environment, where integration keys
	// work before Go-Live: the Client's GoLiveTracker counts eSignature
	// calls only in sandbox environments. True for Developer; set it on a
	// custom environment that stands in for the developer one (a proxy in
	// front of demo.docusign.net, a test server).
	Sandbox bool
	// AllowHTTP lets the account base_uri that /oauth/userinfo reports use
	// plain http, for a local test server. Without it such an account is
	// refused and never receives the token: DocuSign's base URIs are https.
	// (The URLs above are used as configured, http included.)
	AllowHTTP bool
}

// Developer returns DocuSign's developer (demo) environment. The predefined
// environments are functions so that no caller can change them for everyone.
func Developer() Environment {
	return Environment{
		Name:          "developer",
		OAuthURL:      "https://account-d.docusign.com",
		ESignatureURL: "https://demo.docusign.net/restapi",
		AdminURL:      "https://api-d.docusign.net/management",
		MonitorURL:    "https://lens-d.docusign.net",
		Sandbox:       true,
	}
}

// Production returns DocuSign's production environment. eSignature calls go
// to the account's base_uri reported by /oauth/userinfo.
func Production() Environment {
	return Environment{
		Name:       "production",
		OAuthURL:   "https://account.docusign.com",
		AdminURL:   "https://api.docusign.net/management",
		MonitorURL: "https://lens.docusign.net",
	}
}

// Stage returns DocuSign's stage environment.
func Stage() Environment {
	return Environment{
		Name:          "stage",
		OAuthURL:      "https://account-s.docusign.com",
		ESignatureURL: "https://stage.docusign.net/restapi",
		AdminURL:      "https://api-s.docusign.net/management",
		MonitorURL:    "https://lens-s.docusign.net",
	}
}

// environmentNames maps every accepted configuration string to its environment.
var environmentNames = map[string]func() Environment{
	"developer":  Developer,
	"demo":       Developer,
	"production": Production,
	"prod":       Production,
	"stage":      Stage,
}

// ParseEnvironment returns the environment named by a configuration string:
// "developer" or "demo", "production" or "prod", "stage" (case-insensitive).
func ParseEnvironment(s string) (Environment, error) {
	if env, ok := environmentNames[strings.ToLower(strings.TrimSpace(s))]; ok {
		return env(), nil
	}
	return Environment{}, fmt.Errorf("docusign: unknown environment %q: valid values are developer (or demo), production (or prod), stage", s)
}

// OAuthHost is the OAuth server's host without scheme, the JWT audience.
func (e Environment) OAuthHost() string {
	u, err := url.Parse(e.OAuthURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Validate reports every malformed URL of the environment at once. Only
// OAuthURL is required; an empty ESignatureURL means "use the account's
// base_uri", and an empty AdminURL or MonitorURL makes those APIs unavailable.
// Each problem is an *OptionError naming the field ("Environment.OAuthURL").
func (e Environment) Validate() error {
	var errs []error
	if e.Name == "" {
		errs = append(errs, fieldErr("Environment.Name", "is empty: name the environment (it keys the token cache)"))
	}
	check := func(field, v string, required bool) {
		if v == "" {
			if required {
				errs = append(errs, fieldErr("Environment."+field, "is empty: set it to an absolute https URL"))
			}
			return
		}
		if err := checkBaseURL(v); err != nil {
			errs = append(errs, wrapOpt("Environment."+field, err))
		}
	}
	check("OAuthURL", e.OAuthURL, true)
	check("ESignatureURL", e.ESignatureURL, false)
	check("AdminURL", e.AdminURL, false)
	check("MonitorURL", e.MonitorURL, false)
	return errors.Join(errs...)
}

// checkBaseURL accepts an absolute http(s) URL without query or fragment.
func checkBaseURL(v string) error {
	u, err := url.Parse(v)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %v", v, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", v)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q must not have a query or fragment", v)
	}
	return nil
}

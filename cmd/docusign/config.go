package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/dsgo/docusign/client"
)

// setting is one configuration value that a flag or an environment
// variable can give; the flag wins.
type setting struct {
	flag, env, usage string
	secret           bool // never echoed
	value            string
	fromFlag         bool
}

// settings is the configuration shared by every command.
type settings struct {
	env, integrationKey, userID, privateKey, privateKeyFile *setting
	accountID, orgID, redirectURI, proxy, insecure          *setting
	oauthURL, esignURL, adminURL, monitorURL, tokenCache    *setting
	all                                                     []*setting
	verbose                                                 bool
}

func newSettings(fs *flag.FlagSet) *settings {
	s := &settings{}
	add := func(name, env, usage string, secret bool) *setting {
		st := &setting{flag: name, env: env, usage: usage, secret: secret}
		s.all = append(s.all, st)
		fs.Func(name, usage+" (env "+env+")", func(v string) error {
			st.value, st.fromFlag = v, true
			return nil
		})
		return st
	}
	s.env = add("env", "DOCUSIGN_ENV", "environment: developer (demo), production (prod) or stage", false)
	s.integrationKey = add("integration-key", "DOCUSIGN_INTEGRATION_KEY", "integration key (client ID, a GUID)", false)
	s.userID = add("user-id", "DOCUSIGN_USER_ID", "user ID to impersonate (a GUID)", false)
	s.privateKey = add("private-key", "DOCUSIGN_PRIVATE_KEY", "RSA private key PEM (prefer the variable or a file)", true)
	s.privateKeyFile = add("private-key-file", "DOCUSIGN_PRIVATE_KEY_FILE", "file holding the RSA private key PEM", false)
	s.accountID = add("account-id", "DOCUSIGN_ACCOUNT_ID", "eSignature account ID (default: the user's default account)", false)
	s.orgID = add("org-id", "DOCUSIGN_ORG_ID", "organization ID (Admin API)", false)
	s.redirectURI = add("redirect-uri", "DOCUSIGN_REDIRECT_URI", "redirect URI registered for the integration key (consent URL)", false)
	s.proxy = add("proxy", "DOCUSIGN_PROXY", "HTTP(S) proxy URL (default: HTTPS_PROXY/NO_PROXY)", false)
	s.insecure = add("insecure", "DOCUSIGN_INSECURE", "true to skip TLS verification (lab setups only)", false)
	s.oauthURL = add("oauth-url", "DOCUSIGN_OAUTH_URL", "override the OAuth server URL", false)
	s.esignURL = add("esign-url", "DOCUSIGN_ESIGN_URL", "override the eSignature base URL (with /restapi)", false)
	s.adminURL = add("admin-url", "DOCUSIGN_ADMIN_URL", "override the Admin base URL (with /management)", false)
	s.monitorURL = add("monitor-url", "DOCUSIGN_MONITOR_URL", "override the Monitor base URL", false)
	s.tokenCache = add("token-cache", "DOCUSIGN_TOKEN_CACHE", "directory for the token cache (default: the user cache dir; \"off\" disables)", false)
	fs.BoolVar(&s.verbose, "v", false, "log each HTTP request on stderr")
	return s
}

// resolve fills unset flags from the environment.
func (s *settings) resolve(getenv func(string) string) {
	for _, st := range s.all {
		if !st.fromFlag {
			st.value = strings.TrimSpace(getenv(st.env))
		}
	}
}

// name is how errors refer to a setting: both ways to give it.
func (st *setting) name() string { return "--" + st.flag + " / " + st.env }

// environment builds the Environment: a predefined one, or a custom one
// when any URL override is set. With overrides, only the given URLs are
// used: no request goes to a default host.
func (s *settings) environment() (client.Environment, error) {
	name := s.env.value
	if name == "" {
		name = "developer"
	}
	env, err := client.ParseEnvironment(name)
	if err != nil {
		return env, fmt.Errorf("%s: %w", s.env.name(), err)
	}
	overrides := []*setting{s.oauthURL, s.esignURL, s.adminURL, s.monitorURL}
	custom := false
	for _, o := range overrides {
		custom = custom || o.value != ""
	}
	if !custom {
		return env, nil
	}
	if s.oauthURL.value == "" {
		return env, fmt.Errorf("%s is required when any endpoint override is set (so that no request goes to a default host)", s.oauthURL.name())
	}
	return client.Environment{
		Name:          "custom:" + s.oauthURL.value,
		OAuthURL:      s.oauthURL.value,
		ESignatureURL: s.esignURL.value,
		AdminURL:      s.adminURL.value,
		MonitorURL:    s.monitorURL.value,
		// A proxy or test server in front of the developer environment
		// still counts toward Go-Live.
		Sandbox: env.Sandbox,
	}, nil
}

// need says which settings a command requires.
type need struct {
	auth, org, redirect bool
}

// validate reports every missing or malformed value at once.
func (s *settings) validate(n need) error {
	var errs []error
	if _, err := s.environment(); err != nil {
		errs = append(errs, err)
	}
	for _, st := range []*setting{s.oauthURL, s.esignURL, s.adminURL, s.monitorURL, s.proxy} {
		if st.value == "" {
			continue
		}
		if u, err := url.Parse(st.value); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s: %q is not an absolute http(s) URL", st.name(), redact(st)))
		}
	}
	for _, st := range []*setting{s.integrationKey, s.userID, s.accountID, s.orgID} {
		if st.value != "" && !client.ValidGUID(st.value) {
			errs = append(errs, fmt.Errorf("%s: %q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, as shown in Apps and Keys)", st.name(), st.value))
		}
	}
	if v := s.insecure.value; v != "" && v != "true" && v != "false" {
		errs = append(errs, fmt.Errorf("%s: %q must be true or false", s.insecure.name(), v))
	}
	if n.auth {
		for _, st := range []*setting{s.integrationKey, s.userID} {
			if st.value == "" {
				errs = append(errs, fmt.Errorf("%s is required", st.name()))
			}
		}
		if s.privateKey.value == "" && s.privateKeyFile.value == "" {
			errs = append(errs, fmt.Errorf("a private key is required: set %s or %s", s.privateKey.name(), s.privateKeyFile.name()))
		}
		if s.privateKey.value != "" && s.privateKeyFile.value != "" {
			errs = append(errs, fmt.Errorf("set only one of %s and %s", s.privateKey.name(), s.privateKeyFile.name()))
		}
	} else if s.integrationKey.value == "" {
		errs = append(errs, fmt.Errorf("%s is required", s.integrationKey.name()))
	}
	if n.org && s.orgID.value == "" {
		errs = append(errs, fmt.Errorf("%s is required for Admin API commands", s.orgID.name()))
	}
	if n.redirect && s.redirectURI.value == "" {
		errs = append(errs, fmt.Errorf("%s is required to build the consent URL", s.redirectURI.name()))
	}
	return errors.Join(errs...)
}

func redact(st *setting) string {
	if st.secret {
		return "[redacted]"
	}
	if u, err := url.Parse(st.value); err == nil && u.User != nil {
		u.User = url.User("[redacted]")
		return u.String()
	}
	return st.value
}

// durationOr parses a duration flag value.
func durationOr(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	return time.ParseDuration(v)
}

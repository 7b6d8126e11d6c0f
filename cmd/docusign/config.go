package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsgo/docusign/client"
)

// setting is one configuration value that a flag or an environment
// variable can give; the flag wins.
type setting struct {
	flag, env, usage string
	secret           bool // never echoed
	boolean          bool // true/false (1/0, t/f) only
	value            string
	fromFlag         bool
}

// settings is the configuration shared by every command.
type settings struct {
	env, integrationKey, userID, privateKey, privateKeyFile *setting
	accountID, orgID, redirectURI, proxy, insecure          *setting
	oauthURL, esignURL, adminURL, monitorURL, tokenCache    *setting
	auth, clientSecret                                      *setting // login.go
	all                                                     []*setting
	verbose                                                 bool
}

func newSettings(fs *flag.FlagSet) *settings {
	s := &settings{}
	add := func(name, env, usage string, secret bool) *setting {
		st := &setting{flag: name, env: env, usage: usage, secret: secret}
		s.all = append(s.all, st)
		if name == "" {
			return st // read from the environment only
		}
		fs.Func(name, usage+" (env "+env+")", func(v string) error {
			st.value, st.fromFlag = v, true
			return nil
		})
		return st
	}
	// A boolean setting: "--name" alone means true, "--name=false" false;
	// its variable takes the same values.
	addBool := func(name, env, usage string) *setting {
		st := &setting{flag: name, env: env, usage: usage, boolean: true}
		s.all = append(s.all, st)
		fs.BoolFunc(name, usage+" (env "+env+")", func(v string) error {
			if _, err := strconv.ParseBool(v); err != nil {
				return errors.New("want true or false")
			}
			st.value, st.fromFlag = v, true
			return nil
		})
		return st
	}
	s.env = add("env", "DOCUSIGN_ENV", "`NAME` of the environment: developer (demo), production (prod) or stage", false)
	s.integrationKey = add("integration-key", "DOCUSIGN_INTEGRATION_KEY", "integration key (client `ID`, a GUID)", false)
	s.userID = add("user-id", "DOCUSIGN_USER_ID", "user `ID` to impersonate (a GUID)", false)
	s.privateKey = add("private-key", "DOCUSIGN_PRIVATE_KEY", "RSA private key `PEM` (prefer the variable or a file)", true)
	s.privateKeyFile = add("private-key-file", "DOCUSIGN_PRIVATE_KEY_FILE", "`FILE` holding the RSA private key PEM", false)
	s.accountID = add("account-id", "DOCUSIGN_ACCOUNT_ID", "eSignature account `ID` (default: the user's default account)", false)
	s.orgID = add("org-id", "DOCUSIGN_ORG_ID", "organization `ID` (Admin API)", false)
	s.redirectURI = add("redirect-uri", "DOCUSIGN_REDIRECT_URI", "redirect `URI` registered for the integration key (consent URL)", false)
	s.proxy = add("proxy", "DOCUSIGN_PROXY", "proxy `URL`: http, https or socks5 (default: HTTPS_PROXY/NO_PROXY)", false)
	s.insecure = addBool("insecure", "DOCUSIGN_INSECURE", "skip TLS verification (lab setups only)")
	s.oauthURL = add("oauth-url", "DOCUSIGN_OAUTH_URL", "override the OAuth server `URL`", false)
	s.esignURL = add("esign-url", "DOCUSIGN_ESIGN_URL", "override the eSignature base `URL` (with /restapi)", false)
	s.adminURL = add("admin-url", "DOCUSIGN_ADMIN_URL", "override the Admin base `URL` (with /management)", false)
	s.monitorURL = add("monitor-url", "DOCUSIGN_MONITOR_URL", "override the Monitor base `URL`", false)
	s.tokenCache = add("token-cache", "DOCUSIGN_TOKEN_CACHE", "token cache `DIR` (default: the user cache dir; \"off\" disables)", false)
	s.addAuthSettings(add)
	fs.BoolVar(&s.verbose, "v", false, "log each HTTP attempt on stderr (failed attempts are otherwise only summed up in the error)")
	return s
}

// on reports whether a boolean setting is set to a true value.
func (st *setting) on() bool {
	v, err := strconv.ParseBool(st.value)
	return err == nil && v
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
func (st *setting) name() string { return settingName(st.flag, st.env) }

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
		// An OAuth URL the operator gave as plain http (a local test
		// server) already carries credentials over http: the accounts it
		// reports may then use http base URIs too.
		AllowHTTP: strings.HasPrefix(strings.ToLower(s.oauthURL.value), "http://"),
	}, nil
}

// need says which settings a command requires.
type need struct {
	auth, org, redirect bool
	login               bool // the Authorization Code Grant's login (login.go)
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
		schemes, want := []string{"http", "https"}, "an absolute http(s) URL"
		if st == s.proxy {
			// The schemes client.WithProxy accepts.
			schemes, want = []string{"http", "https", "socks5"}, "an http, https or socks5 URL such as http://proxy.example.com:3128"
		}
		if u, err := url.Parse(st.value); err != nil || !slices.Contains(schemes, u.Scheme) || u.Host == "" {
			errs = append(errs, fmt.Errorf("%s: %q is not %s", st.name(), redact(st), want))
		}
	}
	for _, st := range []*setting{s.integrationKey, s.userID, s.accountID, s.orgID} {
		if st.value != "" && !client.ValidGUID(st.value) {
			errs = append(errs, fmt.Errorf("%s: %q is not a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, as shown in Apps and Keys)", st.name(), st.value))
		}
	}
	for _, st := range s.all {
		if _, err := strconv.ParseBool(st.value); st.boolean && st.value != "" && err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a boolean: use true or false", st.name(), st.value))
		}
	}
	errs = append(errs, s.validateGrant(n)...)
	if n.auth && s.codeGrant(n) {
		if s.integrationKey.value == "" {
			errs = append(errs, fmt.Errorf("%s is required", s.integrationKey.name()))
		}
	} else if n.auth {
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

// redact is a setting's value as errors may show it: secrets not at all,
// URLs without their user information. It works on the text, so a URL
// that does not parse (the case where it is shown) loses its password too:
// everything between the scheme and the last "@" is replaced.
func redact(st *setting) string {
	if st.secret {
		return "[redacted]"
	}
	v := st.value
	at := strings.LastIndex(v, "@")
	if at < 0 {
		return v
	}
	start := 0
	if i := strings.Index(v, "://"); i >= 0 && i < at {
		start = i + len("://")
	}
	return v[:start] + "[redacted]" + v[at:]
}

// settingName is how errors refer to a setting: both ways to give it (the
// variable alone for a setting without a flag).
func settingName(flag, env string) string {
	if flag == "" {
		return env
	}
	return "--" + flag + " / " + env
}

// optionFlags names, for each library option and options field the CLI
// sets (keyed by client.OptionError.Option), the flags and variables that
// set it, so that configuration errors speak of those. Options the CLI
// derives itself, with no setting of their own, are in cliInternalOptions
// (options_test.go checks that every option the CLI sets is in one of them).
var optionFlags = func() map[string]string {
	s := newSettings(flag.NewFlagSet("", flag.ContinueOnError))
	env := s.env.name() + " or the URL overrides"
	return map[string]string{
		"WithEnvironment":                   env,
		"Environment.Name":                  s.env.name(),
		"Environment.OAuthURL":              s.oauthURL.name(),
		"Environment.ESignatureURL":         s.esignURL.name(),
		"Environment.AdminURL":              s.adminURL.name(),
		"Environment.MonitorURL":            s.monitorURL.name(),
		"WithIntegrationKey":                s.integrationKey.name(),
		"WithUserID":                        s.userID.name(),
		"WithPrivateKey":                    s.privateKey.name(),
		"WithPrivateKeyFile":                s.privateKeyFile.name(),
		"WithAccountID":                     s.accountID.name(),
		"WithOrganizationID":                s.orgID.name(),
		"WithRedirectURI":                   s.redirectURI.name(),
		"WithTokenCacheDir":                 s.tokenCache.name(),
		"WithProxy":                         s.proxy.name(),
		"WithInsecureSkipVerify":            s.insecure.name(),
		"WithAuthorizationCode":             s.auth.name(),
		"WithClientSecret":                  s.clientSecret.name(),
		"ConsentParams.Environment":         env,
		"ConsentParams.IntegrationKey":      s.integrationKey.name(),
		"ConsentParams.RedirectURI":         s.redirectURI.name(),
		"ConsentParams.State":               "--state",
		"MonitorEventsOptions.Cursor":       "--cursor",
		"MonitorEventsOptions.Since":        "--since",
		"MonitorEventsOptions.Checkpoint":   "--checkpoint",
		"MonitorEventsOptions.Limit":        "--limit",
		"MonitorEventsOptions.Follow":       "--follow",
		"MonitorEventsOptions.PollInterval": "--interval",
		"OrgUsersOptions.Status":            "--status",
		"OrgUsersOptions.Email":             "--email",
		"OrgUsersOptions.LastModifiedSince": "--modified-since",
		"OrgUsersOptions.Checkpoint":        "--checkpoint",
		"AccountUsersOptions.Checkpoint":    "--checkpoint",
	}
}()

// cliInternalOptions are the options and fields the CLI sets from its own
// decisions rather than from a setting: a problem with one is a bug of the
// CLI, shown under the library's name.
var cliInternalOptions = []string{
	"WithScopes",            // per command
	"WithLogger",            // -v and the progress line
	"Environment.Sandbox",   // from --env
	"Environment.AllowHTTP", // from the scheme of --oauth-url
	"ConsentParams.Scopes",  // from --for
	"LoginOptions.Open",     // prints the URL, opens a browser
}

// optionMessage is the text of a configuration error for the operator:
// the text of err, with each *client.OptionError in it naming the flags
// and variables of its option (optionFlags) instead of the library's name.
// An option error about a value made of fields the CLI sets one by one (the
// URLs of a custom environment) names those fields' settings instead.
func optionMessage(err error) string {
	msg := err.Error()
	for _, oe := range client.OptionErrors(err) {
		msg = strings.Replace(msg, oe.Error(), renderOption(oe), 1)
	}
	return msg
}

// renderOption is the text of oe with its option's settings named.
func renderOption(oe *client.OptionError) string {
	if inner := client.OptionErrors(oe.Err); len(inner) > 0 && allMapped(inner) {
		return optionMessage(oe.Err)
	}
	name, ok := optionFlags[oe.Option]
	if !ok {
		return oe.Error()
	}
	// Every line of the text starts with "docusign: " and the option.
	prefix := "docusign: " + oe.Option
	lines := strings.Split(oe.Error(), "\n")
	for i, line := range lines {
		lines[i] = name + strings.TrimPrefix(line, prefix)
	}
	return strings.Join(lines, "\n")
}

// allMapped reports whether every option of errs has settings of its own.
func allMapped(errs []*client.OptionError) bool {
	for _, e := range errs {
		if _, ok := optionFlags[e.Option]; !ok {
			return false
		}
	}
	return true
}

// durationOr parses a duration flag value.
func durationOr(v string, def time.Duration) (time.Duration, error) {
	if v == "" {
		return def, nil
	}
	return time.ParseDuration(v)
}

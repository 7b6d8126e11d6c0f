package benchenv

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Environment variable names. bench/node/worker.js reads the same ones,
// except CAFile, which the Node side gets as NODE_EXTRA_CA_CERTS.
const (
	EnvOAuthHost      = "BENCH_OAUTH_HOST"
	EnvESignURL       = "BENCH_ESIGN_URL"
	EnvAdminURL       = "BENCH_ADMIN_URL"
	EnvMonitorURL     = "BENCH_MONITOR_URL"
	EnvIntegrationKey = "BENCH_INTEGRATION_KEY"
	EnvUserID         = "BENCH_USER_ID"
	EnvAccountID      = "BENCH_ACCOUNT_ID"
	EnvOrgID          = "BENCH_ORG_ID"
	EnvPrivateKeyFile = "BENCH_PRIVATE_KEY_FILE"
	EnvN              = "BENCH_N"
	EnvCAFile         = "BENCH_CA_FILE"
	EnvWorkMS         = "BENCH_WORK_MS"
)

// Settings is what a worker needs to run one workload against the fake.
type Settings struct {
	// OAuthHost is the OAuth server as host:port, without scheme: the
	// official SDKs prepend https:// themselves, and it is the JWT audience.
	OAuthHost string
	// ESignURL, AdminURL and MonitorURL are the API base URLs
	// (…/restapi, …/management, the Monitor root).
	ESignURL, AdminURL, MonitorURL string
	// IntegrationKey, UserID, AccountID and OrgID identify the integration,
	// the impersonated user, its account and its organization.
	IntegrationKey, UserID, AccountID, OrgID string
	// PrivateKeyFile is a PEM file holding the integration's RSA key.
	PrivateKeyFile string
	// N sizes the workload: pages, users, concurrent or sequential calls.
	N int
	// CAFile is a PEM file with the certificate the fake serves, trusted
	// by the Go worker (empty: the system roots).
	CAFile string
	// Work is the consumer's simulated cost per page of records (Monitor
	// and Admin workloads), in whole milliseconds: the worker sleeps that
	// long after each page, as a collector writing to a SIEM or a queue
	// waits on it. 0: none.
	Work time.Duration
}

// Environ returns the settings as NAME=value entries for a child process.
func (s Settings) Environ() []string {
	env := []string{
		EnvOAuthHost + "=" + s.OAuthHost,
		EnvESignURL + "=" + s.ESignURL,
		EnvAdminURL + "=" + s.AdminURL,
		EnvMonitorURL + "=" + s.MonitorURL,
		EnvIntegrationKey + "=" + s.IntegrationKey,
		EnvUserID + "=" + s.UserID,
		EnvAccountID + "=" + s.AccountID,
		EnvOrgID + "=" + s.OrgID,
		EnvPrivateKeyFile + "=" + s.PrivateKeyFile,
		EnvN + "=" + strconv.Itoa(s.N),
	}
	if s.CAFile != "" {
		env = append(env, EnvCAFile+"="+s.CAFile)
	}
	if s.Work > 0 {
		env = append(env, EnvWorkMS+"="+strconv.FormatInt(s.Work.Milliseconds(), 10))
	}
	return env
}

// FromEnv reads Settings from the process environment, reporting every
// missing or malformed variable at once.
func FromEnv() (Settings, error) { return FromLookup(os.LookupEnv) }

// FromLookup reads Settings through lookup (os.LookupEnv in a worker).
func FromLookup(lookup func(string) (string, bool)) (Settings, error) {
	var errs []error
	get := func(name string) string {
		v, ok := lookup(name)
		if !ok || strings.TrimSpace(v) == "" {
			errs = append(errs, fmt.Errorf("benchenv: %s is not set: run the worker through bench/cmd/benchcompare, which sets it", name))
			return ""
		}
		return strings.TrimSpace(v)
	}
	s := Settings{
		OAuthHost:      get(EnvOAuthHost),
		ESignURL:       get(EnvESignURL),
		AdminURL:       get(EnvAdminURL),
		MonitorURL:     get(EnvMonitorURL),
		IntegrationKey: get(EnvIntegrationKey),
		UserID:         get(EnvUserID),
		AccountID:      get(EnvAccountID),
		OrgID:          get(EnvOrgID),
		PrivateKeyFile: get(EnvPrivateKeyFile),
	}
	if strings.Contains(s.OAuthHost, "://") {
		errs = append(errs, fmt.Errorf("benchenv: %s=%q has a scheme: give host:port only (the SDKs add https://)", EnvOAuthHost, s.OAuthHost))
	}
	if v := get(EnvN); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("benchenv: %s=%q is not a positive integer", EnvN, v))
		}
		s.N = n
	}
	if v, ok := lookup(EnvCAFile); ok {
		s.CAFile = strings.TrimSpace(v)
	}
	if v, ok := lookup(EnvWorkMS); ok && strings.TrimSpace(v) != "" {
		ms, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || ms < 0 {
			errs = append(errs, fmt.Errorf("benchenv: %s=%q is not a number of milliseconds", EnvWorkMS, v))
		}
		s.Work = time.Duration(ms) * time.Millisecond
	}
	return s, errors.Join(errs...)
}

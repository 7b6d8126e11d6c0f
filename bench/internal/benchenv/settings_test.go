package benchenv

import (
	"strings"
	"testing"
	"time"
)

func validSettings() Settings {
	return Settings{
		OAuthHost:      "127.0.0.1:4443",
		ESignURL:       "https://127.0.0.1:4443/restapi",
		AdminURL:       "https://127.0.0.1:4443/management",
		MonitorURL:     "https://127.0.0.1:4443",
		IntegrationKey: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
		UserID:         "11111111-2222-4333-8444-555555555555",
		AccountID:      "22222222-2222-4333-8444-555555555555",
		OrgID:          "33333333-2222-4333-8444-555555555555",
		PrivateKeyFile: "/tmp/key.pem",
		N:              200,
		CAFile:         "/tmp/ca.pem",
		Work:           50 * time.Millisecond,
	}
}

// lookupOf serves an environment given as NAME=value entries.
func lookupOf(env []string) func(string) (string, bool) {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestSettingsSurviveTheTripThroughTheEnvironment(t *testing.T) {
	want := validSettings()
	got, err := FromLookup(lookupOf(want.Environ()))
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestTheCAFileIsOptional(t *testing.T) {
	s := validSettings()
	s.CAFile = ""
	got, err := FromLookup(lookupOf(s.Environ()))
	if err != nil {
		t.Fatal(err)
	}
	if got.CAFile != "" {
		t.Errorf("CAFile = %q, want empty", got.CAFile)
	}
}

func TestFromLookupReportsEveryProblemAtOnce(t *testing.T) {
	env := validSettings().Environ()
	var kept []string
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, EnvUserID+"="), strings.HasPrefix(kv, EnvOrgID+"="):
			continue // missing
		case strings.HasPrefix(kv, EnvN+"="):
			kept = append(kept, EnvN+"=-3")
		case strings.HasPrefix(kv, EnvOAuthHost+"="):
			kept = append(kept, EnvOAuthHost+"=https://127.0.0.1:4443")
		default:
			kept = append(kept, kv)
		}
	}
	_, err := FromLookup(lookupOf(kept))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{EnvUserID + " is not set", EnvOrgID + " is not set", EnvN + `="-3" is not a positive integer`, EnvOAuthHost + `="https://127.0.0.1:4443" has a scheme`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

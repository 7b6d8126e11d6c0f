package docusigntest

import (
	"strings"
	"testing"
	"time"
)

func TestInvalidOptionsPanicNamingEveryProblem(t *testing.T) {
	defer func() {
		msg := ""
		if v := recover(); v != nil {
			msg = v.(error).Error()
		}
		for _, want := range []string{"WithUsers(0)", "WithRateLimit(0, 5)", "WithTokenTTL(0s)"} {
			if !strings.Contains(msg, want) {
				t.Errorf("panic %q does not mention %s", msg, want)
			}
		}
	}()
	NewServer(WithUsers(0), WithRateLimit(0, 5), WithTokenTTL(0))
}

func TestEveryOptionRejectsItsInvalidValues(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
	}{
		{"WithUsers", WithUsers(-1)},
		{"WithAccounts", WithAccounts(101)},
		{"WithEvents", WithEvents(-1)},
		{"WithEventsEndingAt", WithEventsEndingAt(time.Time{})},
		{"WithEnvelopes", WithEnvelopes(-1)},
		{"WithTokenTTL", WithTokenTTL(time.Millisecond)},
		{"WithClockSkew", WithClockSkew(-time.Second)},
		{"WithClock", WithClock(nil)},
		{"WithStartTime", WithStartTime(time.Time{})},
		{"WithRateLimit", WithRateLimit(1, 0)},
		{"WithThrottleStyle", WithThrottleStyle(ThrottleStyle(9))},
		{"WithAudience", WithAudience("")},
		{"WithConsentUser", WithConsentUser("")},
		{"WithRequestLogLimit", WithRequestLogLimit(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := defaultConfig()
			tt.opt(&cfg)
			if err := cfg.err(); err == nil || !strings.Contains(err.Error(), tt.name) {
				t.Errorf("error %v does not name %s", err, tt.name)
			}
		})
	}
}

func TestUnknownConsentUserPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewServer accepted an unknown consent user")
		}
	}()
	NewServer(WithConsentUser("nobody"))
}

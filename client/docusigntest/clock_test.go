package docusigntest

import (
	"testing"
	"time"
)

func TestClockFollowsTheConfiguredBaseAndAdvance(t *testing.T) {
	fixed := time.Date(2024, 5, 1, 10, 0, 0, 0, time.FixedZone("X", 3600))
	srv := newTestServer(t, WithClock(func() time.Time { return fixed }))
	if got := srv.Now(); !got.Equal(fixed) || got.Location() != time.UTC {
		t.Errorf("Now = %v, want %v in UTC", got, fixed)
	}
	srv.Advance(90 * time.Minute)
	if got := srv.Now(); !got.Equal(fixed.Add(90 * time.Minute)) {
		t.Errorf("after Advance Now = %v", got)
	}

	start := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	srv = newTestServer(t, WithStartTime(start))
	if d := srv.Now().Sub(start); d < 0 || d > time.Minute {
		t.Errorf("WithStartTime: Now = %v, want just after %v", srv.Now(), start)
	}
}

func TestAssertionsSignedWithAnotherClockAreRejected(t *testing.T) {
	srv := newTestServer(t, WithStartTime(time.Now().Add(-2*time.Hour)))
	in := srv.NewIntegration()
	now := time.Now() // the client's clock, two hours ahead of the server
	r := tokenRequest(t, srv, in.SignAssertion(Claims{
		Issuer: in.Key, Subject: in.UserID, Audience: srv.OAuthHost(), Scope: "signature",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour),
	}))
	wantStatus(t, r, 400)
}

func TestAssertionsSignedWithTheServerClockAreAccepted(t *testing.T) {
	srv := newTestServer(t, WithStartTime(time.Date(2021, 6, 1, 0, 0, 0, 0, time.UTC)))
	in := srv.NewIntegration()
	now := srv.Clock()()
	r := tokenRequest(t, srv, in.SignAssertion(Claims{
		Issuer: in.Key, Subject: in.UserID, Audience: srv.OAuthHost(), Scope: "signature",
		IssuedAt: now, ExpiresAt: now.Add(time.Hour),
	}))
	wantStatus(t, r, 200)
}

package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/bench/internal/benchfake"
	"github.com/dsgo/docusign/client"
)

// Each workload runs against the fake over TLS, trusting it through the CA
// file only, and does all of its work with the expected number of
// requests.
func TestWorkloadsDoAllTheirWorkWithTheExpectedRequests(t *testing.T) {
	const pages, users = 3, 600
	f, err := benchfake.Start(t.TempDir(), pages*benchenv.MonitorPageSize, users)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		workload string
		n        int
		check    func(t *testing.T, r benchenv.Result, c benchfake.Counts)
	}{
		{benchenv.Monitor, pages, func(t *testing.T, r benchenv.Result, c benchfake.Counts) {
			// A drain ends at the first empty page: one request more.
			if r.Events != pages*benchenv.MonitorPageSize || r.Requests != pages+1 || c.Monitor != pages+1 {
				t.Errorf("events %d, requests %d (fake: %d), want %d and %d", r.Events, r.Requests, c.Monitor, pages*benchenv.MonitorPageSize, pages+1)
			}
		}},
		{benchenv.Admin, users, func(t *testing.T, r benchenv.Result, c benchfake.Counts) {
			if want := 3; r.Users != users || r.Requests != want || c.Admin != want {
				t.Errorf("users %d, requests %d (fake: %d), want %d and %d", r.Users, r.Requests, c.Admin, users, want)
			}
		}},
		{benchenv.Auth, 40, func(t *testing.T, r benchenv.Result, c benchfake.Counts) {
			if r.Calls != 40 || c.ESignature != 40 || c.Token != 1 {
				t.Errorf("calls %d (fake: %d), token requests %d, want 40, 40 and exactly 1", r.Calls, c.ESignature, c.Token)
			}
		}},
		{benchenv.ESign, 25, func(t *testing.T, r benchenv.Result, c benchfake.Counts) {
			if r.Calls != 25 || c.ESignature != 25 || c.Token != 1 {
				t.Errorf("calls %d (fake: %d), token requests %d, want 25, 25 and 1", r.Calls, c.ESignature, c.Token)
			}
		}},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			s, err := f.NewRun(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Run(context.Background(), tc.workload, s)
			if err != nil {
				t.Fatal(err)
			}
			if r.Workload != tc.workload || r.Seconds <= 0 || r.PerSecond <= 0 {
				t.Errorf("result %+v lacks its workload or timing", r)
			}
			tc.check(t, r, f.Counts())
		})
	}
}

func TestAWorkerThatDoesNotTrustTheFakeFails(t *testing.T) {
	f, err := benchfake.Start(t.TempDir(), 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := f.NewRun(1)
	if err != nil {
		t.Fatal(err)
	}
	s.CAFile = "" // system roots only
	_, err = Run(context.Background(), benchenv.ESign, s)
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("error %v, want a certificate error", err)
	}
}

func TestAnUnknownWorkloadIsAnError(t *testing.T) {
	_, err := Run(context.Background(), "nope", benchenv.Settings{})
	if err == nil || !strings.Contains(err.Error(), `unknown workload "nope"`) {
		t.Errorf("error %v", err)
	}
}

func TestCheckEventRejectsEventsThatWereNotDecoded(t *testing.T) {
	good := func() client.Event {
		return client.Event{EventID: "e1", Timestamp: time.Unix(1, 0), Raw: json.RawMessage(`{"eventId":"e1"}`)}
	}
	for _, tc := range []struct {
		name  string
		edit  func(*client.Event)
		valid bool
	}{
		{"a decoded event passes", func(*client.Event) {}, true},
		{"no event ID fails", func(e *client.Event) { e.EventID = "" }, false},
		{"no timestamp fails", func(e *client.Event) { e.Timestamp = time.Time{} }, false},
		{"no raw JSON fails", func(e *client.Event) { e.Raw = nil }, false},
		{"raw JSON that is not an object fails", func(e *client.Event) { e.Raw = json.RawMessage(`"x"`) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := good()
			tc.edit(&e)
			if err := checkEvent(&e); (err == nil) != tc.valid {
				t.Errorf("checkEvent = %v, want valid %v", err, tc.valid)
			}
		})
	}
}

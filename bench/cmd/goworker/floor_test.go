package main

import (
	"context"
	"strings"
	"testing"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/bench/internal/benchfake"
)

func TestTheFloorMakesTheSameRequestsAsTheWorkloads(t *testing.T) {
	const pages, users = 3, 600
	f, err := benchfake.Start(t.TempDir(), pages*benchenv.MonitorPageSize, users)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, tc := range []struct {
		workload     string
		n            int
		items        func(benchenv.Result) int
		wantItems    int
		requests     func(benchfake.Counts) int
		wantRequests int
	}{
		{benchenv.Monitor, pages, func(r benchenv.Result) int { return r.Events }, pages * benchenv.MonitorPageSize, func(c benchfake.Counts) int { return c.Monitor }, pages + 1},
		{benchenv.Admin, users, func(r benchenv.Result) int { return r.Users }, users, func(c benchfake.Counts) int { return c.Admin }, 3},
		{benchenv.ESign, 25, func(r benchenv.Result) int { return r.Calls }, 25, func(c benchfake.Counts) int { return c.ESignature }, 25},
	} {
		t.Run(tc.workload, func(t *testing.T) {
			s, err := f.NewRun(tc.n)
			if err != nil {
				t.Fatal(err)
			}
			r, err := RunFloor(context.Background(), tc.workload, s)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.items(r); got != tc.wantItems {
				t.Errorf("got %d items, want %d", got, tc.wantItems)
			}
			if got := tc.requests(f.Counts()); got != tc.wantRequests {
				t.Errorf("the fake saw %d requests, want %d", got, tc.wantRequests)
			}
			if r.Seconds <= 0 || r.PerSecond <= 0 {
				t.Errorf("result %+v lacks timing", r)
			}
		})
	}
}

func TestTheAuthWorkloadHasNoFloor(t *testing.T) {
	f, err := benchfake.Start(t.TempDir(), 10, 5)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := f.NewRun(3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RunFloor(context.Background(), benchenv.Auth, s); err == nil || !strings.Contains(err.Error(), "has no floor") {
		t.Errorf("error %v", err)
	}
}

func TestStringMemberFindsTheFirstStringValue(t *testing.T) {
	body := []byte(`{"endCursor":"abc123","data":[{"endCursor":"inner"}]}`)
	if got, err := stringMember(body, "endCursor"); err != nil || got != "abc123" {
		t.Errorf("stringMember = %q, %v", got, err)
	}
	if _, err := stringMember(body, "next"); err == nil {
		t.Error("no error for a missing member")
	}
	if _, err := stringMember([]byte(`{"next":"abc`), "next"); err == nil {
		t.Error("no error for an unterminated value")
	}
}

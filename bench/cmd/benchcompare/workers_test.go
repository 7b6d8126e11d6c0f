package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/bench/internal/benchfake"
)

func TestWorkersDoNotInheritStaleBenchSettings(t *testing.T) {
	got := workerEnviron([]string{"PATH=/bin", "BENCH_N=5", "NODE_EXTRA_CA_CERTS=/old.pem", "HOME=/root", "NODE_OPTIONS=--x"})
	if want := []string{"PATH=/bin", "HOME=/root", "NODE_OPTIONS=--x"}; !slices.Equal(got, want) {
		t.Errorf("workerEnviron = %q, want %q", got, want)
	}
}

func TestCheckFailsAWorkerThatDidNotDoEverything(t *testing.T) {
	o := defaultOptions()
	for _, tc := range []struct {
		name string
		s    sample
		want string // "" when the sample is complete
	}{
		{"every Monitor event", sample{workload: benchenv.Monitor, res: benchenv.Result{Events: 400000}}, ""},
		{"a Monitor page short", sample{workload: benchenv.Monitor, res: benchenv.Result{Events: 398000}}, "got 398000 Monitor events, want 400000"},
		{"every user", sample{workload: benchenv.Admin, res: benchenv.Result{Users: 50000}}, ""},
		{"users missing", sample{workload: benchenv.Admin, res: benchenv.Result{Users: 49750}}, "got 49750 organization users"},
		{"every call reached the fake", sample{workload: benchenv.Auth, n: 1000, res: benchenv.Result{Calls: 1000}, seen: benchfake.Counts{ESignature: 1000}}, ""},
		{"calls missing at the fake", sample{workload: benchenv.ESign, n: 2000, res: benchenv.Result{Calls: 2000}, seen: benchfake.Counts{ESignature: 1999}}, "got 1999 eSignature requests"},
		{"calls missing in the worker's report", sample{workload: benchenv.ESign, n: 2000, res: benchenv.Result{Calls: 1999}, seen: benchfake.Counts{ESignature: 2000}}, "reported 1999 calls"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.s.check(o)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("check = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("check = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

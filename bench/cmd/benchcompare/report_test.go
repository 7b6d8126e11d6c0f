package main

import (
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/bench/internal/benchenv"
	"github.com/dsgo/docusign/bench/internal/benchfake"
)

func defaultOptions() options {
	o, err := parseFlags(nil)
	if err != nil {
		panic(err)
	}
	return o
}

// monitorSample is one Monitor run of a side.
func monitorSample(side string, perSecond float64, rssMiB int64, requests int) sample {
	return sample{side: side, workload: benchenv.Monitor, n: 200,
		res:  benchenv.Result{Workload: benchenv.Monitor, Events: 400000, Seconds: 400000 / perSecond, PerSecond: perSecond},
		seen: benchfake.Counts{Monitor: requests, Total: requests + 1, Token: 1},
		rss:  rssMiB << 20}
}

func TestTheTableShowsMediansRatiosAndTargets(t *testing.T) {
	o := defaultOptions()
	o.workloads = []string{benchenv.Monitor}
	samples := []sample{
		monitorSample(sideGo, 450000, 26, 201), monitorSample(sideGo, 900000, 30, 201), monitorSample(sideGo, 400000, 20, 201),
		monitorSample(sideNode, 200000, 190, 201), monitorSample(sideNode, 210000, 200, 201), monitorSample(sideNode, 100000, 150, 201),
	}
	r := newReport(o, machine{cpus: 2, goVer: "go1.26.8", nodeVer: "v20.20.2", sdks: "docusign-monitor 3.0.0", date: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)}, samples)
	md := r.markdown()
	for _, want := range []string{
		"## Side by side with the official Node SDKs (`make bench-compare`)",
		"Measured 2026-11-23. Machine: 2 CPUs",
		"go1.26.8; Node v20.20.2; docusign-monitor 3.0.0",
		"| Monitor: drain 200 pages of 2000 events | events/s | 450,000 | 200,000 | 2.25× | Go ≥ 2× Node: met |",
		"|  | peak RSS | 26.0 MiB | 190.0 MiB | 0.14× | Go ≤ 0.2× Node: met |",
		"|  | Monitor requests | 201 | 201 | — | Go = 201: met |",
		"Command: `go run -C bench ./cmd/benchcompare -runs 5 -pages 200 -users 50000 -concurrent 1000 -calls 2000 -workloads monitor`.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
	if !r.targetsMet() {
		t.Error("targetsMet = false, want true")
	}
}

func TestAMissedTargetIsMarkedAndReported(t *testing.T) {
	for _, tc := range []struct {
		name    string
		go_     sample
		missing string
	}{
		{"too slow", monitorSample(sideGo, 300000, 26, 201), "| events/s | 300,000 | 200,000 | 1.50× | Go ≥ 2× Node: **missed** |"},
		{"too big", monitorSample(sideGo, 500000, 60, 201), "| peak RSS | 60.0 MiB | 200.0 MiB | 0.30× | Go ≤ 0.2× Node: **missed** |"},
		{"an extra request", monitorSample(sideGo, 500000, 26, 202), "| Monitor requests | 202 | 201 | — | Go = 201: **missed** |"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := defaultOptions()
			o.workloads = []string{benchenv.Monitor}
			r := newReport(o, machine{}, []sample{tc.go_, monitorSample(sideNode, 200000, 200, 201)})
			if r.targetsMet() {
				t.Error("targetsMet = true, want false")
			}
			if md := r.markdown(); !strings.Contains(md, tc.missing) {
				t.Errorf("table lacks %q:\n%s", tc.missing, md)
			}
		})
	}
}

func TestCountsThatDifferBetweenRunsShowTheirRangeAndMissTheTarget(t *testing.T) {
	o := defaultOptions()
	o.workloads = []string{benchenv.Auth}
	auth := func(side string, tokens int) sample {
		return sample{side: side, workload: benchenv.Auth, res: benchenv.Result{Workload: benchenv.Auth, Seconds: 1}, seen: benchfake.Counts{Token: tokens}, rss: 50 << 20}
	}
	r := newReport(o, machine{}, []sample{auth(sideGo, 1), auth(sideGo, 2), auth(sideNode, 1000), auth(sideNode, 1000)})
	md := r.markdown()
	if want := "| Auth: 1,000 concurrent eSignature calls, no token yet | token requests | 1–2 | 1,000 | — | Go = 1: **missed** |"; !strings.Contains(md, want) {
		t.Errorf("table lacks %q:\n%s", want, md)
	}
}

func TestTheFloorColumnShowsTheRawHTTPFigures(t *testing.T) {
	o := defaultOptions()
	o.workloads = []string{benchenv.Monitor}
	r := newReport(o, machine{}, []sample{monitorSample(sideGo, 450000, 26, 201), monitorSample(sideNode, 200000, 200, 201), monitorSample(sideFloor, 800000, 12, 201)})
	md := r.markdown()
	for _, want := range []string{
		"| workload | measure | dsgo (Go) | official Node SDK | Go ÷ Node | target | floor |",
		"| events/s | 450,000 | 200,000 | 2.25× | Go ≥ 2× Node: met | 800,000 |",
		"| peak RSS | 26.0 MiB | 200.0 MiB | 0.13× | Go ≤ 0.2× Node: met | — |",
		"| Monitor requests | 201 | 201 | — | Go = 201: met | 201 |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
}

func TestWithOneSideTheOtherColumnIsEmptyAndNoRatioIsJudged(t *testing.T) {
	o := defaultOptions()
	o.workloads, o.sides = []string{benchenv.Monitor}, []string{sideGo}
	r := newReport(o, machine{}, []sample{monitorSample(sideGo, 450000, 26, 201)})
	md := r.markdown()
	if want := "| events/s | 450,000 | — | — |  |"; !strings.Contains(md, want) {
		t.Errorf("table lacks %q:\n%s", want, md)
	}
	if !r.targetsMet() {
		t.Error("targetsMet = false with nothing to compare against")
	}
}

func TestTheDefaultCommandIsNamedAsTheMakeTarget(t *testing.T) {
	md := newReport(defaultOptions(), machine{}, nil).markdown()
	if want := "Command: `make bench-compare`, i.e. `go run -C bench ./cmd/benchcompare -runs 5 -pages 200 -users 50000 -concurrent 1000 -calls 2000`."; !strings.Contains(md, want) {
		t.Errorf("table lacks %q:\n%s", want, md)
	}
}

func TestMedianOfEvenAndOddSeries(t *testing.T) {
	f := func(x sample) float64 { return x.res.PerSecond }
	mk := func(v ...float64) series {
		var s series
		for _, x := range v {
			s = append(s, sample{res: benchenv.Result{PerSecond: x}})
		}
		return s
	}
	for _, tc := range []struct {
		s    series
		want float64
	}{{mk(3, 1, 2), 2}, {mk(4, 1, 3, 2), 2.5}, {mk(), 0}} {
		if got := tc.s.median(f); got != tc.want {
			t.Errorf("median = %v, want %v", got, tc.want)
		}
	}
}

func TestNumberFormatting(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{thousands(0), "0"},
		{thousands(999.6), "1,000"},
		{thousands(1234567), "1,234,567"},
		{formatMB(0), "n/a"},
		{formatMB(3 << 20), "3.0 MiB"},
		{formatSpan(200, 200), "200"},
		{formatSpan(1, 1000), "1–1,000"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if got := ceilDiv(50000, 250); got != 200 {
		t.Errorf("ceilDiv(50000, 250) = %d", got)
	}
	if got := ceilDiv(50001, 250); got != 201 {
		t.Errorf("ceilDiv(50001, 250) = %d", got)
	}
}

func TestThePipelineTableComparesEachSideWithTheFloorAndTheLimit(t *testing.T) {
	o := defaultOptions()
	o.workloads, o.pages, o.latency, o.work = []string{benchenv.Monitor}, 10, 150*time.Millisecond, 50*time.Millisecond
	at := func(side string, secs float64) sample {
		return sample{side: side, workload: benchenv.Monitor, res: benchenv.Result{Workload: benchenv.Monitor, Events: 20000, Seconds: secs, PerSecond: 20000 / secs}}
	}
	r := newReport(o, machine{}, []sample{at(sideGoSerial, 2.2), at(sideGo, 1.7), at(sideNode, 2.3), at(sideFloor, 1.66)})
	md := r.pipelineMarkdown()
	for _, want := range []string{
		"### Paging: read-ahead, latency 150ms, consumer work 50ms per page",
		"| Monitor: drain 10 pages of 2000 events (and the empty page that ends the drain) | dsgo, read-ahead off | 2.200 | 9,091 | 0.75× | 1.333× |",
		"|  | dsgo, read-ahead 1 (default) | 1.700 | 11,765 | 0.98× | 1.030× |",
		"|  | official Node SDK | 2.300 |",
		"|  | floor | 1.660 | 12,048 | 1.00× | — |",
		"|  | limit: 10 × max(150ms, 50ms) + 150ms | 1.650 | | | 1× |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("table lacks %q:\n%s", want, md)
		}
	}
	if got := limit(4, 0, 0); got != 0 {
		t.Errorf("limit without latency or work = %v, want 0", got)
	}
	if got := limit(4, 10*time.Millisecond, 30*time.Millisecond); got != 130*time.Millisecond {
		t.Errorf("limit(4, 10ms, 30ms) = %v, want 130ms", got)
	}
}

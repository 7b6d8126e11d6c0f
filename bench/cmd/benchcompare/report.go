package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dsgo/docusign/bench/internal/benchenv"
)

// Targets for the Go side.
const (
	targetMonitorSpeedup = 2.0 // Monitor events/s at least this times the official SDK's
	targetMonitorMemory  = 0.2 // at no more than this fraction of its peak RSS
)

// report is the comparison table and the facts needed to reproduce it.
type report struct {
	o     options
	m     machine
	rows  []row
	floor bool // the floor side ran: the table has its column
	// samples are every sample of the run.
	samples []sample
	fl      series // the floor samples of the workload being added
}

// row is one line of the table. A row with a target has met set.
type row struct {
	workload, measure string
	goV, nodeV, ratio string
	floorV            string // "" when the floor side did not run
	target            string
	met               *bool
}

// series is the samples of one workload and side.
type series []sample

func (s series) median(f func(sample) float64) float64 {
	if len(s) == 0 {
		return 0
	}
	v := make([]float64, len(s))
	for i, x := range s {
		v[i] = f(x)
	}
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// span returns the smallest and largest of a count over the samples.
func (s series) span(f func(sample) int) (lo, hi int) {
	for i, x := range s {
		v := f(x)
		if i == 0 || v < lo {
			lo = v
		}
		if i == 0 || v > hi {
			hi = v
		}
	}
	return lo, hi
}

// series is the samples of one workload and side, in run order.
func (r *report) series(workload, side string) series {
	var s series
	for _, x := range r.samples {
		if x.workload == workload && x.side == side {
			s = append(s, x)
		}
	}
	return s
}

func newReport(o options, m machine, samples []sample) *report {
	r := &report{o: o, m: m, samples: samples}
	by := r.series
	rate := func(x sample) float64 { return x.res.PerSecond }
	secs := func(x sample) float64 { return x.res.Seconds }
	rss := func(x sample) float64 { return float64(x.rss) }
	r.floor = slices.Contains(o.sides, sideFloor)
	for _, w := range o.workloads {
		g, n := by(w, sideGo), by(w, sideNode)
		r.fl = by(w, sideFloor)
		switch w {
		case benchenv.Monitor:
			label := fmt.Sprintf("Monitor: drain %d pages of %d events", o.pages, benchenv.MonitorPageSize)
			speedup := targetMonitorSpeedup
			if o.latency > 0 || o.work > 0 {
				speedup = 0 // a loopback target: latency and work dominate here (see the paging table)
			}
			r.addRate(label, "events/s", g, n, rate, speedup)
			r.addMemory(label, g, n, rss, targetMonitorMemory)
			// A drain ends at the first empty page: one request more.
			r.addCount(label, "Monitor requests", g, n, func(x sample) int { return x.seen.Monitor }, o.pages+1)
		case benchenv.Admin:
			label := fmt.Sprintf("Admin: list %s org users, take %d", thousands(float64(o.users)), benchenv.AdminPageSize)
			r.addRate(label, "users/s", g, n, rate, 0)
			r.addCount(label, "Admin requests", g, n, func(x sample) int { return x.seen.Admin }, ceilDiv(o.users, benchenv.AdminPageSize))
			r.addMemory(label, g, n, rss, 0)
		case benchenv.Auth:
			label := fmt.Sprintf("Auth: %s concurrent eSignature calls, no token yet", thousands(float64(o.concurrent)))
			r.addCount(label, "token requests", g, n, func(x sample) int { return x.seen.Token }, 1)
			r.addSeconds(label, "wall time", g, n, secs)
			r.addMemory(label, g, n, rss, 0)
		case benchenv.ESign:
			label := fmt.Sprintf("eSignature: %s sequential get-user calls", thousands(float64(o.calls)))
			r.addRate(label, "calls/s", g, n, rate, 0)
			r.addMemory(label, g, n, rss, 0)
		}
	}
	return r
}

// lastWorkload is the workload of the group the table ends with.
func (r *report) lastWorkload() string {
	for i := len(r.rows) - 1; i >= 0; i-- {
		if r.rows[i].workload != "" {
			return r.rows[i].workload
		}
	}
	return ""
}

// push appends a row, naming the workload only on the first row of its
// group.
func (r *report) push(x row) {
	if r.lastWorkload() == x.workload {
		x.workload = ""
	}
	r.rows = append(r.rows, x)
}

// addRate adds a higher-is-better rate; minRatio > 0 makes Go ÷ Node a
// target.
func (r *report) addRate(label, measure string, g, n series, f func(sample) float64, minRatio float64) {
	x := row{workload: label, measure: measure, goV: "—", nodeV: "—", ratio: "—"}
	gv, nv := g.median(f), n.median(f)
	if len(g) > 0 {
		x.goV = thousands(gv)
	}
	if len(n) > 0 {
		x.nodeV = thousands(nv)
	}
	if len(r.fl) > 0 {
		x.floorV = thousands(r.fl.median(f))
	}
	if len(g) > 0 && len(n) > 0 && nv > 0 {
		x.ratio = fmt.Sprintf("%.2f×", gv/nv)
		if minRatio > 0 {
			met := gv/nv >= minRatio
			x.target, x.met = fmt.Sprintf("Go ≥ %g× Node", minRatio), &met
		}
	}
	r.push(x)
}

// addSeconds adds a lower-is-better duration.
func (r *report) addSeconds(label, measure string, g, n series, f func(sample) float64) {
	x := row{workload: label, measure: measure, goV: "—", nodeV: "—", ratio: "—"}
	gv, nv := g.median(f), n.median(f)
	if len(g) > 0 {
		x.goV = fmt.Sprintf("%.3f s", gv)
	}
	if len(n) > 0 {
		x.nodeV = fmt.Sprintf("%.3f s", nv)
	}
	if len(r.fl) > 0 {
		x.floorV = fmt.Sprintf("%.3f s", r.fl.median(f))
	}
	if len(g) > 0 && len(n) > 0 && nv > 0 {
		x.ratio = fmt.Sprintf("%.2f×", gv/nv)
	}
	r.push(x)
}

// addMemory adds peak RSS; maxRatio > 0 makes Go ÷ Node a target.
func (r *report) addMemory(label string, g, n series, f func(sample) float64, maxRatio float64) {
	x := row{workload: label, measure: "peak RSS", goV: "—", nodeV: "—", ratio: "—"}
	gv, nv := g.median(f), n.median(f)
	if len(g) > 0 {
		x.goV = formatMB(int64(gv))
	}
	if len(n) > 0 {
		x.nodeV = formatMB(int64(nv))
	}
	if len(g) > 0 && len(n) > 0 && gv > 0 && nv > 0 {
		x.ratio = fmt.Sprintf("%.2f×", gv/nv)
		if maxRatio > 0 {
			met := gv/nv <= maxRatio
			x.target, x.met = fmt.Sprintf("Go ≤ %g× Node", maxRatio), &met
		}
	}
	r.push(x)
}

// addCount adds a count the fake made; the Go side must make exactly want
// on every run.
func (r *report) addCount(label, measure string, g, n series, f func(sample) int, want int) {
	x := row{workload: label, measure: measure, goV: "—", nodeV: "—", ratio: "—"}
	if len(g) > 0 {
		lo, hi := g.span(f)
		x.goV = formatSpan(lo, hi)
		met := lo == want && hi == want
		x.target, x.met = fmt.Sprintf("Go = %d", want), &met
	}
	if len(n) > 0 {
		x.nodeV = formatSpan(n.span(f))
	}
	if len(r.fl) > 0 {
		x.floorV = formatSpan(r.fl.span(f))
	}
	r.push(x)
}

// targetsMet reports whether every target in the table was met.
func (r *report) targetsMet() bool {
	for _, x := range r.rows {
		if x.met != nil && !*x.met {
			return false
		}
	}
	return true
}

// command is the command line that reproduces the table.
func (r *report) command() string {
	o := r.o
	args := []string{"go", "run", "-C", "bench", "./cmd/benchcompare",
		"-runs", strconv.Itoa(o.runs), "-pages", strconv.Itoa(o.pages), "-users", strconv.Itoa(o.users),
		"-concurrent", strconv.Itoa(o.concurrent), "-calls", strconv.Itoa(o.calls)}
	if !slices.Equal(o.workloads, benchenv.Workloads) {
		args = append(args, "-workloads", strings.Join(o.workloads, ","))
	}
	if !slices.Equal(o.sides, []string{sideGo, sideNode, sideFloor}) {
		args = append(args, "-sides", strings.Join(o.sides, ","))
	}
	if o.latency > 0 {
		args = append(args, "-latency", o.latency.String())
	}
	if o.work > 0 {
		args = append(args, "-work", o.work.String())
	}
	return strings.Join(args, " ")
}

// markdown renders the report as a BENCHMARKS.md section.
func (r *report) markdown() string {
	var b strings.Builder
	m := r.m
	b.WriteString("## Side by side with the official Node SDKs (`make bench-compare`)\n\n")
	fmt.Fprintf(&b, "Measured %s. Machine: %d CPUs", m.date.Format("2006-01-02"), m.cpus)
	if m.cpuModel != "" {
		fmt.Fprintf(&b, " (%s)", m.cpuModel)
	}
	if m.memory > 0 {
		fmt.Fprintf(&b, ", %.1f GiB", float64(m.memory)/(1<<30))
	}
	fmt.Fprintf(&b, ", %s/%s; %s", m.goos, m.goarch, m.goVer)
	if m.nodeVer != "" {
		fmt.Fprintf(&b, "; Node %s; %s", m.nodeVer, m.sdks)
	}
	b.WriteString(".\n\n")
	if d, err := parseFlags(nil); err == nil && r.command() == (&report{o: d}).command() {
		fmt.Fprintf(&b, "Command: `make bench-compare`, i.e. `%s`. ", r.command())
	} else {
		fmt.Fprintf(&b, "Command: `%s`. ", r.command())
	}
	fmt.Fprintf(&b, "Each workload ran %d times per side, each time in a fresh worker process with a fresh integration key (so no token) against one fake DocuSign (client/docusigntest over TLS on loopback, in the orchestrator's process); figures are medians, counts are the fake's own (a range when runs differed), peak RSS is the worker's ru_maxrss (started from a small spawner process, so that the fake's memory does not leak into it; a process doing nothing measures %s). Go ÷ Node above 1 means Go is higher.\n\n", r.o.runs, formatMB(m.rssFloor))
	if r.floor {
		b.WriteString("The floor column makes the same requests with plain net/http and no decoding (`goworker -floor`): what the fake and TLS alone cost, the most any client could reach here.\n\n")
		b.WriteString("| workload | measure | dsgo (Go) | official Node SDK | Go ÷ Node | target | floor |\n")
		b.WriteString("|---|---|--:|--:|--:|---|--:|\n")
	} else {
		b.WriteString("| workload | measure | dsgo (Go) | official Node SDK | Go ÷ Node | target |\n")
		b.WriteString("|---|---|--:|--:|--:|---|\n")
	}
	for _, x := range r.rows {
		target := x.target
		if x.met != nil {
			if *x.met {
				target += ": met"
			} else {
				target += ": **missed**"
			}
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |", x.workload, x.measure, x.goV, x.nodeV, x.ratio, target)
		if r.floor {
			v := x.floorV
			if v == "" {
				v = "—"
			}
			fmt.Fprintf(&b, " %s |", v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// thousands formats v rounded to an integer with comma separators.
func thousands(v float64) string {
	s := strconv.FormatInt(int64(v+0.5), 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// formatMB formats a byte count in MiB; 0 is unknown.
func formatMB(n int64) string {
	if n <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

func formatSpan(lo, hi int) string {
	if lo == hi {
		return thousands(float64(lo))
	}
	return thousands(float64(lo)) + "–" + thousands(float64(hi))
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsgo/docusign/bench/internal/benchenv"
)

// pipelineMarkdown renders the paging workloads side by side: dsgo without
// and with read-ahead, the official SDK and the floor, each as the median
// time of the drain, against the floor and, with latency or work, against
// the drain's limit. "" when no paging workload ran.
func (r *report) pipelineMarkdown() string {
	o := r.o
	var b strings.Builder
	for _, w := range o.workloads {
		var pages int
		var what string
		switch w {
		case benchenv.Monitor:
			pages, what = o.pages, fmt.Sprintf("Monitor: drain %d pages of %d events (and the empty page that ends the drain)", o.pages, benchenv.MonitorPageSize)
		case benchenv.Admin:
			pages, what = ceilDiv(o.users, benchenv.AdminPageSize), fmt.Sprintf("Admin: list %s org users, %d pages of %d", thousands(float64(o.users)), ceilDiv(o.users, benchenv.AdminPageSize), benchenv.AdminPageSize)
		default:
			continue
		}
		if b.Len() == 0 {
			fmt.Fprintf(&b, "\n### Paging: read-ahead, latency %v, consumer work %v per page\n\n", o.latency, o.work)
			b.WriteString("Median seconds of the timed drain. ")
			if l := limit(pages, o.latency, o.work); l > 0 {
				b.WriteString("The limit is what a client that overlaps every request with the work on the page before it would take: pages × max(latency, work) + one latency. ")
			}
			b.WriteString("The floor makes the same requests with plain net/http, no decoding and no work.\n\n")
			b.WriteString("| workload | side | seconds | records/s | ÷ floor (rate) | ÷ limit (time) |\n|---|---|--:|--:|--:|--:|\n")
		}
		l := limit(pages, o.latency, o.work)
		floorRate := r.medianOf(w, sideFloor, func(x sample) float64 { return x.res.PerSecond })
		first := true
		for _, side := range []struct{ name, label string }{
			{sideGoSerial, "dsgo, read-ahead off"},
			{sideGo, "dsgo, read-ahead 1 (default)"},
			{sideNode, "official Node SDK"},
			{sideFloor, "floor"},
		} {
			secs := r.medianOf(w, side.name, func(x sample) float64 { return x.res.Seconds })
			if secs == 0 {
				continue
			}
			rate := r.medianOf(w, side.name, func(x sample) float64 { return x.res.PerSecond })
			label := ""
			if first {
				label, first = what, false
			}
			vsFloor, vsLimit := "—", "—"
			if floorRate > 0 {
				vsFloor = fmt.Sprintf("%.2f×", rate/floorRate)
			}
			if l > 0 && side.name != sideFloor {
				vsLimit = fmt.Sprintf("%.3f×", secs/l.Seconds())
			}
			fmt.Fprintf(&b, "| %s | %s | %.3f | %s | %s | %s |\n", label, side.label, secs, thousands(rate), vsFloor, vsLimit)
		}
		if l > 0 {
			fmt.Fprintf(&b, "|  | limit: %d × max(%v, %v) + %v | %.3f | | | 1× |\n", pages, o.latency, o.work, o.latency, l.Seconds())
		}
	}
	return b.String()
}

// limit is the least time a drain of pages pages can take when each
// request takes latency and the work on each page takes work: the first
// request, then one page's latency or work, whichever is longer, per page.
// 0 without latency and work.
func limit(pages int, latency, work time.Duration) time.Duration {
	if latency == 0 && work == 0 {
		return 0
	}
	return time.Duration(pages)*max(latency, work) + latency
}

// medianOf is the median of f over the samples of one workload and side,
// 0 when there are none.
func (r *report) medianOf(workload, side string, f func(sample) float64) float64 {
	return r.series(workload, side).median(f)
}

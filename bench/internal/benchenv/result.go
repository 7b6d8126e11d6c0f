package benchenv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// The workloads, by the name a worker takes as its argument.
const (
	// Monitor drains N pages of 2000 Monitor events.
	Monitor = "monitor"
	// Admin lists every organization user, 250 per page.
	Admin = "admin"
	// Auth makes N concurrent eSignature calls starting with no token.
	Auth = "auth"
	// ESign makes N sequential eSignature get-user calls.
	ESign = "esign"
)

// Workloads lists every workload in the order the benchmark runs them.
var Workloads = []string{Monitor, Admin, Auth, ESign}

// MonitorPageSize is the Monitor page size both sides ask for (the API's
// maximum).
const MonitorPageSize = 2000

// AdminPageSize is the Admin users page size both sides ask for (the API's
// maximum).
const AdminPageSize = 250

// Result is the JSON line a worker prints when its workload is done. Both
// workers fill the fields that apply to their workload; the rest stay zero.
type Result struct {
	Workload string `json:"workload"`
	// Events, Users and Calls count what the workload got: Monitor events,
	// Admin users, eSignature calls.
	Events int `json:"events,omitempty"`
	Users  int `json:"users,omitempty"`
	Calls  int `json:"calls,omitempty"`
	// Requests is how many API requests the worker counted itself.
	Requests int `json:"requests,omitempty"`
	// TokenRequests is how many token requests the worker counted itself
	// (the Node auth workload reports it; the fake counts for both sides).
	TokenRequests int `json:"token_requests,omitempty"`
	// Seconds is the timed part of the workload; PerSecond its rate.
	Seconds   float64 `json:"seconds"`
	PerSecond float64 `json:"per_second,omitempty"`
}

// ParseResult finds the result line in a worker's standard output (the
// last line that is a JSON object) and checks it is for workload.
func ParseResult(stdout []byte, workload string) (Result, error) {
	lines := bytes.Split(bytes.TrimSpace(stdout), []byte("\n"))
	for _, line := range slices.Backward(lines) {
		line = bytes.TrimSpace(line)
		if len(line) == 0 || line[0] != '{' {
			continue
		}
		var r Result
		if err := json.Unmarshal(line, &r); err != nil {
			return Result{}, fmt.Errorf("benchenv: worker result %q: %w", line, err)
		}
		if r.Workload != workload {
			return Result{}, fmt.Errorf("benchenv: worker reported workload %q, want %q", r.Workload, workload)
		}
		if r.Seconds <= 0 {
			return Result{}, fmt.Errorf("benchenv: worker result for %s has no positive seconds", workload)
		}
		return r, nil
	}
	return Result{}, errors.New("benchenv: the worker printed no JSON result line")
}

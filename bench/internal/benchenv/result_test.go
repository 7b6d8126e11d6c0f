package benchenv

import (
	"strings"
	"testing"
)

func TestParseResultReadsTheLastJSONLine(t *testing.T) {
	out := "npm notice: something\n{\"workload\":\"monitor\",\"events\":1,\"seconds\":9}\n{\"workload\":\"monitor\",\"events\":400000,\"requests\":200,\"seconds\":1.5,\"per_second\":266666.7}\n"
	r, err := ParseResult([]byte(out), Monitor)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{Workload: Monitor, Events: 400000, Requests: 200, Seconds: 1.5, PerSecond: 266666.7}
	if r != want {
		t.Errorf("got %+v, want %+v", r, want)
	}
}

func TestParseResultRejectsBadOutput(t *testing.T) {
	for _, tc := range []struct {
		name, out, want string
	}{
		{"no JSON line", "hello\n", "no JSON result line"},
		{"another workload", `{"workload":"admin","seconds":1}`, `reported workload "admin"`},
		{"no time", `{"workload":"monitor","events":5}`, "no positive seconds"},
		{"broken JSON", `{"workload":`, "worker result"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseResult([]byte(tc.out), Monitor)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

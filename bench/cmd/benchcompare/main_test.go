package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestDefaultsAreTheIssueSizes(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.pages != 200 || o.users != 50000 || o.concurrent != 1000 || o.calls != 2000 || o.runs != 5 {
		t.Errorf("defaults %+v", o)
	}
	if !slices.Equal(o.workloads, []string{"monitor", "admin", "auth", "esign"}) || !slices.Equal(o.sides, []string{"go", "node", "floor"}) {
		t.Errorf("workloads %v, sides %v", o.workloads, o.sides)
	}
}

func TestParseFlagsReportsEveryProblemAtOnce(t *testing.T) {
	_, err := parseFlags([]string{"-runs", "0", "-pages", "-1", "-workloads", "monitor,bogus", "-sides", "go,python", "-limit", "0s", "extra"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{"-runs 0", "-pages -1", `unknown workload "bogus"`, `unknown side "python"`, "-limit 0s must be positive", `unexpected arguments ["extra"]`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestListsAreTrimmedAndDeduplicated(t *testing.T) {
	if got := splitList(" go, node ,go,,"); !slices.Equal(got, []string{"go", "node"}) {
		t.Errorf("splitList = %q", got)
	}
}

func TestAWorkerGetsNoMoreTimeThanTheRunHasLeft(t *testing.T) {
	if got := workerTimeout(context.Background(), time.Minute); got != time.Minute {
		t.Errorf("without a deadline: %v, want 1m", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if got := workerTimeout(ctx, time.Minute); got > 5*time.Second || got < 4*time.Second {
		t.Errorf("5s before the deadline: %v, want about 5s", got)
	}
	if got := workerTimeout(ctx, time.Second); got != time.Second {
		t.Errorf("with a shorter worker limit: %v, want 1s", got)
	}
}

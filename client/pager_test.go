package client

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"testing"
)

// sliceSource serves a list of ids in pages of size n, as page "/p?start=i".
// failAt makes the fetch of that start fail once.
type sliceSource struct {
	ids    []string
	n      int
	failAt int
	calls  int
}

func (s *sliceSource) fetch(_ context.Context, at pagePos) (fetched[string], error) {
	s.calls++
	start := 0
	if at.page != "" {
		start, _ = strconv.Atoi(at.page[len("/p?start="):])
	}
	if start == s.failAt {
		s.failAt = -1
		return fetched[string]{}, errors.New("boom")
	}
	end := min(start+s.n, len(s.ids))
	f := fetched[string]{at: pagePos{page: "/p?start=" + strconv.Itoa(start)}, items: slices.Clone(s.ids[start:end])}
	if end == len(s.ids) {
		f.last, f.complete = true, true
	} else {
		f.next = pagePos{page: "/p?start=" + strconv.Itoa(end)}
	}
	return f, nil
}

func newSlicePager(src *sliceSource, cp Checkpoint) *Pager[string] {
	return newPager[string]("test", src, func(s *string) uint64 { return recordFingerprint(*s) }, pagePos{}, cp)
}

func TestPagerNextPageAndCheckpoints(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c", "d", "e"}, n: 2, failAt: -1}
	p := newSlicePager(src, Checkpoint{})
	if !p.Checkpoint().IsZero() {
		t.Fatal("a list pager that fetched nothing has a non-zero checkpoint")
	}
	var pages [][]string
	for p.HasMorePages() {
		pg, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, pg.Items)
		if got := p.Checkpoint(); got.String() != pg.Checkpoint(len(pg.Items)).String() {
			t.Fatalf("after NextPage the pager's checkpoint %v is not the page's end %v", got, pg.Checkpoint(len(pg.Items)))
		}
	}
	if len(pages) != 3 || !p.Checkpoint().Done() {
		t.Fatalf("pages %v, checkpoint %v", pages, p.Checkpoint())
	}
	if _, err := p.NextPage(context.Background()); !errors.Is(err, ErrNoMorePages) {
		t.Fatalf("NextPage after the end: %v, want ErrNoMorePages", err)
	}
}

func TestPagerErrorLeavesThePositionAndRetries(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c", "d", "e"}, n: 2, failAt: 2}
	p := newSlicePager(src, Checkpoint{})
	var got []string
	errs := 0
	for range 3 {
		for s, err := range p.All(context.Background()) {
			if err != nil {
				errs++
				break
			}
			got = append(got, s)
		}
	}
	if !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) || errs != 1 {
		t.Fatalf("got %v with %d errors", got, errs)
	}
}

func TestPagerAllAfterBreakContinuesAfterTheLastRecord(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c", "d", "e"}, n: 3, failAt: -1}
	p := newSlicePager(src, Checkpoint{})
	var got []string
	for s := range p.All(context.Background()) {
		got = append(got, s)
		break
	}
	if cp := p.Checkpoint(); cp.Offset() != 1 || cp.Page() != "/p?start=0" {
		t.Fatalf("checkpoint after one record: %v", cp)
	}
	for s := range p.All(context.Background()) {
		got = append(got, s)
	}
	if !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
		t.Fatalf("got %v", got)
	}
}

func TestPageCheckpointClampsK(t *testing.T) {
	src := &sliceSource{ids: []string{"a", "b", "c"}, n: 2, failAt: -1}
	p := newSlicePager(src, Checkpoint{})
	pg, err := p.NextPage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if cp := pg.Checkpoint(-3); cp.Offset() != 0 || cp.Page() != "/p?start=0" {
		t.Fatalf("Checkpoint(-3) = %v", cp)
	}
	if cp := pg.Checkpoint(99); cp.Offset() != 0 || cp.Page() != "/p?start=2" {
		t.Fatalf("Checkpoint(99) = %v", cp)
	}
}

func TestPositionNext(t *testing.T) {
	top := func(js string) map[string]json.RawMessage {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(js), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	tests := []struct {
		name     string
		cur      string
		top      string
		n        int
		want     string
		complete bool
	}{
		{"empty page ends", "/u?count=5&start_position=10", `{"totalSetSize":"100"}`, 0, "", true},
		{"more by total", "/u?count=5&start_position=10", `{"totalSetSize":"100"}`, 5, "/u?count=5&start_position=15", false},
		{"end by total", "/u?count=5&start_position=95", `{"totalSetSize":"100","nextUri":"/x"}`, 5, "", true},
		{"numeric total", "/u?count=5&start_position=0", `{"totalSetSize":7}`, 5, "/u?count=5&start_position=5", false},
		{"more by nextUri", "/u?count=5&start_position=0&status=a", `{"nextUri":"/x"}`, 5, "/u?count=5&start_position=5&status=a", false},
		{"no total, no nextUri", "/u?count=5&start_position=0", `{}`, 5, "", true},
		{"partial page but total says more", "/u?count=5&start_position=0", `{"totalSetSize":"9"}`, 3, "/u?count=5&start_position=3", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, complete, err := positionNext(nextArgs{cur: tt.cur, top: top(tt.top), n: tt.n}, 5)
			if err != nil || got != tt.want || complete != tt.complete {
				t.Fatalf("positionNext = %q, %v, %v; want %q, %v", got, complete, err, tt.want, tt.complete)
			}
		})
	}
}

func TestTopLevelString(t *testing.T) {
	for raw, want := range map[string]string{
		`{"id":"a"}`:                         "a",
		`{"x":{"id":"inner"},"id":"outer"}`:  "outer",
		`{"x":[1,{"id":"no"}]}`:              "",
		`{"id":5}`:                           "",
		`{"id":"\u0061b"}`:                   "ab",
		`not json`:                           "",
		`{"id":"a","id":"b"}`:                "b",
		`{"userId":"u","id":"i","z":[true]}`: "i",
	} {
		got, _ := topLevelString([]byte(raw), "id")
		if got != want {
			t.Errorf("topLevelString(%s) = %q, want %q", raw, got, want)
		}
	}
}

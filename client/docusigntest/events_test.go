package docusigntest

import (
	"testing"
	"time"
)

func TestAppendTicksMatchesTimeFormat(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 999999900, time.UTC),
		time.Date(2024, 5, 1, 10, 11, 12, 123456700, time.UTC),
		time.Date(2100, 12, 31, 1, 2, 3, 400, time.UTC),
	} {
		if got, want := string(appendTicks(nil, toTicks(tm))), tm.Format(layoutDS7); got != want {
			t.Errorf("appendTicks(%v) = %s, want %s", tm, got, want)
		}
	}
}

func TestCursorsRoundTripAndRejectTampering(t *testing.T) {
	users := []*User{{ID: "u", AccountIDs: []string{"a"}}}
	es := newEventStore(9, "org", users, 10, time.Now())
	for _, pos := range []int{0, 1, 9, 10, 123456789} {
		c := string(es.appendCursor(nil, pos))
		if got, ok := es.decodeCursor(c); !ok || got != pos {
			t.Errorf("cursor %q for %d decodes to %d, %v", c, pos, got, ok)
		}
		flipped := []byte(c)
		flipped[3] ^= 1
		if _, ok := es.decodeCursor(string(flipped)); ok {
			t.Errorf("tampered cursor %q accepted", flipped)
		}
	}
	other := newEventStore(10, "org", users, 10, time.Now())
	if _, ok := other.decodeCursor(string(es.appendCursor(nil, 5))); ok {
		t.Error("a cursor from another seed was accepted")
	}
}

func TestAppendedEventsFollowTheLastOneUpToNow(t *testing.T) {
	end := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	es := newEventStore(1, "org", []*User{{ID: "u", AccountIDs: []string{"a"}}}, 1000, end)
	last := es.ticks(999)
	// The clock has moved an hour: new events fill the gap, none in the future.
	now := end.Add(time.Hour)
	if n := es.appendEvents(100, now); n != 1100 {
		t.Fatalf("count %d, want 1100", n)
	}
	if first := es.ticks(1000); first <= last {
		t.Errorf("appended event at %d not after the last at %d", first, last)
	}
	if es.ticks(1099) > toTicks(now) {
		t.Errorf("appended event after now")
	}
	// The clock has not moved: events still strictly increase.
	es.appendEvents(50, now)
	for i := 1; i < 1150; i++ {
		if es.ticks(i) <= es.ticks(i-1) {
			t.Fatalf("event %d at %d not after event %d at %d", i, es.ticks(i), i-1, es.ticks(i-1))
		}
	}
	if got := es.indexAt(es.ticks(1120)); got != 1120 {
		t.Errorf("indexAt(ticks(1120)) = %d", got)
	}
}

// BenchmarkRenderMonitorPage measures rendering one full 2000-event page,
// the server-side cost of a Monitor drain.
func BenchmarkRenderMonitorPage(b *testing.B) {
	srv := newTestServer(b, WithEvents(1_000_000))
	buf := make([]byte, 0, 4<<20)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		from := (i * 2000) % (1_000_000 - 2000)
		buf = srv.events.renderPage(buf[:0], from, from+2000)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportMetric(float64(b.N)*2000/b.Elapsed().Seconds(), "events/s")
}

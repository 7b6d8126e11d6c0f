package docusigntest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"
)

type streamPage struct {
	EndCursor string            `json:"endCursor"`
	Data      []json.RawMessage `json:"data"`
}

type wireEvent struct {
	Timestamp         string          `json:"timestamp"`
	EventID           string          `json:"eventId"`
	AccountID         string          `json:"accountId"`
	OrganizationID    string          `json:"organizationId"`
	UserID            string          `json:"userId"`
	UserAgent         string          `json:"userAgent"`
	IPAddress         string          `json:"ipAddress"`
	IPAddressLocation json.RawMessage `json:"ipAddressLocation"`
	Action            string          `json:"action"`
	Object            string          `json:"object"`
	Result            string          `json:"result"`
	Source            string          `json:"source"`
	Site              string          `json:"site"`
	Data              map[string]any  `json:"data"`
}

func stream(t *testing.T, srv *Server, tok, cursor string, limit int) streamPage {
	t.Helper()
	q := url.Values{}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	r := get(t, srv, "/api/v2.0/datasets/monitor/stream?"+q.Encode(), tok)
	wantStatus(t, r, http.StatusOK)
	var p streamPage
	r.decode(t, &p)
	return p
}

func eventIDs(t *testing.T, p streamPage) []string {
	t.Helper()
	ids := make([]string, len(p.Data))
	for i, raw := range p.Data {
		var ev wireEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("event %s: %v", raw, err)
		}
		ids[i] = ev.EventID
	}
	return ids
}

// drain follows endCursor from cursor until an empty page.
func drain(t *testing.T, srv *Server, tok, cursor string, limit int) (ids []string, end string) {
	t.Helper()
	for {
		p := stream(t, srv, tok, cursor, limit)
		if p.EndCursor == "" {
			t.Fatal("page without endCursor")
		}
		if len(p.Data) == 0 {
			if cursor != "" && p.EndCursor != cursor {
				t.Fatalf("empty page moved the cursor from %q to %q", cursor, p.EndCursor)
			}
			return ids, p.EndCursor
		}
		ids = append(ids, eventIDs(t, p)...)
		cursor = p.EndCursor
	}
}

func wantEvents(t *testing.T, srv *Server, got []string, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("got %d events, want %d (events %d..%d)", len(got), to-from, from, to-1)
	}
	for i, id := range got {
		if want := srv.MonitorEvent(from + i).EventID; id != want {
			t.Fatalf("event %d is %s, want %s (gap or repeat)", from+i, id, want)
		}
	}
}

func TestMonitorCursorResumesWithoutGapOrRepeat(t *testing.T) {
	srv := newTestServer(t, WithEvents(4321))
	tok := srv.AccessToken()
	ids, end := drain(t, srv, tok, "", 1000)
	wantEvents(t, srv, ids, 0, 4321)
	if end != srv.MonitorCursor(4321) {
		t.Errorf("final cursor %q, want MonitorCursor(4321) %q", end, srv.MonitorCursor(4321))
	}

	// Resume from the middle with another page size.
	ids, _ = drain(t, srv, tok, srv.MonitorCursor(1234), 777)
	wantEvents(t, srv, ids, 1234, 4321)

	// Events appended while following are delivered once, after the old ones.
	srv.Advance(time.Minute)
	srv.AppendEvents(250)
	ids, end = drain(t, srv, tok, end, 100)
	wantEvents(t, srv, ids, 4321, 4571)
	srv.AppendEvents(1)
	ids, _ = drain(t, srv, tok, end, 100)
	wantEvents(t, srv, ids, 4571, 4572)
}

func TestMonitorISOTimeCursorStartsAtTheFirstEventAtOrAfterIt(t *testing.T) {
	srv := newTestServer(t, WithEvents(3000))
	tok := srv.AccessToken()
	ev := srv.MonitorEvent(1500)
	for _, tt := range []struct {
		name   string
		cursor string
		from   int
	}{
		{"the exact timestamp of an event includes it", ev.Timestamp.Format(time.RFC3339Nano), 1500},
		{"a time just after an event excludes it", ev.Timestamp.Add(100 * time.Nanosecond).Format(time.RFC3339Nano), 1501},
		{"a time before all events starts at the first", "2000-01-01T00:00:00Z", 0},
		{"a date without time is accepted", "2000-01-01", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ids, _ := drain(t, srv, tok, tt.cursor, 2000)
			wantEvents(t, srv, ids, tt.from, 3000)
		})
	}
}

func TestMonitorEmptyPageKeepsTheCursor(t *testing.T) {
	srv := newTestServer(t, WithEvents(10))
	tok := srv.AccessToken()
	p := stream(t, srv, tok, "", 0)
	if len(p.Data) != 10 {
		t.Fatalf("%d events, want 10", len(p.Data))
	}
	for i := 0; i < 3; i++ {
		q := stream(t, srv, tok, p.EndCursor, 0)
		if len(q.Data) != 0 || q.EndCursor != p.EndCursor {
			t.Fatalf("empty poll %d: %d events, cursor %q (was %q)", i, len(q.Data), q.EndCursor, p.EndCursor)
		}
	}
	// A future ISO cursor is empty but yields a resumable cursor.
	future := stream(t, srv, tok, srv.Now().Add(time.Hour).Format(time.RFC3339), 0)
	if len(future.Data) != 0 || future.EndCursor == "" {
		t.Fatalf("future cursor page %+v", future)
	}
}

func TestMonitorDefaultWindowIsSevenDays(t *testing.T) {
	srv := newTestServer(t, WithEvents(100))
	tok := srv.AccessToken()
	if n := len(stream(t, srv, tok, "", 0).Data); n != 100 {
		t.Fatalf("fresh server: %d events, want all 100", n)
	}
	// Move the clock so the oldest events fall out of the window.
	first := srv.MonitorEvent(0).Timestamp
	srv.Advance(first.Add(7*24*time.Hour + time.Nanosecond).Sub(srv.Now()))
	p := stream(t, srv, srv.AccessToken(), "", 0)
	wantEvents(t, srv, eventIDs(t, p), srv.MonitorIndexAt(srv.Now().Add(-7*24*time.Hour)), 100)
	if len(p.Data) == 100 {
		t.Error("no event left the seven-day window")
	}
}

func TestMonitorRejectsBadLimitsAndCursors(t *testing.T) {
	srv := newTestServer(t, WithEvents(10))
	tok := srv.AccessToken()
	for _, q := range []string{"limit=0", "limit=2001", "limit=abc", "cursor=garbage", "cursor=" + srv.MonitorCursor(5)[:15] + "A"} {
		t.Run(q, func(t *testing.T) {
			r := get(t, srv, "/api/v2.0/datasets/monitor/stream?"+q, tok)
			wantStatus(t, r, http.StatusBadRequest)
		})
	}
	wantStatus(t, get(t, srv, "/api/v2.0/datasets/monitor/stream?limit=2000", tok), http.StatusOK)
	wantStatus(t, get(t, srv, "/api/v2.0/datasets/other/stream", tok), http.StatusNotFound)
}

func TestMonitorDefaultLimitIs1000(t *testing.T) {
	srv := newTestServer(t, WithEvents(2500))
	if n := len(stream(t, srv, srv.AccessToken(), "", 0).Data); n != MonitorDefaultLimit {
		t.Errorf("%d events without limit, want %d", n, MonitorDefaultLimit)
	}
}

func TestMonitorEventsLookLikeDocuSigns(t *testing.T) {
	srv := newTestServer(t, WithEvents(300))
	p := stream(t, srv, srv.AccessToken(), "", 300)
	ts := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$`)
	guidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	var prev time.Time
	actions := map[string]bool{}
	for i, raw := range p.Data {
		var ev wireEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			t.Fatalf("event %d: %v in %s", i, err, raw)
		}
		want := srv.MonitorEvent(i)
		got, err := time.Parse(time.RFC3339Nano, ev.Timestamp)
		if err != nil || !ts.MatchString(ev.Timestamp) || !got.Equal(want.Timestamp) {
			t.Fatalf("event %d timestamp %q, want %v in the 7-digit form", i, ev.Timestamp, want.Timestamp)
		}
		if !got.After(prev) {
			t.Fatalf("event %d timestamp %v not after %v", i, got, prev)
		}
		prev = got
		if !guidRE.MatchString(ev.EventID) || ev.EventID != want.EventID || ev.UserID != want.UserID ||
			ev.AccountID != want.AccountID || ev.OrganizationID != srv.OrgID() || ev.Action != want.Action ||
			ev.Object != want.Object || ev.Result != want.Result || ev.Source != want.Source {
			t.Fatalf("event %d %s does not match %+v", i, raw, want)
		}
		if ev.UserAgent == "" || ev.IPAddress == "" || ev.Site == "" || ev.Data == nil || len(ev.IPAddressLocation) == 0 {
			t.Fatalf("event %d lacks fields: %s", i, raw)
		}
		if _, ok := srv.User(ev.UserID); !ok {
			t.Fatalf("event %d user %s is not a user of the server", i, ev.UserID)
		}
		actions[ev.Object+"/"+ev.Action] = true
	}
	if len(actions) < 8 {
		t.Errorf("only %d kinds of events in 300: %v", len(actions), actions)
	}
}

func TestMonitorEventsAreDeterministicPerSeed(t *testing.T) {
	end := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	a := newTestServer(t, WithSeed(7), WithEvents(50), WithEventsEndingAt(end))
	b := newTestServer(t, WithSeed(7), WithEvents(50), WithEventsEndingAt(end))
	c := newTestServer(t, WithSeed(8), WithEvents(50), WithEventsEndingAt(end))
	for i := 0; i < 50; i++ {
		if a.MonitorEvent(i) != b.MonitorEvent(i) {
			t.Fatalf("event %d differs between equal seeds", i)
		}
	}
	if a.MonitorEvent(0).EventID == c.MonitorEvent(0).EventID {
		t.Error("different seeds produced the same event")
	}
	if last := a.MonitorEvent(49).Timestamp; !last.Before(end) || last.Before(end.Add(-6*24*time.Hour)) {
		t.Errorf("last event at %v, want within six days before %v", last, end)
	}
	// A cursor from one server works on an identical one.
	p := stream(t, b, b.AccessToken(), a.MonitorCursor(40), 0)
	wantEvents(t, b, eventIDs(t, p), 40, 50)
}

func TestMonitorRepeatedPagesComeFromTheCache(t *testing.T) {
	srv := newTestServer(t, WithEvents(100))
	tok := srv.AccessToken()
	first := get(t, srv, "/api/v2.0/datasets/monitor/stream?limit=50", tok)
	for i := 0; i < 3; i++ {
		again := get(t, srv, "/api/v2.0/datasets/monitor/stream?limit=50", tok)
		if string(again.body) != string(first.body) {
			t.Fatalf("repeat %d differs", i)
		}
	}
	srv.events.cache.mu.Lock()
	cached := len(srv.events.cache.pages)
	srv.events.cache.mu.Unlock()
	if cached != 1 {
		t.Errorf("%d cached pages, want 1", cached)
	}
}

// BenchmarkMonitorStreamHTTP drains 2000-event pages over loopback HTTP,
// reading but not decoding the bodies.
func BenchmarkMonitorStreamHTTP(b *testing.B) {
	srv := newTestServer(b, WithEvents(1_000_000))
	tok := srv.AccessToken()
	hc := srv.Client()
	b.ReportAllocs()
	b.ResetTimer()
	var n int64
	for i := 0; i < b.N; i++ {
		cursor := srv.MonitorCursor((i * 2000) % (1_000_000 - 2000))
		req, _ := http.NewRequest("GET", srv.URL()+"/api/v2.0/datasets/monitor/stream?limit=2000&cursor="+cursor, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		buf := make([]byte, 32<<10)
		for {
			k, err := res.Body.Read(buf)
			n += int64(k)
			if err != nil {
				break
			}
		}
		res.Body.Close()
	}
	b.SetBytes(n / int64(b.N))
	b.ReportMetric(float64(b.N)*2000/b.Elapsed().Seconds(), "events/s")
}

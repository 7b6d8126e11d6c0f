package docusigntest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Monitor stream limits.
const (
	MonitorDefaultLimit = 1000
	MonitorMaxLimit     = 2000
	// monitorDefaultWindow is how far back a request without a cursor starts.
	monitorDefaultWindow = 7 * 24 * time.Hour
)

// handleMonitorStream serves GET /api/v2.0/datasets/{dataset}/stream.
func (s *Server) handleMonitorStream(w http.ResponseWriter, r *http.Request, _ *caller) {
	if ds := r.PathValue("dataset"); ds != "monitor" {
		writeJSON(w, http.StatusNotFound, &oauthError{Code: "not_found", Description: "dataset " + quote(ds) + " does not exist; use monitor"})
		return
	}
	q := r.URL.Query()
	limit := MonitorDefaultLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MonitorMaxLimit {
			writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: "limit=" + quote(v) + " is invalid: use an integer from 1 to 2000"})
			return
		}
		limit = n
	}
	from, ok := s.monitorPosition(q.Get("cursor"))
	if !ok {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: "cursor=" + quote(q.Get("cursor")) + " is neither an endCursor from this API nor an ISO 8601 date-time"})
		return
	}
	to := min(from+limit, s.events.count())
	if to < from {
		to = from
	}
	body, release := s.events.page(from, to)
	defer release()
	writeBody(w, http.StatusOK, "application/json; charset=utf-8", body)
}

// monitorPosition resolves a cursor parameter: empty means seven days
// before now, an endCursor its position, an ISO time the first event at or
// after it.
func (s *Server) monitorPosition(cursor string) (int, bool) {
	if cursor == "" {
		return s.events.indexAt(toTicks(s.Now().Add(-monitorDefaultWindow))), true
	}
	if pos, ok := s.events.decodeCursor(cursor); ok {
		return pos, true
	}
	if strings.ContainsAny(cursor, "-:") {
		if t, err := parseDate("cursor", cursor); err == nil {
			return s.events.indexAt(toTicks(t)), true
		}
	}
	return 0, false
}

// MonitorEvent is the identity of one generated Monitor event, for tests
// that check a collector delivered every event exactly once.
type MonitorEvent struct {
	// Index is the event's position in the stream, from 0.
	Index          int
	EventID        string
	Timestamp      time.Time
	AccountID      string
	OrganizationID string
	UserID         string
	Object         string
	Action         string
	// Result is Success or Failure.
	Result string
	Source string
	// Data is the event's data object, as JSON, as the stream sends it.
	Data string
}

// MonitorEvent returns event i (0 <= i < MonitorEventCount).
func (s *Server) MonitorEvent(i int) MonitorEvent {
	if i < 0 || i >= s.events.count() {
		panic("docusigntest: MonitorEvent(" + strconv.Itoa(i) + "): out of range")
	}
	if rec := s.events.recorded(i); rec != nil {
		ev := rec.ev
		ev.Index = i
		return ev
	}
	c := s.events.choose(i)
	ev := MonitorEvent{
		Index:          i,
		EventID:        string(appendGUID(nil, c.r0, c.r1)),
		Timestamp:      fromTicks(s.events.ticks(i)),
		AccountID:      c.user.accountID,
		OrganizationID: s.orgID,
		UserID:         c.user.userID,
		Object:         c.kind.object,
		Action:         c.kind.action,
		Result:         "Success",
		Source:         c.kind.source,
	}
	if c.failed {
		ev.Result = "Failure"
	}
	ev.Data = string(c.kind.data(s.events, nil, i, c.r3>>16, c.failed))
	return ev
}

// MonitorEventCount is how many Monitor events exist now.
func (s *Server) MonitorEventCount() int { return s.events.count() }

// AppendEvents adds n Monitor events after the existing ones, with
// timestamps spread up to the server's now, as a live account produces
// them while a collector follows the stream. It returns the new count.
func (s *Server) AppendEvents(n int) int { return s.events.appendEvents(n, s.Now()) }

// MonitorCursor returns the endCursor the stream reports at position i
// (the index of the next event to deliver).
func (s *Server) MonitorCursor(i int) string { return string(s.events.appendCursor(nil, i)) }

// MonitorIndexAt is the index of the first event at or after t, where a
// cursor of t starts.
func (s *Server) MonitorIndexAt(t time.Time) int { return s.events.indexAt(toTicks(t)) }

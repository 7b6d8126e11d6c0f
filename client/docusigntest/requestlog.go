package docusigntest

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxLoggedBody caps how much of a request body the log keeps.
const maxLoggedBody = 1 << 20

// Request is one request the server received, as the request log keeps it.
type Request struct {
	// Time is when it arrived, by the server's clock.
	Time time.Time
	// Method, Path and RawQuery are the request line; Query is RawQuery
	// parsed.
	Method   string
	Path     string
	RawQuery string
	Query    url.Values
	// Header holds the request headers, Authorization included.
	Header http.Header
	// Body holds up to 1 MiB of the request body.
	Body []byte
	// Status is the response status; 0 when the connection was dropped.
	Status int
	// Fault reports whether an injected fault answered the request.
	Fault bool
}

// logEntry is a request in flight.
type logEntry struct {
	req          Request
	tokenRequest bool
	fault        bool
}

// requestLog keeps the most recent requests and counters that are never
// truncated.
type requestLog struct {
	mu        sync.Mutex
	limit     int
	entries   []Request
	total     int
	tokenReqs int
	byAPI     [4]int
}

func (l *requestLog) begin(r *http.Request, now time.Time) *logEntry {
	e := &logEntry{req: Request{
		Time:     now,
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Query:    r.URL.Query(),
		Header:   r.Header.Clone(),
	}}
	if b := peekBody(r, maxLoggedBody); len(b) > 0 {
		e.req.Body = append([]byte(nil), b...)
	}
	return e
}

func (l *requestLog) end(e *logEntry, status int) {
	e.req.Status = status
	e.req.Fault = e.fault
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total++
	if e.tokenRequest {
		l.tokenReqs++
	}
	l.byAPI[apiOf(e.req.Path)]++
	l.entries = append(l.entries, e.req)
	if len(l.entries) >= 2*l.limit {
		l.entries = append([]Request(nil), l.entries[len(l.entries)-l.limit:]...)
	}
}

// Requests returns the logged requests, oldest first, in the order their
// responses began (at most the WithRequestLogLimit most recent). A request
// is logged before its response reaches the client.
func (s *Server) Requests() []Request {
	l := &s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entries
	if len(e) > l.limit {
		e = e[len(e)-l.limit:]
	}
	return append([]Request(nil), e...)
}

// RequestsTo returns the logged requests whose path starts with prefix.
func (s *Server) RequestsTo(prefix string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if strings.HasPrefix(r.Path, prefix) {
			out = append(out, r)
		}
	}
	return out
}

// RequestCount is how many requests the server answered since the last
// ResetLog.
func (s *Server) RequestCount() int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.total
}

// TokenRequests is how many requests reached /oauth/token since the last
// ResetLog, including ones answered by an injected fault.
func (s *Server) TokenRequests() int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.tokenReqs
}

// ESignatureRequests counts requests under /restapi since the last ResetLog,
// e.g. to check the 20 consecutive calls Go-Live review needs.
func (s *Server) ESignatureRequests() int { return s.apiCount(apiESignature) }

// AdminRequests counts requests under /management since the last ResetLog.
func (s *Server) AdminRequests() int { return s.apiCount(apiAdmin) }

// MonitorRequests counts requests under /api since the last ResetLog.
func (s *Server) MonitorRequests() int { return s.apiCount(apiMonitor) }

func (s *Server) apiCount(a api) int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.byAPI[a]
}

// ResetLog empties the request log and zeroes its counters.
func (s *Server) ResetLog() {
	l := &s.log
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = nil
	l.total, l.tokenReqs = 0, 0
	l.byAPI = [4]int{}
}

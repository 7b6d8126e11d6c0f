package docusigntest

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault describes a failure to inject into the next Count requests that
// match it. With only Delay set it adds latency and the request is then
// served normally; otherwise the fault replaces the response as described
// by the first of DropConnection, Truncate, Malformed, HTML or Status/Body
// that applies.
type Fault struct {
	// Method matches the request method; empty matches any.
	Method string
	// PathPrefix matches the start of the URL path, e.g. "/oauth/token" or
	// "/api/v2.0/datasets/monitor/stream"; empty matches any.
	PathPrefix string
	// Match, when set, must also return true.
	Match func(*http.Request) bool
	// Count is how many matching requests fail: 0 means 1, a negative
	// Count means every matching request until ClearFaults.
	Count int

	// Status is the response status; 0 means 500 (502 for HTML, 200 for
	// Truncate and Malformed). A 429 without a Retry-After in Header gets
	// "Retry-After: 1".
	Status int
	// Body replaces the default body: an error JSON in the API's shape.
	Body string
	// Header is added to the response.
	Header http.Header
	// Delay waits before answering (cut short if the client gives up or the
	// server closes).
	Delay time.Duration
	// ProcessFirst runs the real handler first, with its side effects (an
	// envelope gets created), and discards its response: a reply lost after
	// the server committed.
	ProcessFirst bool
	// Truncate serves the real response cut to half its length, with a
	// matching Content-Length, so the HTTP exchange succeeds but the JSON
	// does not parse. It implies ProcessFirst.
	Truncate bool
	// Malformed answers with a syntactically invalid JSON body.
	Malformed bool
	// HTML answers with an HTML error page, as a proxy or load balancer in
	// front of DocuSign would, without DocuSign's trace header.
	HTML bool
	// DropConnection closes the connection without any response.
	DropConnection bool
}

func (f *Fault) matches(r *http.Request) bool {
	return (f.Method == "" || strings.EqualFold(f.Method, r.Method)) &&
		strings.HasPrefix(r.URL.Path, f.PathPrefix) &&
		(f.Match == nil || f.Match(r))
}

func (f *Fault) latencyOnly() bool {
	return f.Status == 0 && f.Body == "" && !f.ProcessFirst && !f.Truncate && !f.Malformed && !f.HTML && !f.DropConnection
}

// InjectedFault is a fault registered with InjectFault; it reports how
// often it fired.
type InjectedFault struct {
	Fault
	set       *faultSet
	remaining int // negative: unlimited
	fired     int
}

// Fired is how many requests the fault has answered.
func (f *InjectedFault) Fired() int {
	f.set.mu.Lock()
	defer f.set.mu.Unlock()
	return f.fired
}

// Remaining is how many more requests it will answer (-1: unlimited).
func (f *InjectedFault) Remaining() int {
	f.set.mu.Lock()
	defer f.set.mu.Unlock()
	if f.remaining < 0 {
		return -1
	}
	return f.remaining
}

// Cancel stops the fault from firing again.
func (f *InjectedFault) Cancel() {
	f.set.mu.Lock()
	defer f.set.mu.Unlock()
	f.remaining = 0
}

type faultSet struct {
	mu     sync.Mutex
	faults []*InjectedFault
}

// take claims the first armed fault matching r, counting it as fired.
func (fs *faultSet) take(r *http.Request) *InjectedFault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.faults) == 0 {
		return nil
	}
	for _, f := range fs.faults {
		if f.remaining != 0 && f.matches(r) {
			if f.remaining > 0 {
				f.remaining--
			}
			f.fired++
			return f
		}
	}
	return nil
}

// InjectFault arms a fault; faults are tried in the order injected and each
// request is answered by at most one.
func (s *Server) InjectFault(f Fault) *InjectedFault {
	n := f.Count
	if n == 0 {
		n = 1
	}
	if n < 0 {
		n = -1
	}
	inj := &InjectedFault{Fault: f, set: &s.faults, remaining: n}
	s.faults.mu.Lock()
	s.faults.faults = append(s.faults.faults, inj)
	s.faults.mu.Unlock()
	return inj
}

// FailNext makes the next n requests under pathPrefix fail with status and
// the API's default error body.
func (s *Server) FailNext(pathPrefix string, n, status int) *InjectedFault {
	return s.InjectFault(Fault{PathPrefix: pathPrefix, Count: n, Status: status})
}

// ClearFaults disarms every injected fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	for _, f := range s.faults.faults {
		f.remaining = 0
	}
	s.faults.faults = nil
}

// bufferedResponse captures a handler's response for ProcessFirst and
// Truncate.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

const (
	malformedJSON = `{"resultSetSize": "1", "users": [{"userId": "5c3d",}` + "\n"
	proxyHTML     = "<html>\r\n<head><title>%d Bad Gateway</title></head>\r\n<body>\r\n<center><h1>%d Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

// applyFault answers r as f says. w is the connection's own writer (for
// hijacking); sw wraps it for the log.
func (s *Server) applyFault(w http.ResponseWriter, sw *statusWriter, r *http.Request, f *InjectedFault) {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			sw.drop()
			return
		case <-s.closing:
			t.Stop()
			sw.drop()
			return
		}
	}
	if f.latencyOnly() {
		s.serve(sw, r)
		return
	}
	var real *bufferedResponse
	if f.ProcessFirst || f.Truncate {
		real = &bufferedResponse{header: http.Header{}}
		s.serve(real, r)
	}
	if f.DropConnection {
		sw.drop()
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	h := sw.Header()
	for k, v := range f.Header {
		h[k] = append([]string(nil), v...)
	}
	switch {
	case f.Truncate:
		for k, v := range real.header {
			if _, set := f.Header[k]; !set {
				h[k] = v
			}
		}
		body := real.body.Bytes()
		status := real.status
		if f.Status != 0 {
			status = f.Status
		}
		h.Set("Content-Length", strconv.Itoa(len(body)/2))
		sw.WriteHeader(status)
		sw.Write(body[:len(body)/2])
	case f.Malformed:
		body := f.Body
		if body == "" {
			body = malformedJSON
		}
		writeBody(sw, statusOr(f.Status, http.StatusOK), "application/json; charset=utf-8", []byte(body))
	case f.HTML:
		h.Del("X-DocuSign-TraceToken")
		status := statusOr(f.Status, http.StatusBadGateway)
		body := f.Body
		if body == "" {
			body = strings.ReplaceAll(proxyHTML, "%d", strconv.Itoa(status))
		}
		writeBody(sw, status, "text/html", []byte(body))
	default:
		status := statusOr(f.Status, http.StatusInternalServerError)
		if status == http.StatusTooManyRequests && h.Get("Retry-After") == "" {
			h.Set("Retry-After", "1")
		}
		if f.Body != "" {
			writeBody(sw, status, "application/json; charset=utf-8", []byte(f.Body))
			return
		}
		code, msg := "INTERNAL_SERVER_ERROR", "An injected fault answered this request."
		switch {
		case status == http.StatusTooManyRequests:
			code = CodeHourlyLimit
		case status == http.StatusServiceUnavailable:
			code = "SERVICE_UNAVAILABLE"
		case status < 500:
			code = "INJECTED_FAULT"
		}
		writeAPIError(sw, apiOf(r.URL.Path), status, code, msg)
	}
}

func statusOr(status, def int) int {
	if status == 0 {
		return def
	}
	return status
}

package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func goLiveReq(t *testing.T, method, rawURL string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGoLiveTrackerCountsConsecutiveSuccesses(t *testing.T) {
	clk := newFakeClock()
	g := newGoLiveTracker(true, clk.Now)
	req := goLiveReq(t, "GET", "https://demo.docusign.net/restapi/v2.1/accounts/x/users?email=a@b")
	for i := 1; i < GoLiveRequired; i++ {
		g.observe(req, &http.Response{StatusCode: 200}, nil)
		if g.Ready() {
			t.Fatalf("ready after %d calls", i)
		}
	}
	g.observe(req, &http.Response{StatusCode: 201}, nil)
	st := g.Status()
	if !g.Ready() || !st.Ready || st.Count != 20 || st.Required != 20 || st.LastFailure != nil {
		t.Fatalf("after 20 successes: %+v", st)
	}
	if !strings.Contains(st.String(), "20/20") {
		t.Errorf("String = %s", st)
	}
}

func TestGoLiveTrackerResetsOnFailure(t *testing.T) {
	clk := newFakeClock()
	g := newGoLiveTracker(true, clk.Now)
	ok := goLiveReq(t, "GET", "https://demo.docusign.net/restapi/v2.1/accounts/x")
	for range 19 {
		g.observe(ok, &http.Response{StatusCode: 200}, nil)
	}
	bad := goLiveReq(t, "POST", "https://demo.docusign.net/restapi/v2.1/accounts/x/envelopes?secret=no")
	g.observe(bad, &http.Response{StatusCode: 400}, nil)
	st := g.Status()
	if st.Count != 0 || st.Ready || st.LastFailure == nil {
		t.Fatalf("after a failure: %+v", st)
	}
	f := st.LastFailure
	if f.Method != "POST" || f.Path != "/restapi/v2.1/accounts/x/envelopes" || f.StatusCode != 400 || !f.Time.Equal(clk.Now()) {
		t.Errorf("LastFailure = %+v", f)
	}
	g.observe(ok, nil, errors.New("connection reset"))
	if st := g.Status(); st.Count != 0 || st.LastFailure.StatusCode != 0 || st.LastFailure.Err != "connection reset" {
		t.Errorf("a transport failure: %+v", st.LastFailure)
	}
	g.observe(ok, &http.Response{StatusCode: 200}, nil)
	if g.Count() != 1 {
		t.Errorf("Count = %d after a success following failures", g.Count())
	}
}

func TestGoLiveTrackerIgnoresCallsTheCallerCancelled(t *testing.T) {
	g := newGoLiveTracker(true, nil)
	ok := goLiveReq(t, "GET", "https://demo.docusign.net/restapi/v2.1/accounts/x")
	g.observe(ok, &http.Response{StatusCode: 200}, nil)
	g.observe(ok, nil, fmt.Errorf("wrapped: %w", context.Canceled))
	if g.Count() != 1 || g.Status().LastFailure != nil {
		t.Errorf("a cancelled call changed the tracker: %+v", g.Status())
	}
}

func TestADisabledGoLiveTrackerCountsNothing(t *testing.T) {
	g := newGoLiveTracker(false, nil)
	req := goLiveReq(t, "GET", "https://na3.docusign.net/restapi/v2.1/accounts/x")
	for range 25 {
		g.observe(req, &http.Response{StatusCode: 200}, nil)
	}
	if g.Ready() || g.Count() != 0 || g.Enabled() || !strings.Contains(g.Status().String(), "disabled") {
		t.Errorf("disabled tracker: %+v", g.Status())
	}
	g2 := newGoLiveTracker(true, nil)
	g2.observe(req, &http.Response{StatusCode: 200}, nil)
	g2.Reset()
	if g2.Count() != 0 || g2.Status().Observed != 0 {
		t.Error("Reset kept counts")
	}
}

func TestURLUnderMatchesHostAndPathPrefix(t *testing.T) {
	tests := []struct {
		url, base string
		want      bool
	}{
		{"https://demo.docusign.net/restapi/v2.1/accounts", "https://demo.docusign.net/restapi", true},
		{"https://demo.docusign.net/restapi", "https://demo.docusign.net/restapi/", true},
		{"https://demo.docusign.net/restapix/v2", "https://demo.docusign.net/restapi", false},
		{"https://DEMO.docusign.net/restapi/v2", "https://demo.docusign.net/restapi", true},
		{"http://demo.docusign.net/restapi/v2", "https://demo.docusign.net/restapi", false},
		{"https://api-d.docusign.net/management/v2", "https://demo.docusign.net/restapi", false},
		{"https://demo.docusign.net/restapi/v2", "", false},
	}
	for _, tt := range tests {
		u, _ := url.Parse(tt.url)
		if got := urlUnder(u, tt.base); got != tt.want {
			t.Errorf("urlUnder(%s, %s) = %v", tt.url, tt.base, got)
		}
	}
}

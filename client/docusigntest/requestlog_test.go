package docusigntest

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestRequestLogRecordsWhatClientsSent(t *testing.T) {
	srv := newTestServer(t)
	in := srv.NewIntegration()
	tok := jwtToken(t, srv, in)
	get(t, srv, "/restapi/v2.1/accounts/"+in.AccountID+"/users?count=5", tok)
	get(t, srv, "/api/v2.0/datasets/monitor/stream?limit=3", tok)
	srv.FailNext("/management/", 1, 500)
	get(t, srv, "/management/v2/organizations/"+srv.OrgID()+"/users", tok)

	reqs := srv.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests logged, want 4", len(reqs))
	}
	tokenReq := reqs[0]
	form, _ := url.ParseQuery(string(tokenReq.Body))
	if tokenReq.Method != "POST" || tokenReq.Path != "/oauth/token" || form.Get("grant_type") != jwtGrantType || tokenReq.Status != 200 {
		t.Errorf("token request logged as %+v", tokenReq)
	}
	users := reqs[1]
	if users.Query.Get("count") != "5" || users.Header.Get("Authorization") != "Bearer "+tok || users.Status != 200 || users.Fault {
		t.Errorf("users request logged as %+v", users)
	}
	if !reqs[3].Fault || reqs[3].Status != 500 {
		t.Errorf("faulted request logged as %+v", reqs[3])
	}
	if srv.TokenRequests() != 1 || srv.ESignatureRequests() != 1 || srv.MonitorRequests() != 1 || srv.AdminRequests() != 1 || srv.RequestCount() != 4 {
		t.Errorf("counters: token %d esign %d monitor %d admin %d total %d", srv.TokenRequests(), srv.ESignatureRequests(), srv.MonitorRequests(), srv.AdminRequests(), srv.RequestCount())
	}
	if got := srv.RequestsTo("/api/"); len(got) != 1 || !strings.HasPrefix(got[0].Path, "/api/v2.0/") {
		t.Errorf("RequestsTo(/api/) = %v", got)
	}
	srv.ResetLog()
	if len(srv.Requests()) != 0 || srv.RequestCount() != 0 || srv.TokenRequests() != 0 {
		t.Error("ResetLog left entries or counts")
	}
}

func TestRequestLogKeepsTheMostRecentRequests(t *testing.T) {
	srv := newTestServer(t, WithRequestLogLimit(3))
	for i := 0; i < 10; i++ {
		get(t, srv, "/oauth/userinfo?i="+string(rune('0'+i)), "")
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[0].Query.Get("i") != "7" || reqs[2].Query.Get("i") != "9" {
		t.Errorf("kept %d requests: %v", len(reqs), reqs)
	}
	if srv.RequestCount() != 10 {
		t.Errorf("RequestCount = %d, want 10", srv.RequestCount())
	}
}

// sizedBody yields n bytes of 'x' and counts how many were read.
type sizedBody struct {
	n, read int
}

func (b *sizedBody) Read(p []byte) (int, error) {
	if b.read >= b.n {
		return 0, io.EOF
	}
	k := min(len(p), b.n-b.read)
	copy(p, bytes.Repeat([]byte{'x'}, k))
	b.read += k
	return k, nil
}

func (b *sizedBody) Close() error { return nil }

func TestRequestLogReadsOnlyWhatItKeepsOfALargeBody(t *testing.T) {
	srv := newTestServer(t)
	body := &sizedBody{n: 8 << 20}
	req := httptest.NewRequest(http.MethodPost, "/restapi/v2.1/no-such-route", nil)
	req.Body = body
	srv.ServeHTTP(httptest.NewRecorder(), req)
	if body.read > maxLoggedBody+1 {
		t.Errorf("the log read %d bytes of a body a handler never read; it keeps only %d", body.read, maxLoggedBody)
	}
	reqs := srv.Requests()
	if len(reqs) != 1 || len(reqs[0].Body) != maxLoggedBody {
		t.Fatalf("logged %d requests, the body as %d bytes; want 1 and %d", len(reqs), len(reqs[0].Body), maxLoggedBody)
	}
}

func TestAHandlerStillReadsTheWholeBodyTheLogCut(t *testing.T) {
	srv := newTestServer(t)
	doc := strings.Repeat("QUJD", (maxLoggedBody/4)*3/2) // 1.5 MiB of base64
	envelope := `{"status":"created","documents":[{"documentId":"1","name":"a.pdf","documentBase64":"` + doc + `"}]}`
	req := httptest.NewRequest(http.MethodPost, "/restapi/v2.1/accounts/"+srv.DefaultAccountID()+"/envelopes", strings.NewReader(envelope))
	req.Header.Set("Authorization", "Bearer "+srv.AccessToken())
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := srv.Requests()[0].Body; string(got) != envelope[:maxLoggedBody] {
		t.Fatalf("logged %d bytes, want the first %d of the body", len(got), maxLoggedBody)
	}
}

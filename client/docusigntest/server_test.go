package docusigntest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// newTestServer starts a server closed at the end of the test.
func newTestServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	srv := NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// do sends a request with an optional bearer token and body.
func do(t testing.TB, srv *Server, method, path, token string, body io.Reader, header ...string) response {
	t.Helper()
	target := path
	if !strings.HasPrefix(path, "http") {
		target = srv.URL() + path
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{res.StatusCode, res.Header, b}
}

func get(t testing.TB, srv *Server, path, token string) response {
	t.Helper()
	return do(t, srv, http.MethodGet, path, token, nil)
}

func postForm(t testing.TB, srv *Server, path string, form url.Values) response {
	t.Helper()
	return do(t, srv, http.MethodPost, path, "", strings.NewReader(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
}

func wantStatus(t testing.TB, r response, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
}

func TestEnvironmentPointsEveryAPIAtTheServer(t *testing.T) {
	srv := newTestServer(t)
	env := srv.Environment()
	if err := env.Validate(); err != nil {
		t.Fatalf("Environment().Validate() = %v", err)
	}
	if env.Name != "docusigntest" || env.OAuthURL != srv.URL() || env.ESignatureURL != srv.URL()+"/restapi" ||
		env.AdminURL != srv.URL()+"/management" || env.MonitorURL != srv.URL() {
		t.Errorf("Environment() = %+v", env)
	}
	if env.OAuthHost() != srv.OAuthHost() {
		t.Errorf("client's audience %q differs from the server's %q", env.OAuthHost(), srv.OAuthHost())
	}
}

func TestTLSServerIsTrustedByItsClient(t *testing.T) {
	srv := newTestServer(t, WithTLS())
	if !strings.HasPrefix(srv.URL(), "https://") || srv.Accounts()[0].BaseURI != srv.URL() {
		t.Fatalf("URL %s, base URI %s", srv.URL(), srv.Accounts()[0].BaseURI)
	}
	wantStatus(t, get(t, srv, "/oauth/userinfo", srv.AccessToken()), http.StatusOK)
}

func TestEveryResponseCarriesADistinctTraceToken(t *testing.T) {
	srv := newTestServer(t)
	tok := srv.AccessToken()
	seen := map[string]bool{}
	for _, path := range []string{
		"/oauth/userinfo",
		"/restapi/v2.1/accounts/" + srv.DefaultAccountID(),
		"/management/v2/organizations/" + srv.OrgID() + "/users",
		"/api/v2.0/datasets/monitor/stream?limit=1",
		"/no/such/path",
	} {
		r := get(t, srv, path, tok)
		tt := r.header.Get("X-DocuSign-TraceToken")
		if len(tt) != 36 || seen[tt] {
			t.Errorf("%s: trace token %q missing or repeated", path, tt)
		}
		seen[tt] = true
	}
}

func TestUnknownPathsAnswer501InTheAPIsErrorShape(t *testing.T) {
	srv := newTestServer(t)
	tok := srv.AccessToken()
	r := get(t, srv, "/restapi/v2.1/nothing", tok)
	wantStatus(t, r, http.StatusNotImplemented)
	var es esignError
	r.decode(t, &es)
	if es.ErrorCode != CodeNotImplemented || !strings.Contains(es.Message, "GET /restapi/v2.1/nothing") {
		t.Errorf("eSignature 501 body %s does not name the operation", r.body)
	}
	r = get(t, srv, "/management/v2/nothing", tok)
	wantStatus(t, r, http.StatusNotImplemented)
	var oe oauthError
	r.decode(t, &oe)
	if oe.Code != "not_implemented" || !strings.Contains(oe.Description, "GET /management/v2/nothing") {
		t.Errorf("Admin 501 body %s does not name the operation", r.body)
	}
}

func TestServerHandlesConcurrentClientsAndControl(t *testing.T) {
	srv := newTestServer(t, WithUsers(300))
	tok := srv.AccessToken()
	acct := "/restapi/v2.1/accounts/" + srv.DefaultAccountID()
	hc := srv.Client()
	call := func(method, path, body string) (int, error) {
		req, err := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
		res, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		_, err = io.Copy(io.Discard, res.Body)
		return res.StatusCode, err
	}
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				var status, want int
				var err error
				switch (i + j) % 5 {
				case 0:
					status, err = call("GET", acct+"/users?count=50", "")
					want = 200
				case 1:
					status, err = call("GET", "/api/v2.0/datasets/monitor/stream?limit=100", "")
					want = 200
				case 2:
					srv.AppendEvents(5)
					srv.Requests()
					srv.UpdateUser(srv.DefaultUserID(), func(u *User) { u.JobTitle = "CEO" })
					continue
				case 3:
					status, err = call("GET", "/management/v2/organizations/"+srv.OrgID()+"/users?take=100", "")
					want = 200
				case 4:
					status, err = call("POST", acct+"/envelopes", `{"status":"created","documents":[{"documentId":"1"}]}`)
					want = 201
				}
				if err != nil || status != want {
					t.Errorf("worker %d call %d: status %d, err %v; want %d", i, j, status, err, want)
				}
			}
		}(i)
	}
	wg.Wait()
	if got := srv.RequestCount(); got != 64 {
		t.Errorf("RequestCount = %d, want 64", got)
	}
}

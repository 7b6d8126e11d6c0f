package docusigntest

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// connectCall makes an authenticated eSignature call and decodes the
// answer into out (when not nil).
func connectCall(t *testing.T, srv *Server, method, path, body string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL()+"/restapi/v2.1/accounts/"+srv.DefaultAccountID()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+srv.AccessToken())
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

func TestConnectConfigurationValidation(t *testing.T) {
	srv := NewServer(WithUsers(3), WithEnvelopes(0), WithEvents(0))
	defer srv.Close()
	var e esignError
	status := connectCall(t, srv, "POST", "/connect", `{"urlToPublishTo":"listener","deliveryMode":"aggregate"}`, &e)
	for _, want := range []string{"urlToPublishTo", "allUsers", "events is empty", "JSON SIM"} {
		if status != 400 || !strings.Contains(e.Message, want) {
			t.Errorf("%d %q does not mention %q", status, e.Message, want)
		}
	}
}

func TestConnectConfigurationLifecycle(t *testing.T) {
	srv := NewServer(WithUsers(3), WithEnvelopes(0), WithEvents(0))
	defer srv.Close()
	var created struct {
		ConnectID string `json:"connectId"`
		Password  string `json:"password"`
	}
	if s := connectCall(t, srv, "POST", "/connect", `{"name":"a","urlToPublishTo":"https://example.com/hook","allUsers":"true","events":["envelope-sent"],"userName":"u","password":"secret"}`, &created); s != 201 || created.ConnectID == "" || created.Password != "" {
		t.Fatalf("create: %d %+v", s, created)
	}
	if s := connectCall(t, srv, "PUT", "/connect", `{"connectId":"`+created.ConnectID+`","name":"b","urlToPublishTo":"https://example.com/hook2","allUsers":"true","events":["envelope-completed"]}`, nil); s != 200 {
		t.Fatalf("update: %d", s)
	}
	var one struct {
		Configurations []struct {
			Name     string `json:"name"`
			Password string `json:"password"`
		} `json:"configurations"`
		TotalRecords string `json:"totalRecords"`
	}
	if s := connectCall(t, srv, "GET", "/connect/"+created.ConnectID, "", &one); s != 200 || one.TotalRecords != "1" || one.Configurations[0].Name != "b" || one.Configurations[0].Password != "" {
		t.Fatalf("get: %d %+v", s, one)
	}
	if s := connectCall(t, srv, "DELETE", "/connect/"+created.ConnectID, "", nil); s != 200 {
		t.Fatalf("delete: %d", s)
	}
	if s := connectCall(t, srv, "GET", "/connect/"+created.ConnectID, "", nil); s != 404 {
		t.Fatalf("get after delete: %d", s)
	}
	if s := connectCall(t, srv, "GET", "/connect", "", &one); s != 200 || one.TotalRecords != "0" {
		t.Fatalf("list: %d %+v", s, one)
	}
	// Unserved Connect operations say so instead of looking like a
	// missing configuration named "logs".
	for _, m := range []string{"GET", "DELETE"} {
		var e esignError
		if s := connectCall(t, srv, m, "/connect/logs", "", &e); s != 501 || !strings.Contains(e.Message, "does not serve") {
			t.Errorf("%s /connect/logs: %d %+v", m, s, e)
		}
	}
}

// TestConnectDeliveryLegacyEventsAndBasicAuth: legacy envelopeEvents and
// recipientEvents names subscribe too; the configuration's user name and
// password go out as Basic auth; unsigned without includeHMAC.
func TestConnectDeliveryLegacyEventsAndBasicAuth(t *testing.T) {
	srv := NewServer(WithUsers(3), WithEnvelopes(3), WithEvents(0))
	defer srv.Close()
	srv.SetConnectHMACKeys(srv.DefaultAccountID(), "k")
	var mu sync.Mutex
	var got []string
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, _ := r.BasicAuth()
		var m struct {
			Event string `json:"event"`
		}
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m.Event+" "+u+":"+p+" "+r.Header.Get("X-DocuSign-Signature-1"))
		mu.Unlock()
	}))
	defer listener.Close()
	connectCall(t, srv, "POST", "/connect", `{"urlToPublishTo":"`+listener.URL+`","allUsers":"true","envelopeEvents":["Voided"],"recipientEvents":["Completed"],"userName":"ds","password":"pw"}`, nil)
	env := srv.Envelopes(srv.DefaultAccountID())[0].ID
	srv.SetEnvelopeStatus(env, "voided")
	srv.SetEnvelopeStatus(env, "sent") // not subscribed
	if err := srv.NotifyConnect(env, "recipient-completed", "2"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitConnectIdle(ctx); err != nil {
		t.Fatal(err)
	}
	want := []string{"envelope-voided ds:pw ", "recipient-completed ds:pw "}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("deliveries %q, want %q", got, want)
	}
	if err := srv.NotifyConnect(env, "template-created", ""); err == nil {
		t.Error("NotifyConnect took a template event")
	}
}

func TestConnectFailureLogDelete(t *testing.T) {
	srv := NewServer(WithUsers(3), WithEnvelopes(1), WithEvents(0), WithConnectRetry(time.Hour, 3))
	defer srv.Close()
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(502) }))
	defer down.Close()
	connectCall(t, srv, "POST", "/connect", `{"urlToPublishTo":"`+down.URL+`","allUsers":"true","events":["envelope-completed"]}`, nil)
	env := srv.Envelopes(srv.DefaultAccountID())[0].ID
	srv.SetEnvelopeStatus(env, "completed")
	// The first attempt fails; the retry waits an hour on the server's clock.
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.ConnectAttempts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	var logs struct {
		Failures []struct {
			FailureID  string `json:"failureId"`
			Status     string `json:"status"`
			RetryCount string `json:"retryCount"`
		} `json:"failures"`
	}
	if s := connectCall(t, srv, "GET", "/connect/failures", "", &logs); s != 200 || len(logs.Failures) != 1 || logs.Failures[0].Status != "retrying" || logs.Failures[0].RetryCount != "1" {
		t.Fatalf("failures: %d %+v", s, logs)
	}
	if s := connectCall(t, srv, "DELETE", "/connect/failures/"+logs.Failures[0].FailureID, "", nil); s != 200 {
		t.Fatalf("delete: %d", s)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.WaitConnectIdle(ctx); err != nil {
		t.Fatalf("a deleted failure is still pending: %v", err)
	}
	logs.Failures = nil
	if s := connectCall(t, srv, "GET", "/connect/failures", "", &logs); s != 200 || len(logs.Failures) != 0 {
		t.Fatalf("failures after delete: %+v", logs)
	}
}

func TestConnectOptionsValidated(t *testing.T) {
	defer func() {
		p := recover()
		if p == nil || !strings.Contains(p.(error).Error(), "WithConnectRetry") || !strings.Contains(p.(error).Error(), "WithConnectHTTPClient") {
			t.Fatalf("panic %v", p)
		}
	}()
	NewServer(WithConnectRetry(0, 0), WithConnectHTTPClient(nil))
}

// TestConnectRetriesFollowTheServerClock: with a frozen clock a retry
// waits until Advance moves the clock past its delay.
func TestConnectRetriesFollowTheServerClock(t *testing.T) {
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	srv := NewServer(WithUsers(3), WithEnvelopes(1), WithEvents(0), WithClock(func() time.Time { return start }), WithConnectRetry(time.Hour, 3))
	defer srv.Close()
	var mu sync.Mutex
	calls := 0
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		if calls == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer listener.Close()
	connectCall(t, srv, "POST", "/connect", `{"urlToPublishTo":"`+listener.URL+`","allUsers":"true","events":["envelope-voided"]}`, nil)
	srv.SetEnvelopeStatus(srv.Envelopes(srv.DefaultAccountID())[0].ID, "voided")
	deadline := time.Now().Add(10 * time.Second)
	for len(srv.ConnectAttempts()) == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	short, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := srv.WaitConnectIdle(short); err == nil {
		t.Fatal("the retry did not wait for the clock")
	}
	srv.Advance(time.Hour)
	ctx, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := srv.WaitConnectIdle(ctx); err != nil {
		t.Fatal(err)
	}
	a := srv.ConnectAttempts()
	if len(a) != 2 || a[0].Status != 503 || a[1].Status != 200 || a[1].Retry != 1 || !a[1].At.Equal(start.Add(time.Hour)) {
		t.Fatalf("attempts %+v", a)
	}
}

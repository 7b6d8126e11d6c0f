package connect_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/connect"
	"github.com/dsgo/docusign/gen/esignature/accountmodels"
	"github.com/dsgo/docusign/gen/esignature/connectconfig"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
)

func s(v string) *string { return &v }

// fake starts the fake DocuSign with short Connect retries and returns it
// with a client for its eSignature API.
func fake(t *testing.T) (*docusigntest.Server, *client.Client) {
	t.Helper()
	srv := docusigntest.NewServer(docusigntest.WithUsers(5), docusigntest.WithEnvelopes(0), docusigntest.WithEvents(0),
		docusigntest.WithConnectRetry(20*time.Millisecond, 5))
	t.Cleanup(srv.Close)
	in := srv.NewIntegration()
	c, err := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(in.Key),
		client.WithUserID(in.UserID), client.WithPrivateKey(in.PrivateKeyPEM()))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// apis binds the generated Connect and Envelopes clients to c.
func apis(t *testing.T, c *client.Client) (*connectconfig.ClientWithResponses, *envelopes.ClientWithResponses) {
	t.Helper()
	ctx := context.Background()
	capi, err := client.ESignature(ctx, c, connectconfig.NewClientWithResponses, connectconfig.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	eapi, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	return capi, eapi
}

// received is user code that records each event it is handed.
type received struct {
	mu  sync.Mutex
	got []*connect.Message
}

func (r *received) handle(_ context.Context, m *connect.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, m)
	return nil
}

func (r *received) events() []connect.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []connect.Event
	for _, m := range r.got {
		out = append(out, m.Event)
	}
	return out
}

// flaky puts a listener's faults in front of h: fail (503 without calling
// h) the first failBefore deliveries of failEvent, and lose the answer
// (call h, then answer 500) to the first delivery of loseEvent.
func flaky(h http.Handler, failEvent string, failBefore int, loseEvent string) http.Handler {
	var mu sync.Mutex
	lost := false
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		mu.Lock()
		fail := strings.Contains(string(body), `"event":"`+failEvent+`"`) && failBefore > 0
		if fail {
			failBefore--
		}
		lose := !lost && strings.Contains(string(body), `"event":"`+loseEvent+`"`)
		if lose {
			lost = true
		}
		mu.Unlock()
		switch {
		case fail:
			http.Error(w, "listener down", http.StatusServiceUnavailable)
		case lose:
			h.ServeHTTP(httptest.NewRecorder(), r)
			http.Error(w, "answer lost", http.StatusInternalServerError)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

// TestEndToEndOnTheFake: an envelope is sent, delivered, signed and
// completed (the fake's control API plays the signer); an
// account-level Connect configuration created through the generated
// operations delivers each event, signed with two keys during a rotation.
// The listener fails envelope-completed twice and loses its answer to
// envelope-delivered once; DocuSign-style retries deliver both, and user
// code sees every event exactly once.
func TestEndToEndOnTheFake(t *testing.T) {
	srv, c := fake(t)
	ctx := context.Background()
	acct := srv.DefaultAccountID()
	if err := srv.SetConnectHMACKeys(acct, "old-key", "new-key"); err != nil {
		t.Fatal(err)
	}
	rec := &received{}
	h, err := connect.NewHandler(rec.handle, connect.WithHMACKeys("new-key"))
	if err != nil {
		t.Fatal(err)
	}
	listener := httptest.NewServer(flaky(h, "envelope-completed", 2, "envelope-delivered"))
	t.Cleanup(listener.Close)

	capi, eapi := apis(t, c)
	cfg, err := capi.CreateConfigurationWithResponse(ctx, acct, accountmodels.ConnectCustomConfiguration{
		Name: s("listener"), URLToPublishTo: s(listener.URL), AllUsers: s("true"), ConfigurationType: s("custom"),
		Events:      []string{"envelope-sent", "envelope-delivered", "envelope-completed", "recipient-completed"},
		IncludeHMAC: s("true"), DeliveryMode: s("SIM"), RequiresAcknowledgement: s("true"),
		EventData: &models.ConnectEventData{Version: s("restv2.1"), Format: s("json"), IncludeData: []string{"recipients"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	connectID := *cfg.JSON201.ConnectID

	created, err := eapi.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		EmailSubject: s("Please sign"), Status: s("sent"),
		Documents:  []models.Document{{DocumentID: s("1"), Name: s("a.pdf"), DocumentBase64: s("JVBERi0xLjQK")}},
		Recipients: &models.Recipients{Signers: []models.Signer{{RecipientID: s("1"), Email: s("a@example.com"), Name: s("A")}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	envID := *created.JSON201.EnvelopeID
	// The signer opens the envelope and signs it, which completes it.
	if err := srv.DeliverRecipient(envID, "1"); err != nil {
		t.Fatal(err)
	}
	if err := srv.SignRecipient(envID, "1"); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := srv.WaitConnectIdle(wctx); err != nil {
		t.Fatal(err)
	}

	got := rec.events()
	slices.Sort(got)
	want := []connect.Event{connect.EnvelopeCompleted, connect.EnvelopeDelivered, connect.EnvelopeSent, connect.RecipientCompleted}
	if !slices.Equal(got, want) {
		t.Fatalf("user code saw %v, want each of %v once", got, want)
	}
	rec.mu.Lock()
	for _, m := range rec.got {
		if m.Data.EnvelopeID != envID || m.Data.AccountID != acct || m.ConfigurationID != connectID || m.GeneratedDateTime.IsZero() {
			t.Errorf("%s: envelope %q account %q configuration %q generated %v", m.Event, m.Data.EnvelopeID, m.Data.AccountID, m.ConfigurationID, m.GeneratedDateTime)
		}
		if m.SummaryError != nil || m.Data.EnvelopeSummary == nil || *m.Data.EnvelopeSummary.EnvelopeID != envID {
			t.Errorf("%s: summary %v, %v", m.Event, m.Data.EnvelopeSummary, m.SummaryError)
		}
		if m.Event == connect.EnvelopeCompleted && (m.RetryCount != 2 || *m.Data.EnvelopeSummary.Status != "completed") {
			t.Errorf("completed: retryCount %d, status %s", m.RetryCount, *m.Data.EnvelopeSummary.Status)
		}
		if m.Event == connect.RecipientCompleted {
			r := m.Data.EnvelopeSummary.Recipients // includeData: recipients
			if m.Data.RecipientID != "1" || r == nil || len(r.Signers) != 1 || *r.Signers[0].Status != "completed" {
				t.Errorf("recipient-completed: recipient %q, recipients %+v", m.Data.RecipientID, r)
			}
		}
	}
	rec.mu.Unlock()

	// What DocuSign did: envelope-completed three times (two failures),
	// envelope-delivered twice (the answer to the first was lost), each
	// signed with both keys.
	tries := map[string]int{}
	for _, a := range srv.ConnectAttempts() {
		tries[a.Event]++
		if a.Header.Get("X-DocuSign-Signature-1") != connect.Sign("old-key", a.Body) || a.Header.Get("X-DocuSign-Signature-2") != connect.Sign("new-key", a.Body) {
			t.Errorf("%s attempt %d is not signed with both keys", a.Event, a.Retry)
		}
	}
	if tries["envelope-completed"] != 3 || tries["envelope-delivered"] != 2 || tries["envelope-sent"] != 1 {
		t.Errorf("attempts per event: %v", tries)
	}
	// Nothing is left in the failure log.
	failures, err := capi.ListEventFailureLogsWithResponse(ctx, acct, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(failures.JSON200.Failures); n != 0 {
		t.Errorf("%d failures left", n)
	}
}

// TestEndToEndEnvelopeEventNotification: an envelope's own
// eventNotification gets its events, and a listener without the right key
// refuses them all (none reaches user code) until DocuSign gives up; the
// failure log then lists the delivery, and a retry through the API
// delivers it once the listener has the key.
func TestEndToEndEnvelopeEventNotification(t *testing.T) {
	srv, c := fake(t)
	ctx := context.Background()
	acct := srv.DefaultAccountID()
	srv.SetConnectHMACKeys(acct, "rotated-key")
	rec := &received{}
	var handler http.Handler
	var mu sync.Mutex
	setHandler := func(keys ...string) {
		h, err := connect.NewHandler(rec.handle, connect.WithHMACKeys(keys...))
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		handler = h
		mu.Unlock()
	}
	setHandler("stale-key")
	listener := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := handler
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(listener.Close)

	capi, eapi := apis(t, c)
	created, err := eapi.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		EmailSubject: s("Envelope-level"), Status: s("sent"),
		Documents: []models.Document{{DocumentID: s("1"), Name: s("a.pdf"), DocumentBase64: s("JVBERi0xLjQK")}},
		EventNotification: &models.EventNotification{
			URL: s(listener.URL), IncludeHMAC: s("true"), RequireAcknowledgment: s("true"),
			Events: []string{"envelope-sent"}, EventData: &models.ConnectEventData{Version: s("restv2.1")},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	envID := *created.JSON201.EnvelopeID
	wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := srv.WaitConnectIdle(wctx); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.events()); n != 0 {
		t.Fatalf("user code saw %d refused deliveries", n)
	}
	attempts := srv.ConnectAttempts()
	if len(attempts) != 5 || attempts[0].Status != http.StatusUnauthorized {
		t.Fatalf("attempts %d, first answered %d", len(attempts), attempts[0].Status)
	}

	failures, err := capi.ListEventFailureLogsWithResponse(ctx, acct, nil)
	if err != nil {
		t.Fatal(err)
	}
	if f := failures.JSON200.Failures; len(f) != 1 || *f[0].EnvelopeID != envID || *f[0].Status != "failed" || !strings.Contains(*f[0].Error, "401") {
		t.Fatalf("failure log: %+v", f)
	}

	setHandler("rotated-key")
	if _, err := capi.RetryEventForEnvelopeWithResponse(ctx, acct, envID); err != nil {
		t.Fatal(err)
	}
	if err := srv.WaitConnectIdle(wctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.events(); len(got) != 1 || got[0] != connect.EnvelopeSent {
		t.Fatalf("after the retry user code saw %v", got)
	}
	if m := rec.got[0]; m.ConfigurationID != "" || m.Data.EnvelopeSummary != nil {
		t.Errorf("envelope-level message: configuration %q, summary without includeData %v", m.ConfigurationID, m.Data.EnvelopeSummary)
	}
}

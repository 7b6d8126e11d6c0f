package connect_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/dsgo/docusign/connect"
)

func ExampleNewHandler() {
	// Both keys are valid while the old one is being rotated out.
	h, err := connect.NewHandler(func(ctx context.Context, m *connect.Message) error {
		switch m.Event {
		case connect.EnvelopeCompleted:
			fmt.Println("completed:", m.Data.EnvelopeID)
		case connect.RecipientDeclined:
			fmt.Println("declined by recipient", m.Data.RecipientID)
		}
		return nil // acknowledge; an error makes DocuSign retry
	}, connect.WithHMACKeys("new-key", "old-key"))
	if err != nil {
		log.Fatal(err)
	}

	// What DocuSign sends: the message, signed with each active key.
	body := []byte(`{"event":"envelope-completed","retryCount":0,"generatedDateTime":"2026-12-01T10:15:30.1234567Z","data":{"envelopeId":"93be49ab-1111-2222-3333-44cc55dd66ee"}}`)
	for retry := 0; retry < 2; retry++ { // the second delivery is a duplicate
		r := httptest.NewRequest(http.MethodPost, "/connect", bytes.NewReader(body))
		r.Header.Set("X-DocuSign-Signature-1", connect.Sign("old-key", body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println("answer:", w.Code)
	}
	// Output:
	// completed: 93be49ab-1111-2222-3333-44cc55dd66ee
	// answer: 200
	// answer: 200
}

func ExampleVerifier() {
	v, err := connect.NewVerifier(connect.WithHMACKeys("key"), connect.WithMaxBodyBytes(1<<20))
	if err != nil {
		log.Fatal(err)
	}
	body := []byte(`{"event":"envelope-sent","data":{"envelopeId":"e1"}}`)
	r := httptest.NewRequest(http.MethodPost, "/connect", bytes.NewReader(body))
	r.Header.Set("X-DocuSign-Signature-1", connect.Sign("wrong-key", body))
	if _, err := v.Verify(r); err != nil {
		fmt.Println(connect.StatusOf(err), err)
	}
	// Output:
	// 401 connect: no signature matches a configured HMAC key: the signature header does not match
}

func ExampleDecode() {
	m, err := connect.Decode([]byte(`{"event":"recipient-completed","configurationId":10472953,"data":{"envelopeId":"e1","recipientId":2}}`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(m.Event, m.ConfigurationID, m.Data.EnvelopeID, m.Data.RecipientID, m.Event.Known())
	// Output:
	// recipient-completed 10472953 e1 2 true
}

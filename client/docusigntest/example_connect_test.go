package docusigntest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/connect"
)

// The fake delivers signed Connect messages to a listener for envelope
// lifecycle events; here the listener is a connect.Handler.
func ExampleServer_SetConnectHMACKeys() {
	srv := docusigntest.NewServer(docusigntest.WithUsers(5), docusigntest.WithEnvelopes(1), docusigntest.WithEvents(0))
	defer srv.Close()
	acct := srv.DefaultAccountID()
	srv.SetConnectHMACKeys(acct, "hmac-key")

	h, err := connect.NewHandler(func(_ context.Context, m *connect.Message) error {
		fmt.Println(m.Event, "retry", m.RetryCount)
		return nil
	}, connect.WithHMACKeys("hmac-key"))
	if err != nil {
		panic(err)
	}
	listener := httptest.NewServer(h)
	defer listener.Close()

	// An account-level configuration, as the Connect configuration
	// operations create it (here with a plain request).
	req, _ := http.NewRequest("POST", srv.Environment().ESignatureURL+"/v2.1/accounts/"+acct+"/connect",
		strings.NewReader(`{"urlToPublishTo":"`+listener.URL+`","allUsers":"true","includeHMAC":"true","events":["envelope-completed"]}`))
	req.Header.Set("Authorization", "Bearer "+srv.AccessToken())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	res.Body.Close()

	srv.SetEnvelopeStatus(srv.Envelopes(acct)[0].ID, "completed")
	if err := srv.WaitConnectIdle(context.Background()); err != nil {
		panic(err)
	}
	fmt.Println(len(srv.ConnectAttempts()), "attempt")
	// Output:
	// envelope-completed retry 0
	// 1 attempt
}

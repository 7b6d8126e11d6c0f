package docusigntest_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/gen/esignature/envelopedocuments"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
)

// An envelope created through the generated client, signed from the test
// with the control API, and its certificate downloaded as a real PDF.
func ExampleServer_SignRecipient() {
	srv := docusigntest.NewServer(docusigntest.WithUsers(10), docusigntest.WithEnvelopes(0))
	defer srv.Close()
	app := srv.NewIntegration()
	c, _ := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(app.Key),
		client.WithUserID(app.UserID), client.WithPrivateKey(app.PrivateKeyPEM()))
	ctx := context.Background()
	acct, _ := c.AccountID(ctx)
	envs, _ := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	docs, _ := client.ESignature(ctx, c, envelopedocuments.NewClientWithResponses, envelopedocuments.WithHTTPClient)
	s := func(v string) *string { return &v }

	created, err := envs.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		EmailSubject: s("Please sign"), Status: s("sent"),
		Documents: []models.Document{{DocumentID: s("1"), Name: s("nda.pdf"),
			DocumentBase64: s(base64.StdEncoding.EncodeToString(docusigntest.SamplePDF("NDA")))}},
		Recipients: &models.Recipients{Signers: []models.Signer{{RecipientID: s("1"), Name: s("Ada"), Email: s("ada@example.com")}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	id := *created.JSON201.EnvelopeID
	if err := srv.SignRecipient(id, "1"); err != nil {
		fmt.Println(err)
		return
	}
	env, _ := envs.GetEnvelopeWithResponse(ctx, acct, id, nil)
	cert, _ := docs.GetDocumentWithResponse(ctx, acct, id, "certificate", nil)
	pages, err := docusigntest.CheckPDF(cert.Body)
	fmt.Println(*env.JSON200.Status, pages, err)
	for _, ev := range srv.RecordedEvents() {
		fmt.Println(ev.Object, ev.Action)
	}
	// Output:
	// completed 1 <nil>
	// Envelope Sent
	// Envelope Completed
}

// OnEnvelopeEvent observes every step, with the names DocuSign Connect
// uses, whether an API call or the control API caused it.
func ExampleServer_OnEnvelopeEvent() {
	srv := docusigntest.NewServer(docusigntest.WithUsers(10), docusigntest.WithEnvelopes(0))
	defer srv.Close()
	srv.OnEnvelopeEvent(func(ev docusigntest.EnvelopeEvent) {
		fmt.Println(ev.Kind, ev.RecipientID, ev.Envelope.Status)
	})
	tmpl, _ := srv.AddTemplate(docusigntest.Template{
		Name: "NDA", EmailSubject: "Sign the NDA",
		Documents:  []docusigntest.Document{{Name: "nda.pdf"}},
		Recipients: []docusigntest.Recipient{{RoleName: "Signer", Name: "Ada", Email: "ada@example.com"}},
	})
	app := srv.NewIntegration()
	c, _ := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(app.Key),
		client.WithUserID(app.UserID), client.WithPrivateKey(app.PrivateKeyPEM()))
	ctx := context.Background()
	acct, _ := c.AccountID(ctx)
	envs, _ := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	s := func(v string) *string { return &v }
	created, _ := envs.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{TemplateID: s(tmpl.ID), Status: s("sent")})
	srv.DeclineRecipient(*created.JSON201.EnvelopeID, "1", "Not today")
	// Output:
	// envelope-created  created
	// envelope-sent  sent
	// recipient-sent 1 sent
	// recipient-delivered 1 sent
	// envelope-delivered  delivered
	// recipient-declined 1 delivered
	// envelope-declined  declined
}

// HandleFunc serves an operation the fake does not implement, behind its
// authentication, rate limits, faults and request log; without it the
// operation answers 501 NOT_IMPLEMENTED.
func ExampleServer_HandleFunc() {
	srv := docusigntest.NewServer(docusigntest.WithUsers(10))
	defer srv.Close()
	lock := srv.URL() + "/restapi/v2.1/accounts/" + srv.DefaultAccountID() + "/envelopes/e1/lock"
	get := func() int {
		req, _ := http.NewRequest("GET", lock, nil)
		req.Header.Set("Authorization", "Bearer "+srv.AccessToken())
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		res.Body.Close()
		return res.StatusCode
	}
	fmt.Println(get())
	srv.HandleFunc("GET /restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}/lock", func(w http.ResponseWriter, r *http.Request) {
		caller, _ := docusigntest.CallerOf(r)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"lockedByUser":{"userId":%q}}`, caller.User.ID)
	})
	fmt.Println(get())
	// Output:
	// 501
	// 200
}

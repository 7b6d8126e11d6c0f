package client_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
)

// A generated eSignature client bound to a Client in one line: calls
// carry the token, retries and rate-limit handling, and non-2xx answers
// come back as *client.APIError.
func ExampleESignature() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration()
	c, err := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(app.Key),
		client.WithUserID(app.UserID), client.WithPrivateKey(app.PrivateKeyPEM()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	api, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	if err != nil {
		fmt.Println(err)
		return
	}
	acct, _ := c.AccountID(ctx)
	resp, err := api.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		EmailSubject: client.Ptr("Please sign"), Status: client.Ptr("sent"),
		Documents:  []models.Document{{DocumentID: client.Ptr("1"), Name: client.Ptr("a.pdf"), DocumentBase64: client.Ptr("JVBERi0xLjQK")}},
		Recipients: &models.Recipients{Signers: []models.Signer{{RecipientID: client.Ptr("1"), Email: client.Ptr("a@example.com"), Name: client.Ptr("A")}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode(), *resp.JSON201.Status)

	_, err = api.GetEnvelopeWithResponse(ctx, acct, "00000000-0000-0000-0000-000000000000", nil)
	var apiErr *client.APIError
	if errors.As(err, &apiErr) && errors.Is(err, client.ErrNotFound) {
		fmt.Println(apiErr.StatusCode, apiErr.Code)
	}
	// Output:
	// 201 sent
	// 404 ENVELOPE_DOES_NOT_EXIST
}

// Token returns the cached token, requesting one with the JWT grant only
// when none is fresh; a missing consent is a typed error that carries the
// URL to open.
func ExampleClient_Token() {
	srv := docusigntest.NewServer()
	defer srv.Close()
	app := srv.NewIntegration(docusigntest.WithoutConsent(), docusigntest.WithRedirectURIs("https://localhost/cb"))
	c, _ := client.New(client.WithEnvironment(srv.Environment()), client.WithIntegrationKey(app.Key),
		client.WithUserID(app.UserID), client.WithPrivateKey(app.PrivateKeyPEM()),
		client.WithRedirectURI("https://localhost/cb"))

	_, err := c.Token(context.Background())
	var authErr *client.AuthError
	if errors.As(err, &authErr) && errors.Is(err, client.ErrConsentRequired) {
		fmt.Println(authErr.Code, authErr.ConsentURL != "")
	}

	srv.GrantConsent(app.Key, app.UserID, client.ScopeSignature, client.ScopeImpersonation)
	tok, err := c.Token(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	again, _ := c.Token(context.Background())
	fmt.Println(tok.Valid(srv.Now()), again.AccessToken == tok.AccessToken, srv.TokenRequests())
	// Output:
	// consent_required true
	// true true 2
}

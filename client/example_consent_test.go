package client_test

import (
	"fmt"

	"github.com/dsgo/docusign/client"
)

// The consent URL is opened once, in a browser, by the user the integration
// acts as (or by an administrator granting consent for the organization).
func ExampleConsentURL() {
	u, err := client.ConsentURL(client.ConsentParams{
		Environment:    client.Developer(),
		IntegrationKey: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
		RedirectURI:    "https://collector.example.com/docusign/callback",
		Scopes:         []string{client.ScopeSignature, client.ScopeImpersonation},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(u)
	// Output:
	// https://account-d.docusign.com/oauth/auth?response_type=code&scope=signature%20impersonation&client_id=0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0&redirect_uri=https%3A%2F%2Fcollector.example.com%2Fdocusign%2Fcallback
}

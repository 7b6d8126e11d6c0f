package client

import (
	"context"
	"fmt"
)

// The generated packages under gen/ each have a NewClientWithResponses
// constructor and a WithHTTPClient option. The functions below bind one of
// them to a Client in one line, so that its calls carry the Client's
// authentication, retries, rate-limit handling, logging and Go-Live
// tracking, and go to the right base URL for the environment:
//
//	envs, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
//	adm, err := client.Admin(c, admin.NewClientWithResponses, admin.WithHTTPClient)
//	mon, err := client.Monitor(c, monitor.NewClientWithResponses, monitor.WithHTTPClient)
//
// They are generic so that package client does not import (and make every
// program compile) the whole eSignature surface.

// ESignature returns a generated eSignature category client (any package
// under gen/esignature) bound to c. In production the base URL is the
// selected account's base_uri, discovered through /oauth/userinfo, which
// is why it takes a context.
func ESignature[T, O, D any](ctx context.Context, c *Client, newClient func(server string, opts ...O) (T, error), withHTTPClient func(D) O) (T, error) {
	base, err := c.ESignatureURL(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return bind(c, base, "eSignature", newClient, withHTTPClient)
}

// Admin returns the generated Admin API client (package gen/admin) bound
// to c.
func Admin[T, O, D any](c *Client, newClient func(server string, opts ...O) (T, error), withHTTPClient func(D) O) (T, error) {
	return bind(c, c.AdminURL(), "Admin", newClient, withHTTPClient)
}

// Monitor returns the generated Monitor API client (package gen/monitor)
// bound to c.
func Monitor[T, O, D any](c *Client, newClient func(server string, opts ...O) (T, error), withHTTPClient func(D) O) (T, error) {
	return bind(c, c.MonitorURL(), "Monitor", newClient, withHTTPClient)
}

func bind[T, O, D any](c *Client, base, api string, newClient func(string, ...O) (T, error), withHTTPClient func(D) O) (T, error) {
	var zero T
	if base == "" {
		return zero, fmt.Errorf("docusign: environment %q has no %s URL: set it in the Environment", c.env.Name, api)
	}
	doer, ok := any(c).(D)
	if !ok {
		return zero, fmt.Errorf("docusign: %T is not a %s client option taking an HTTP doer", withHTTPClient, api)
	}
	return newClient(base, withHTTPClient(doer))
}

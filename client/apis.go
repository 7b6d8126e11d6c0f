package client

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// The generated packages under gen/ each have a NewClientWithResponses
// constructor and a WithHTTPClient option. The functions below bind one of
// them to a Client in one line, so that its calls carry the Client's
// authentication, retries, rate-limit handling, logging and Go-Live
// tracking, and go to the right base URL for the environment:
//
//	envs, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
//	adm, err := client.Admin(ctx, c, admin.NewClientWithResponses, admin.WithHTTPClient)
//	mon, err := client.Monitor(ctx, c, monitor.NewClientWithResponses, monitor.WithHTTPClient)
//
// All three take a context, though only ESignature uses it today (account
// discovery), so that the three read alike. Binding a package of the wrong
// API (an eSignature package to Admin, say) is refused at bind time with
// ErrWrongAPI instead of failing later with a 404.
//
// They are generic so that package client does not import (and make every
// program compile) the whole eSignature surface.

// ESignature returns a generated eSignature category client (any package
// under gen/esignature) bound to c. In production the base URL is the
// selected account's base_uri, discovered through /oauth/userinfo, which
// is why it takes a context.
func ESignature[T, O, D any](ctx context.Context, c *Client, newClient func(server string, opts ...O) (T, error), withHTTPClient func(D) O) (T, error) {
	var zero T
	if err := checkAPI[T](apiESignature); err != nil {
		return zero, err
	}
	base, err := c.ESignatureURL(ctx)
	if err != nil {
		return zero, err
	}
	return bind(c, base, "eSignature", newClient, withHTTPClient)
}

// Admin returns the generated Admin API client (package gen/admin) bound
// to c.
func Admin[T, O, D any](ctx context.Context, c *Client, newClient func(server string, opts ...O) (T, error), withHTTPClient func(D) O) (T, error) {
	if err := checkAPI[T](apiAdmin); err != nil {
		var zero T
		return zero, err
	}
	return bind(c, c.AdminURL(), "Admin", newClient, withHTTPClient)
}

// Monitor returns the generated Monitor API client (package gen/monitor)
// bound to c.
func Monitor[T, O, D any](ctx context.Context, c *Client, newClient func(server string, opts ...O) (T, error), withHTTPClient func(D) O) (T, error) {
	if err := checkAPI[T](apiMonitor); err != nil {
		var zero T
		return zero, err
	}
	return bind(c, c.MonitorURL(), "Monitor", newClient, withHTTPClient)
}

func bind[T, O, D any](c *Client, base, api string, newClient func(string, ...O) (T, error), withHTTPClient func(D) O) (T, error) {
	var zero T
	if base == "" {
		field := "Environment." + strings.ToUpper(api[:1]) + api[1:] + "URL" // ESignatureURL, AdminURL, MonitorURL
		return zero, fieldErr(field, "is empty: environment %q has no %s URL: set it to use the %s API", c.env.Name, api, api)
	}
	doer, ok := any(c).(D)
	if !ok {
		return zero, fmt.Errorf("docusign: %T is not a %s client option taking an HTTP doer", withHTTPClient, api)
	}
	return newClient(base, withHTTPClient(doer))
}

// ErrWrongAPI is returned (wrapped) by ESignature, Admin and Monitor when the
// generated package passed belongs to another API.
var ErrWrongAPI = errors.New("docusign: generated package bound to the wrong API")

// The generated package trees of each API, as import path segments.
const (
	apiESignature = "/gen/esignature/"
	apiAdmin      = "/gen/admin"
	apiMonitor    = "/gen/monitor"
)

// checkAPI refuses a generated client type whose package is known to
// belong to another API than want. Packages outside gen/ (a user's own
// generation, a test double) are accepted as they are.
func checkAPI[T any](want string) error {
	t := reflect.TypeFor[T]()
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	var got, name string
	switch {
	case strings.Contains(pkg, apiESignature):
		got, name = apiESignature, "eSignature (use client.ESignature)"
	case strings.HasSuffix(pkg, apiAdmin):
		got, name = apiAdmin, "Admin (use client.Admin)"
	case strings.HasSuffix(pkg, apiMonitor):
		got, name = apiMonitor, "Monitor (use client.Monitor)"
	default:
		return nil
	}
	if got == want {
		return nil
	}
	return fmt.Errorf("%w: package %s is the %s API", ErrWrongAPI, pkg, name)
}

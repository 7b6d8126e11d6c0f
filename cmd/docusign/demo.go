package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/gen/esignature/envelopedocuments"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
)

// demoRedirect is the redirect URI registered for the demo integration.
const demoRedirect = "https://localhost/callback"

func init() {
	register(command{"demo", "run the whole flow against the embedded fake DocuSign", `
Starts a fake DocuSign in this process and runs the whole flow against it
through the same code as the other commands: consent, token, account
discovery, Go-Live calls, an envelope, a Monitor drain interrupted and
resumed from its checkpoint, and the organization's users. Needs no
account, keys or network.`, runDemo})
}

// runDemo starts the embedded fake DocuSign and runs the whole flow
// against it, through the same code paths as the other commands.
func runDemo(ctx context.Context, e *env, args []string) error {
	var events, users *int
	if _, err := parseFlags(e, "demo", args, nil, func(fs *flag.FlagSet) {
		events = fs.Int("events", 5000, "Monitor events in the fake")
		users = fs.Int("users", 600, "organization users in the fake")
	}); err != nil {
		return err
	}
	if *events < 2 || *users < 1 {
		return usagef("--events must be at least 2 and --users at least 1")
	}
	dir, err := os.MkdirTemp("", "docusign-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	srv := docusigntest.NewServer(docusigntest.WithEvents(*events), docusigntest.WithUsers(*users))
	defer srv.Close()
	in := srv.NewIntegration(docusigntest.WithoutConsent(), docusigntest.WithRedirectURIs(demoRedirect))
	keyFile := filepath.Join(dir, "private.pem")
	if err := os.WriteFile(keyFile, in.PrivateKeyPEM(), 0o600); err != nil {
		return err
	}
	fake := srv.Environment()
	vars := map[string]string{
		"DOCUSIGN_OAUTH_URL":        fake.OAuthURL,
		"DOCUSIGN_ESIGN_URL":        fake.ESignatureURL,
		"DOCUSIGN_ADMIN_URL":        fake.AdminURL,
		"DOCUSIGN_MONITOR_URL":      fake.MonitorURL,
		"DOCUSIGN_INTEGRATION_KEY":  in.Key,
		"DOCUSIGN_USER_ID":          in.UserID,
		"DOCUSIGN_PRIVATE_KEY_FILE": keyFile,
		"DOCUSIGN_ORG_ID":           srv.OrgID(),
		"DOCUSIGN_ACCOUNT_ID":       in.AccountID,
		"DOCUSIGN_REDIRECT_URI":     demoRedirect,
		"DOCUSIGN_TOKEN_CACHE":      filepath.Join(dir, "tokens"),
	}
	sub := func(stdout *bytes.Buffer, args ...string) error {
		se := &env{stdout: stdout, stderr: &bytes.Buffer{}, getenv: func(k string) string { return vars[k] }}
		return lookup(args[0]).run(ctx, se, args[1:])
	}
	say := func(step, format string, a ...any) {
		fmt.Fprintf(e.stdout, "%-10s %s\n", step, fmt.Sprintf(format, a...))
	}
	fmt.Fprintf(e.stdout, "Fake DocuSign on %s: %d users, %d Monitor events, integration key %s\n\n", srv.URL(), *users, *events, in.Key)

	// 1. No consent yet: the token request fails with consent_required and
	// the error carries the URL to open.
	var out bytes.Buffer
	err = sub(&out, "token")
	var ae *client.AuthError
	if !errors.As(err, &ae) || !errors.Is(err, client.ErrConsentRequired) {
		return fmt.Errorf("demo: expected consent_required before consent, got %v", err)
	}
	say("consent", "token request refused: %s; consent URL: %s", ae.Code, ae.ConsentURL)

	// 2. The user opens the consent URL for every command's scopes (the
	// consent-url command) and accepts.
	out.Reset()
	if err := sub(&out, "consent-url"); err != nil {
		return err
	}
	if err := grantConsent(ctx, strings.TrimSpace(out.String())); err != nil {
		return err
	}
	say("", "consent granted for %s (the fake's consent page redirected to %s)", "signature impersonation organization_read user_read", demoRedirect)

	// 3. JWT grant.
	out.Reset()
	if err := sub(&out, "token"); err != nil {
		return err
	}
	say("token", "%s", strings.TrimSpace(out.String()))

	// 4. Account discovery.
	out.Reset()
	if err := sub(&out, "whoami"); err != nil {
		return err
	}
	last := lines(out.String())
	say("whoami", "%s", last[len(last)-1])

	// 5-6. Go-Live calls and an envelope, through one Client.
	c, err := newClient(&env{stderr: e.stderr}, settingsFrom(vars), need{auth: true}, scopesESign)
	if err != nil {
		return err
	}
	status, err := goLiveCalls(ctx, c, client.GoLiveRequired)
	if err != nil {
		return err
	}
	say("golive", "%d/%d consecutive successful eSignature calls: ready=%v", status.Count, status.Required, status.Ready)
	id, err := sendEnvelope(ctx, c)
	if err != nil {
		return err
	}
	say("envelope", "created %s (sent)", id)
	// The fake's signer signs; the envelope completes and its certificate
	// downloads, all of which the Monitor stream below collects.
	if err := srv.SignRecipient(id, "1"); err != nil {
		return err
	}
	pages, err := downloadCertificate(ctx, c, id)
	if err != nil {
		return err
	}
	say("", "signer 1 signed: completed; certificate of completion downloaded (%d-page PDF)", pages)

	// 7. Monitor events: a first run stops part-way (as if killed), a
	// second run resumes from the checkpoint file.
	cp := filepath.Join(dir, "events.checkpoint")
	first := *events/2 + 7 // mid-page on purpose
	var run1, run2 bytes.Buffer
	if err := sub(&run1, "events", "--limit", "1000", "--checkpoint", cp, "--max", fmt.Sprint(first)); err != nil {
		return err
	}
	if err := sub(&run2, "events", "--limit", "1000", "--checkpoint", cp); err != nil {
		return err
	}
	n1, n2, unique, err := countEvents(run1.String(), run2.String())
	if err != nil {
		return err
	}
	say("events", "run 1 stopped after %d, run 2 resumed with %d: %d unique of %d in the stream, %d duplicates (the envelope's Sent and Completed included)", n1, n2, unique, srv.MonitorEventCount(), n1+n2-unique)
	if unique != srv.MonitorEventCount() || n1+n2 != unique {
		return fmt.Errorf("demo: events lost or duplicated across the resume")
	}

	// 8. Organization users.
	out.Reset()
	if err := sub(&out, "users", "--checkpoint", filepath.Join(dir, "users.checkpoint")); err != nil {
		return err
	}
	say("users", "%d organization users of account %s listed (%d Admin requests of up to 250)", len(lines(out.String())), in.AccountID, srv.AdminRequests())

	fmt.Fprintf(e.stdout, "\ndone: %d token request(s), %d requests in all; nothing needed an account, keys or network\n", srv.TokenRequests(), srv.RequestCount())
	return nil
}

// settingsFrom builds settings from variables alone.
func settingsFrom(vars map[string]string) *settings {
	s := newSettings(flag.NewFlagSet("demo", flag.ContinueOnError))
	s.resolve(func(k string) string { return vars[k] })
	return s
}

// grantConsent plays the user opening the consent URL and accepting.
func grantConsent(ctx context.Context, consentURL string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, consentURL, nil)
	if err != nil {
		return err
	}
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 10 * time.Second}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		return fmt.Errorf("demo: consent page answered %s", resp.Status)
	}
	return nil
}

// sendEnvelope creates an envelope with one document and one signer.
func sendEnvelope(ctx context.Context, c *client.Client) (string, error) {
	acct, err := c.AccountID(ctx)
	if err != nil {
		return "", err
	}
	api, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	if err != nil {
		return "", err
	}
	resp, err := api.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		EmailSubject: client.Ptr("Please sign the demo agreement"),
		Status:       client.Ptr("sent"),
		Documents:    []models.Document{{DocumentID: client.Ptr("1"), Name: client.Ptr("agreement.pdf"), DocumentBase64: client.Ptr(base64.StdEncoding.EncodeToString(docusigntest.SamplePDF("Demo agreement")))}},
		Recipients: &models.Recipients{Signers: []models.Signer{{
			RecipientID: client.Ptr("1"), Email: client.Ptr("signer@example.com"), Name: client.Ptr("Demo Signer"),
		}}},
	})
	if err != nil {
		return "", err
	}
	if resp.JSON201 == nil || resp.JSON201.EnvelopeID == nil {
		return "", fmt.Errorf("demo: create envelope answered %s without an envelope ID", resp.Status())
	}
	return *resp.JSON201.EnvelopeID, nil
}

// downloadCertificate downloads an envelope's certificate of completion
// and returns its page count.
func downloadCertificate(ctx context.Context, c *client.Client, envelopeID string) (int, error) {
	acct, err := c.AccountID(ctx)
	if err != nil {
		return 0, err
	}
	docs, err := client.ESignature(ctx, c, envelopedocuments.NewClientWithResponses, envelopedocuments.WithHTTPClient)
	if err != nil {
		return 0, err
	}
	resp, err := docs.GetDocumentWithResponse(ctx, acct, envelopeID, "certificate", nil)
	if err != nil {
		return 0, err
	}
	return docusigntest.CheckPDF(resp.Body)
}

// countEvents counts the events of two NDJSON runs and the unique IDs.
func countEvents(runs ...string) (n1, n2, unique int, err error) {
	seen := map[string]bool{}
	counts := make([]int, len(runs))
	for i, r := range runs {
		for _, l := range lines(r) {
			var ev struct {
				EventID string `json:"eventId"`
			}
			if err := json.Unmarshal([]byte(l), &ev); err != nil || ev.EventID == "" {
				return 0, 0, 0, fmt.Errorf("demo: bad NDJSON line %q", l)
			}
			counts[i]++
			seen[ev.EventID] = true
		}
	}
	return counts[0], counts[1], len(seen), nil
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

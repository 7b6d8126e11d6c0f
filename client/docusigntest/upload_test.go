package docusigntest_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/gen/esignature/envelopedocuments"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
)

// newDraft creates a draft envelope with one document through client.New
// and the generated clients, and returns the fake, the documents client,
// the account and the envelope.
func newDraft(t *testing.T) (*docusigntest.Server, *envelopedocuments.ClientWithResponses, string, string) {
	t.Helper()
	srv, c := newScenarioClient(t)
	ctx := context.Background()
	acct, err := c.AccountID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	envs, err := client.ESignature(ctx, c, envelopes.NewClientWithResponses, envelopes.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := client.ESignature(ctx, c, envelopedocuments.NewClientWithResponses, envelopedocuments.WithHTTPClient)
	if err != nil {
		t.Fatal(err)
	}
	created, err := envs.CreateEnvelopeWithResponse(ctx, acct, nil, models.EnvelopeDefinition{
		EmailSubject: ptr("Draft"), Status: ptr("created"),
		Documents: []models.Document{{DocumentID: ptr("1"), Name: ptr("v1.pdf"), DocumentBase64: b64PDF(t, "Version 1")}},
	})
	if err != nil || created.JSON201 == nil {
		t.Fatalf("create: %v %s", err, created.Body)
	}
	return srv, docs, acct, *created.JSON201.EnvelopeID
}

// openFile writes data to a temporary file and opens it for reading.
func openFile(t *testing.T, data []byte) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "upload.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestUpdateDocumentSendsAPDFFileThroughTheFake replaces a draft's document
// with a PDF read from a file, through client.New and the generated
// UpdateDocument (whose raw body the SDK merge added), then downloads it.
func TestUpdateDocumentSendsAPDFFileThroughTheFake(t *testing.T) {
	_, docs, acct, envID := newDraft(t)
	ctx := context.Background()
	pdf := docusigntest.SamplePDF("Version 2")
	f := openFile(t, pdf)
	named := func(_ context.Context, req *http.Request) error {
		req.Header.Set("Content-Disposition", `file; filename="v2.pdf"`)
		return nil
	}
	upd, err := docs.UpdateDocumentWithBodyWithResponse(ctx, acct, envID, "1", "application/pdf", f, named)
	if err != nil {
		t.Fatal(err)
	}
	if upd.JSON200 == nil || *upd.JSON200.DocumentID != "1" || *upd.JSON200.Name != "v2.pdf" {
		t.Fatalf("update answered %d %s", upd.StatusCode(), upd.Body)
	}
	got, err := docs.GetDocumentWithResponse(ctx, acct, envID, "1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Body, pdf) {
		t.Fatalf("document 1 downloads as %d bytes, not the %d-byte PDF sent", len(got.Body), len(pdf))
	}
}

// TestALargePDFFileUploadIsRetriedWholeAfterA503 uploads a 3 MiB PDF file
// through client.New and the generated UpdateDocument while the fake
// answers the first PUT with 503 before reading the body: the client sends
// the file again, with its Content-Length both times, and the envelope
// ends up with exactly the file's bytes.
func TestALargePDFFileUploadIsRetriedWholeAfterA503(t *testing.T) {
	srv, docs, acct, envID := newDraft(t)
	ctx := context.Background()
	// A PDF may carry comment lines; these make it larger than the replay
	// buffer, and it still ends with %%EOF.
	pdf := bytes.Repeat([]byte("% padding beyond the replay buffer\n"), 3*client.MaxReplayBuffer/35)
	pdf = append(docusigntest.SamplePDF("Version 2"), append(pdf, "%%EOF\n"...)...)
	f := openFile(t, pdf)
	docPath := "/restapi/v2.1/accounts/" + acct + "/envelopes/" + envID + "/documents/1"
	fault := srv.InjectFault(docusigntest.Fault{Method: http.MethodPut, PathPrefix: docPath, Status: http.StatusServiceUnavailable})
	srv.ResetLog()

	upd, err := docs.UpdateDocumentWithBodyWithResponse(ctx, acct, envID, "1", "application/pdf", f)
	if err != nil {
		t.Fatal(err)
	}
	if upd.JSON200 == nil || *upd.JSON200.DocumentID != "1" {
		t.Fatalf("update answered %d %s", upd.StatusCode(), upd.Body)
	}
	if fault.Fired() != 1 {
		t.Fatalf("the 503 fired %d times, want 1", fault.Fired())
	}
	var puts []docusigntest.Request
	for _, r := range srv.RequestsTo(docPath) {
		if r.Method == http.MethodPut {
			puts = append(puts, r)
		}
	}
	if len(puts) != 2 {
		t.Fatalf("%d PUTs, want the 503 and its retry", len(puts))
	}
	for i, r := range puts {
		if got := r.Header.Get("Content-Length"); got != strconv.Itoa(len(pdf)) {
			t.Errorf("PUT %d: Content-Length %q, want %d (no chunked upload)", i+1, got, len(pdf))
		}
	}
	got, err := docs.GetDocumentWithResponse(ctx, acct, envID, "1", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Body, pdf) {
		t.Fatalf("document 1 downloads as %d bytes, not the %d-byte PDF sent", len(got.Body), len(pdf))
	}
}

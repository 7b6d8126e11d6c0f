package docusigntest_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/dsgo/docusign/client"
	"github.com/dsgo/docusign/client/docusigntest"
	"github.com/dsgo/docusign/gen/esignature/envelopedocuments"
	"github.com/dsgo/docusign/gen/esignature/envelopes"
	"github.com/dsgo/docusign/gen/esignature/models"
)

// TestUpdateDocumentSendsAPDFFileThroughTheFake replaces a draft's document
// with a PDF read from a file, through client.New and the generated
// UpdateDocument (whose raw body the SDK merge added), then downloads it.
func TestUpdateDocumentSendsAPDFFileThroughTheFake(t *testing.T) {
	_, c := newScenarioClient(t)
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
	envID := *created.JSON201.EnvelopeID

	pdf := docusigntest.SamplePDF("Version 2")
	path := filepath.Join(t.TempDir(), "v2.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
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

package gen_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dsgo/docusign/gen/admin"
	"github.com/dsgo/docusign/gen/esignature/envelopedocuments"
	"github.com/dsgo/docusign/gen/esignature/envelopeshares"
	"github.com/dsgo/docusign/gen/esignature/models"
)

func TestUpdateDocumentSendsThePDF(t *testing.T) {
	base, got := serve(t, "/restapi", 200, `{"documentId":"2","name":"contract.pdf","docGenFormFields":[{"name":"f1"}],"isDocGenDocument":"false"}`)
	c, err := envelopedocuments.NewClientWithResponses(base)
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n")
	resp, err := c.UpdateDocumentWithBodyWithResponse(context.Background(), "acct-1", "env-1", "2", "application/pdf", bytes.NewReader(pdf))
	if err != nil {
		t.Fatal(err)
	}
	if got.method != "PUT" || got.path != "/v2.1/accounts/acct-1/envelopes/env-1/documents/2" {
		t.Errorf("request %s %s", got.method, got.path)
	}
	if got.contentType != "application/pdf" || !bytes.Equal(got.body, pdf) {
		t.Errorf("server got %q with %d bytes, want the PDF", got.contentType, len(got.body))
	}
	d := resp.JSON200
	if d == nil || *d.DocumentID != "2" || len(d.DocGenFormFields) != 1 || *d.IsDocGenDocument != "false" {
		t.Fatalf("decoded %+v (members from the SDK included)", d)
	}
}

func TestAnOperationOnlyTheSDKDeclaresWorks(t *testing.T) {
	base, got := serve(t, "/restapi", 200, `{"shares":[{"shareId":"s-1","permission":"edit","agentUser":{"email":"a@example.com"}}]}`)
	c, _ := envelopeshares.NewClientWithResponses(base)
	resp, err := c.GetEnvelopesSharesWithResponse(context.Background(), "acct-1", "env-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.method != "GET" || got.path != "/v2.1/accounts/acct-1/envelopes/env-1/shares" {
		t.Errorf("request %s %s", got.method, got.path)
	}
	if r := resp.JSON200; r == nil || len(r.Shares) != 1 || *r.Shares[0].ShareID != "s-1" || *r.Shares[0].AgentUser.Email != "a@example.com" {
		t.Fatalf("decoded %+v", resp.JSON200)
	}
}

// part is what the multipart server saw in one part.
type part struct {
	field, filename, contentType string
	size                         int
	sum                          [32]byte
}

// multipartServer parses each request's multipart body as it arrives.
func multipartServer(t *testing.T, onPart func(p part)) (base string, requests *int) {
	t.Helper()
	requests = new(int)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*requests++
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/form-data" {
			http.Error(w, "want multipart/form-data", 415)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			h := sha256.New()
			n, err := io.Copy(h, p)
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			var sum [32]byte
			copy(sum[:], h.Sum(nil))
			onPart(part{p.FormName(), p.FileName(), p.Header.Get("Content-Type"), int(n), sum})
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"7b0a3e52-0000-4000-8000-000000000001","status":"queued"}`)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/management", requests
}

func TestAdminBulkUserImportSendsTheCSVAsMultipartInOneCall(t *testing.T) {
	var parts []part
	base, _ := multipartServer(t, func(p part) { parts = append(parts, p) })
	c, _ := admin.NewClientWithResponses(base)
	csv := "AccountID,UserName,UserEmail,PermissionSet\n1,Ann,ann@example.com,DS Viewer\n"
	resp, err := c.AddBulkUserImportMultipartWithResponse(context.Background(), "9e1d1b5c-0000-4000-8000-00000000000a",
		admin.MultipartFile{Name: "users.csv", ContentType: "text/csv", Content: strings.NewReader(csv)})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 200 || resp.JSON200 == nil {
		t.Fatalf("status %d: %s", resp.StatusCode(), resp.Body)
	}
	if len(parts) != 1 {
		t.Fatalf("server saw %d parts, want 1", len(parts))
	}
	p := parts[0]
	if p.field != "file.csv" || p.filename != "users.csv" || p.contentType != "text/csv" || p.size != len(csv) || p.sum != sha256.Sum256([]byte(csv)) {
		t.Errorf("part %+v", p)
	}
}

// gatedReader yields size bytes; after half of them it waits until the
// server has received data, which it can only if the body is streamed.
type gatedReader struct {
	size, sent int
	received   chan struct{}
}

func (r *gatedReader) Read(p []byte) (int, error) {
	if r.sent == r.size {
		return 0, io.EOF
	}
	if r.sent == r.size/2 {
		select {
		case <-r.received:
		case <-time.After(10 * time.Second):
			return 0, errors.New("the server got nothing while half the file was read: the body is not streamed")
		}
	}
	n := min(len(p), r.size-r.sent, r.size/2-r.sent%(r.size/2))
	for i := range n {
		p[i] = byte('a' + (r.sent+i)%26)
	}
	r.sent += n
	return n, nil
}

func TestMultipartBodiesAreStreamed(t *testing.T) {
	received := make(chan struct{})
	var once bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 64<<10)
		total := 0
		for {
			n, err := r.Body.Read(buf)
			total += n
			if total > 0 && !once {
				once = true
				close(received)
			}
			if err != nil {
				break
			}
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	c, _ := admin.NewClientWithResponses(srv.URL)
	src := &gatedReader{size: 8 << 20, received: received}
	resp, err := c.AddBulkAccountSettingsImportMultipartWithResponse(context.Background(), "org", admin.MultipartFile{Content: src})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode() != 200 || src.sent != src.size {
		t.Fatalf("status %d, %d of %d bytes sent", resp.StatusCode(), src.sent, src.size)
	}
}

// replayingDoer sends each request twice when it can: a first attempt cut
// short, then the body from GetBody, as a retrying transport does.
type replayingDoer struct{ replays int }

func (d *replayingDoer) Do(r *http.Request) (*http.Response, error) {
	if r.GetBody != nil {
		io.CopyN(io.Discard, r.Body, 100) // a failed first attempt read part of it
		r.Body.Close()
		b, err := r.GetBody()
		if err != nil {
			return nil, err
		}
		r.Body = b
		d.replays++
	}
	return http.DefaultClient.Do(r)
}

func TestAMultipartFileThatCanSeekIsReplayedWhole(t *testing.T) {
	var parts []part
	base, requests := multipartServer(t, func(p part) { parts = append(parts, p) })
	data := bytes.Repeat([]byte("1,Ann,ann@example.com\n"), 10000)
	path := filepath.Join(t.TempDir(), "users.csv")
	os.WriteFile(path, data, 0o600)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doer := &replayingDoer{}
	c, _ := admin.NewClientWithResponses(base, admin.WithHTTPClient(doer))
	if _, err := c.UpdateBulkUserImportsMultipartWithResponse(context.Background(), "org", admin.MultipartFile{Content: f}); err != nil {
		t.Fatal(err)
	}
	if doer.replays != 1 || *requests != 1 || len(parts) != 1 {
		t.Fatalf("replays %d, requests %d, parts %d", doer.replays, *requests, len(parts))
	}
	if p := parts[0]; p.filename != "file.csv" || p.contentType != "application/octet-stream" || p.sum != sha256.Sum256(data) {
		t.Errorf("replayed part %+v differs from the file (%d bytes)", p, len(data))
	}
}

func TestAMultipartBodyCarriesItsLengthWhenEveryFileCanSeek(t *testing.T) {
	data := bytes.Repeat([]byte("1,Ann,ann@example.com\n"), 5000)
	tests := []struct {
		name    string
		file    func(t *testing.T) admin.MultipartFile
		want    []byte
		chunked bool
	}{
		{"an *os.File read partway", func(t *testing.T) admin.MultipartFile {
			path := filepath.Join(t.TempDir(), "users.csv")
			os.WriteFile(path, data, 0o600)
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			f.Seek(22, io.SeekStart)
			return admin.MultipartFile{Name: "users.csv", ContentType: "text/csv", Content: f}
		}, data[22:], false},
		{"a *strings.Reader with a quoted file name", func(*testing.T) admin.MultipartFile {
			return admin.MultipartFile{Name: `Ann's "users" é.csv`, Content: strings.NewReader(string(data))}
		}, data, false},
		{"an *os.File that is a pipe", func(t *testing.T) admin.MultipartFile {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pr.Close() })
			go func() { pw.Write(data); pw.Close() }()
			return admin.MultipartFile{Content: pr}
		}, data, true},
		{"a pipe", func(*testing.T) admin.MultipartFile {
			pr, pw := io.Pipe()
			go func() { pw.Write(data); pw.Close() }()
			return admin.MultipartFile{Content: pr}
		}, data, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var length int64
			var te []string
			var body []byte
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				length, te = r.ContentLength, r.TransferEncoding
				body, _ = io.ReadAll(r.Body)
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, `{}`)
			}))
			t.Cleanup(srv.Close)
			c, _ := admin.NewClientWithResponses(srv.URL)
			resp, err := c.AddBulkAccountSettingsImportMultipartWithResponse(context.Background(), "org", tt.file(t))
			if err != nil {
				t.Fatal(err)
			}
			_, params, _ := mime.ParseMediaType(resp.HTTPResponse.Request.Header.Get("Content-Type"))
			p, err := multipart.NewReader(bytes.NewReader(body), params["boundary"]).NextPart()
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := io.ReadAll(p); !bytes.Equal(got, tt.want) {
				t.Errorf("the part holds %d bytes, want the %d of the file", len(got), len(tt.want))
			}
			switch {
			case tt.chunked && (length != -1 || len(te) != 1):
				t.Errorf("Content-Length %d, Transfer-Encoding %v: a stream of unknown length goes chunked", length, te)
			case !tt.chunked && (length != int64(len(body)) || len(te) != 0):
				t.Errorf("Content-Length %d, Transfer-Encoding %v; want Content-Length %d (the body received)", length, te, len(body))
			}
		})
	}
}

func TestAMultipartStreamIsNotReplayable(t *testing.T) {
	base, _ := multipartServer(t, func(part) {})
	doer := &replayingDoer{}
	c, _ := admin.NewClientWithResponses(base, admin.WithHTTPClient(doer))
	pr, pw := io.Pipe()
	go func() { pw.Write([]byte("a,b\n")); pw.Close() }()
	if _, err := c.CloseBulkUserImportRequestMultipartWithResponse(context.Background(), "org", admin.MultipartFile{Content: pr}); err != nil {
		t.Fatal(err)
	}
	if doer.replays != 0 {
		t.Error("a pipe cannot be sent twice: the request must have no GetBody")
	}
}

func TestAMissingMultipartFileIsReportedBeforeSending(t *testing.T) {
	base, requests := multipartServer(t, func(part) {})
	c, _ := admin.NewClientWithResponses(base)
	_, err := c.AddBulkUserImportMultipartWithResponse(context.Background(), "org", admin.MultipartFile{Name: "users.csv"})
	if err == nil || !strings.Contains(err.Error(), "fileCsv.Content") || !strings.Contains(err.Error(), `"file.csv"`) {
		t.Fatalf("want an error naming the argument and form field, got %v", err)
	}
	if *requests != 0 {
		t.Error("nothing should be sent")
	}
}

// Send a CSV of users to the Admin bulk import in one typed call; the
// file is streamed as the "file.csv" part of a multipart/form-data body.
func Example_adminBulkUserImport() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, h, err := r.FormFile("file.csv")
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		b, _ := io.ReadAll(f)
		fmt.Printf("%s %s: %s (%s), %d bytes\n", r.Method, r.URL.Path, h.Filename, h.Header.Get("Content-Type"), len(b))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"7b0a3e52-0000-4000-8000-000000000001","status":"queued"}`)
	}))
	defer srv.Close()

	adm, _ := admin.NewClientWithResponses(srv.URL)
	users := strings.NewReader("AccountID,UserName,UserEmail,PermissionSet\n1,Ann,ann@example.com,DS Viewer\n")
	resp, err := adm.AddBulkUserImportMultipartWithResponse(context.Background(), "9e1d1b5c-0000-4000-8000-00000000000a",
		admin.MultipartFile{Name: "users.csv", ContentType: "text/csv", Content: users})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.StatusCode(), *resp.JSON200.Status)
	// Output:
	// POST /v2/organizations/9e1d1b5c-0000-4000-8000-00000000000a/imports/bulk_users/add: users.csv (text/csv), 75 bytes
	// 200 queued
}

func TestMembersFromTheSDKEncodeAndDecode(t *testing.T) {
	in := []byte(`{"documentId":"1","docGenFormFields":[{"name":"f1","value":"v"}],"isDocGenDocument":"true","agreementType":"nda"}`)
	var d models.EnvelopeDocument
	if err := json.Unmarshal(in, &d); err != nil {
		t.Fatal(err)
	}
	if len(d.DocGenFormFields) != 1 || *d.IsDocGenDocument != "true" || *d.AgreementType != "nda" {
		t.Fatalf("decoded %+v", d)
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	json.Unmarshal(out, &back)
	if back["agreementType"] != "nda" || back["isDocGenDocument"] != "true" || len(back["docGenFormFields"].([]any)) != 1 {
		t.Errorf("encoded %s", out)
	}
}

// A seekable file is sent as measured when the call was made, like a raw
// body: bytes appended before the body is written are not sent, and a file
// cut short fails the call naming the missing bytes, instead of a
// Content-Length that does not match the body.
func TestAMultipartFileIsSentAsMeasuredWhenTheCallWasMade(t *testing.T) {
	data := bytes.Repeat([]byte("1,Ann,ann@example.com\n"), 100)
	var got []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		got = nil
		if p, err := multipart.NewReader(r.Body, params["boundary"]).NextPart(); err == nil {
			got, _ = io.ReadAll(p)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	c, _ := admin.NewClientWithResponses(srv.URL)
	for _, tt := range []struct {
		name   string
		change func(f *os.File) error // between measuring and writing
		fails  string
	}{
		{"a file that grows", func(f *os.File) error {
			_, err := f.WriteAt([]byte("2,Bob,bob@example.com\n"), int64(len(data)))
			return err
		}, ""},
		{"a file cut short", func(f *os.File) error { return f.Truncate(int64(len(data) / 2)) }, "ended before the 2200 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "users.csv")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			// A request editor runs after the body is measured and before it
			// is written.
			edit := func(context.Context, *http.Request) error { return tt.change(f) }
			_, err = c.AddBulkAccountSettingsImportMultipartWithResponse(context.Background(), "org",
				admin.MultipartFile{Name: "users.csv", Content: f}, edit)
			switch {
			case tt.fails == "" && err != nil:
				t.Fatal(err)
			case tt.fails == "" && !bytes.Equal(got, data):
				t.Errorf("the part holds %d bytes, want the %d the file had when the call was made", len(got), len(data))
			case tt.fails != "" && (err == nil || !strings.Contains(err.Error(), tt.fails)):
				t.Errorf("got %v, want an error containing %q", err, tt.fails)
			}
		})
	}
}

package docusigntest

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Small, valid PDFs and zips for the fake's downloads: one page of
// Helvetica text per page, a classic cross-reference table, no
// compression, no dates, so the bytes are deterministic.

// pdfPage is the lines of text of one page.
type pdfPage []string

// renderPDF builds a PDF with the given title and pages.
func renderPDF(title string, pages []pdfPage) []byte {
	if len(pages) == 0 {
		pages = []pdfPage{{title}}
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	n := len(pages)
	// 1 catalog, 2 pages, 3 font, 4 info, then page i at 5+2i and its
	// content at 6+2i.
	kids := make([]string, n)
	for i := range pages {
		kids[i] = strconv.Itoa(5+2*i) + " 0 R"
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>")
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	obj(fmt.Sprintf("<< /Title %s /Producer (docusigntest) >>", pdfString(title)))
	for i, lines := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>", 6+2*i))
		var s strings.Builder
		s.WriteString("BT /F1 11 Tf 14 TL 56 740 Td\n")
		for _, l := range lines {
			s.WriteString(pdfString(l))
			s.WriteString(" Tj T*\n")
		}
		s.WriteString("ET")
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", s.Len(), s.String()))
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 4 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return b.Bytes()
}

// pdfString is a PDF literal string of printable ASCII.
func pdfString(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		switch {
		case r == '(' || r == ')' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		default:
			b.WriteByte('?')
		}
	}
	b.WriteByte(')')
	return b.String()
}

var (
	startxrefRE = regexp.MustCompile(`startxref\s+(\d+)\s+%%EOF\s*$`)
	xrefRowRE   = regexp.MustCompile(`^(\d{10}) (\d{5}) ([nf])\s*$`)
	pageObjRE   = regexp.MustCompile(`/Type\s*/Page\b`)
)

// CheckPDF checks that b is a structurally valid PDF of the kind the fake
// serves (a classic cross-reference table whose every entry points at its
// object, a trailer naming the catalog) and returns its page count. It
// does not parse compressed or incrementally updated files, so use it on
// the fake's downloads, not on arbitrary PDFs.
func CheckPDF(b []byte) (pages int, err error) {
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) {
		return 0, errors.New("docusigntest: not a PDF: no %PDF-1.x header")
	}
	m := startxrefRE.FindSubmatch(b)
	if m == nil {
		return 0, errors.New("docusigntest: PDF does not end with startxref and %%EOF")
	}
	off, _ := strconv.Atoi(string(m[1]))
	if off >= len(b) || !bytes.HasPrefix(b[off:], []byte("xref")) {
		return 0, fmt.Errorf("docusigntest: startxref %d does not point at the xref table", off)
	}
	lines := strings.Split(string(b[off:]), "\n")
	if len(lines) < 3 {
		return 0, errors.New("docusigntest: truncated xref table")
	}
	var first, count int
	if _, err := fmt.Sscanf(lines[1], "%d %d", &first, &count); err != nil || first != 0 || count < 2 {
		return 0, fmt.Errorf("docusigntest: bad xref subsection header %q", lines[1])
	}
	for i := 0; i < count; i++ {
		if 2+i >= len(lines) {
			return 0, errors.New("docusigntest: truncated xref table")
		}
		row := xrefRowRE.FindStringSubmatch(lines[2+i])
		if row == nil {
			return 0, fmt.Errorf("docusigntest: bad xref entry %q", lines[2+i])
		}
		if row[3] == "f" {
			continue
		}
		o, _ := strconv.Atoi(row[1])
		want := strconv.Itoa(i) + " 0 obj"
		if o >= len(b) || !bytes.HasPrefix(b[o:], []byte(want)) {
			return 0, fmt.Errorf("docusigntest: xref entry for object %d points at offset %d, not at the object", i, o)
		}
	}
	rest := strings.Join(lines[2+count:], "\n")
	if !strings.HasPrefix(rest, "trailer") || !strings.Contains(rest, "/Root") {
		return 0, errors.New("docusigntest: no trailer with /Root after the xref table")
	}
	return len(pageObjRE.FindAll(b, -1)), nil
}

// isWholePDF reports whether uploaded bytes look like a complete PDF that
// can be served as they are.
func isWholePDF(b []byte) bool {
	return bytes.HasPrefix(b, []byte("%PDF-")) && bytes.Contains(b[max(0, len(b)-1024):], []byte("%%EOF"))
}

// documentPDF is what downloading one document returns.
func documentPDF(e *Envelope, d *Document) []byte {
	if isWholePDF(d.Content) {
		return d.Content
	}
	return renderPDF(d.Name, []pdfPage{documentPage(e, d)})
}

// documentPage describes a document on one page of a generated PDF.
func documentPage(e *Envelope, d *Document) pdfPage {
	p := pdfPage{
		d.Name,
		"Document " + d.ID + " of envelope " + e.ID,
		"Subject: " + e.EmailSubject,
		fmt.Sprintf("Uploaded bytes: %d, SHA-256 %s", len(d.Content), sha256Hex(d.Content)),
		"Added: " + formatDS7(d.Added),
	}
	for _, r := range e.Recipients {
		if r.Status == RecipientCompleted && r.Type != "carbonCopies" {
			p = append(p, "Signed by "+r.Name+" <"+r.Email+"> at "+formatDS7(r.Signed))
		}
	}
	return p
}

// combinedPDF is every document, one page each, plus the certificate when
// asked.
func combinedPDF(e *Envelope, certificate bool) []byte {
	var pages []pdfPage
	for i := range e.Documents {
		pages = append(pages, documentPage(e, &e.Documents[i]))
	}
	if certificate {
		pages = append(pages, certificatePage(e))
	}
	return renderPDF(e.EmailSubject, pages)
}

// certificatePage is the certificate of completion: the envelope and each
// recipient's steps.
func certificatePage(e *Envelope) pdfPage {
	p := pdfPage{
		"Certificate Of Completion",
		"Envelope Id: " + e.ID,
		"Subject: " + e.EmailSubject,
		"Status: " + e.Status,
		"Documents: " + strconv.Itoa(len(e.Documents)),
		"Envelope created: " + formatDS7(e.Created),
	}
	stamp := func(label string, t time.Time) {
		if !t.IsZero() {
			p = append(p, label+formatDS7(t))
		}
	}
	stamp("Sent: ", e.Sent)
	stamp("Completed: ", e.Completed)
	stamp("Declined: ", e.Declined)
	stamp("Voided: ", e.Voided)
	for _, r := range e.Recipients {
		p = append(p, fmt.Sprintf("Recipient %s (%s) %s <%s>: %s", r.ID, singularType[r.Type], r.Name, r.Email, r.Status))
		stamp("  sent ", r.Sent)
		stamp("  viewed ", r.Delivered)
		stamp("  signed ", r.Signed)
		stamp("  declined ", r.Declined)
	}
	return p
}

// archiveZip is the documents and the certificate (Summary.pdf) as a zip.
func archiveZip(e *Envelope) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: e.LastModified})
		if err == nil {
			w.Write(b)
		}
	}
	for i := range e.Documents {
		d := &e.Documents[i]
		add(fmt.Sprintf("%d_%s", d.Order, pdfFileName(d.Name)), documentPDF(e, d))
	}
	add("Summary.pdf", renderPDF("Certificate Of Completion", []pdfPage{certificatePage(e)}))
	zw.Close()
	return buf.Bytes()
}

// pdfFileName gives a document name the .pdf extension downloads carry.
func pdfFileName(name string) string {
	name = strings.NewReplacer("/", "_", "\\", "_", "\"", "_").Replace(name)
	if !strings.HasSuffix(strings.ToLower(name), ".pdf") {
		name += ".pdf"
	}
	return name
}

// SamplePDF returns a small valid one-page PDF showing title, for tests
// that upload documents.
func SamplePDF(title string) []byte {
	return renderPDF(title, []pdfPage{{title}})
}

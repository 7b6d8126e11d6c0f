package docusigntest

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

func sha256Hex(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// hashGUID derives a stable GUID from parts.
func hashGUID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return string(appendGUID(nil, binary.BigEndian.Uint64(h[:8]), binary.BigEndian.Uint64(h[8:16])))
}

// envelopeDocument is one entry of an envelope's documents list.
type envelopeDocument struct {
	DocumentID             string          `json:"documentId"`
	DocumentIDGuid         string          `json:"documentIdGuid,omitempty"`
	Name                   string          `json:"name"`
	Type                   string          `json:"type"`
	URI                    string          `json:"uri"`
	Order                  string          `json:"order"`
	Display                string          `json:"display,omitempty"`
	IncludeInDownload      string          `json:"includeInDownload,omitempty"`
	SignerMustAcknowledge  string          `json:"signerMustAcknowledge,omitempty"`
	ContainsPdfFormFields  string          `json:"containsPdfFormFields,omitempty"`
	SizeBytes              string          `json:"sizeBytes,omitempty"`
	AvailableDocumentTypes []availableType `json:"availableDocumentTypes,omitempty"`
	Pages                  []pageJSON      `json:"pages,omitempty"`
}

type availableType struct {
	Type      string `json:"type"`
	IsDefault string `json:"isDefault"`
}

type pageJSON struct {
	PageID   string `json:"pageId"`
	Sequence string `json:"sequence"`
	Height   string `json:"height"`
	Width    string `json:"width"`
	Dpi      string `json:"dpi"`
}

// documentsOf lists an envelope's documents and its certificate.
func documentsOf(e *Envelope) []envelopeDocument {
	var out []envelopeDocument
	for i := range e.Documents {
		d := &e.Documents[i]
		pdf := documentPDF(e, d)
		pages, _ := CheckPDF(pdf)
		doc := envelopeDocument{
			DocumentID:             d.ID,
			DocumentIDGuid:         hashGUID(e.ID, d.ID),
			Name:                   d.Name,
			Type:                   "content",
			URI:                    "/envelopes/" + e.ID + "/documents/" + d.ID,
			Order:                  strconv.Itoa(d.Order),
			Display:                "inline",
			IncludeInDownload:      "true",
			SignerMustAcknowledge:  "no_interaction",
			ContainsPdfFormFields:  "false",
			SizeBytes:              strconv.Itoa(len(pdf)),
			AvailableDocumentTypes: []availableType{{Type: "electronic", IsDefault: "true"}},
		}
		for p := 1; p <= pages; p++ {
			doc.Pages = append(doc.Pages, pageJSON{PageID: doc.DocumentIDGuid[:8] + strconv.Itoa(p), Sequence: strconv.Itoa(p), Height: "792", Width: "612", Dpi: "72"})
		}
		out = append(out, doc)
	}
	if e.Status != EnvelopeCreated {
		out = append(out, envelopeDocument{
			DocumentID: "certificate", Name: "Summary", Type: "summary",
			URI: "/envelopes/" + e.ID + "/documents/certificate", Order: "999",
			Display: "inline", IncludeInDownload: "true", SignerMustAcknowledge: "no_interaction",
			AvailableDocumentTypes: []availableType{{Type: "electronic", IsDefault: "true"}},
		})
	}
	return out
}

// handleListDocuments serves GET .../envelopes/{envelopeId}/documents.
func (s *Server) handleListDocuments(w http.ResponseWriter, r *http.Request, c *caller) {
	s.withEnvelope(w, r, c, func(e *Envelope) {
		writeJSON(w, http.StatusOK, map[string]any{"envelopeId": e.ID, "envelopeDocuments": documentsOf(e)})
	})
}

// handleGetDocument serves GET .../documents/{documentId}: one document,
// or combined (certificate=true adds the certificate), archive (a zip),
// certificate, or portfolio (as combined).
func (s *Server) handleGetDocument(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("documentId")
	q := r.URL.Query()
	s.withEnvelope(w, r, c, func(e *Envelope) {
		var body []byte
		name, ctype := "", "application/pdf"
		switch strings.ToLower(id) {
		case "combined", "portfolio":
			body, name = combinedPDF(e, strings.EqualFold(q.Get("certificate"), "true")), "combined.pdf"
		case "archive":
			body, name, ctype = archiveZip(e), e.ID+".zip", "application/zip"
		case "certificate":
			body, name = renderPDF("Certificate Of Completion", []pdfPage{certificatePage(e)}), "Summary.pdf"
		default:
			d := e.document(id)
			if d == nil {
				writeESignError(w, http.StatusBadRequest, "DOCUMENT_DOES_NOT_EXIST", "The document "+quote(id)+" does not exist in envelope "+e.ID+".")
				return
			}
			body, name = documentPDF(e, d), pdfFileName(d.Name)
		}
		if strings.EqualFold(q.Get("encoding"), "base64") {
			body = []byte(base64.StdEncoding.EncodeToString(body))
		}
		w.Header().Set("Content-Disposition", mime.FormatMediaType("file", map[string]string{"filename": name, "documentid": id}))
		writeBody(w, http.StatusOK, ctype, body)
	})
}

// handleUpdateDocument serves PUT .../documents/{documentId}: replace (or
// add) one document. The body is the document's bytes (application/pdf or
// any non-JSON type, file name from Content-Disposition), or a JSON
// document with documentBase64.
func (s *Server) handleUpdateDocument(w http.ResponseWriter, r *http.Request, c *caller) {
	id := r.PathValue("documentId")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequestBody))
	if err != nil {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body could not be read: "+err.Error())
		return
	}
	name := ""
	if _, dp, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
		name = dp["filename"]
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" || (mt == "" && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))) {
		var d documentDef
		if err := json.Unmarshal(body, &d); err != nil {
			writeBadBody(w, err.Error())
			return
		}
		if body, err = base64.StdEncoding.DecodeString(d.DocumentBase64); err != nil {
			writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "documentBase64 is not standard base64: "+err.Error())
			return
		}
		name = cmp.Or(d.Name, name)
	}
	if len(body) == 0 {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "The request body is missing: send the document's bytes (Content-Type: application/pdf).")
		return
	}
	s.withEnvelope(w, r, c, func(e *Envelope) {
		if !editable(w, e) {
			return
		}
		docs := s.putDocuments(e, []Document{{ID: id, Name: name, Content: body}}, c, r)
		writeJSON(w, http.StatusOK, docs[0])
	})
}

// putDocuments adds or replaces documents by ID; s.mu held.
func (s *Server) putDocuments(e *Envelope, docs []Document, c *caller, r *http.Request) []envelopeDocument {
	ch := s.changeOf(e, c.user.ID, r.UserAgent())
	var ids []string
	for _, d := range docs {
		d.Added = ch.now
		if old := e.document(d.ID); old != nil {
			if d.Name == "" {
				d.Name = old.Name
			}
			d.Order = old.Order
			*old = d
		} else {
			if d.Name == "" {
				d.Name = "Document " + d.ID + ".pdf"
			}
			d.Order = len(e.Documents) + 1
			e.Documents = append(e.Documents, d)
		}
		ids = append(ids, d.ID)
	}
	ch.touch()
	if e.inProcess() {
		ch.monitor(MonitorActionCorrected)
		ch.notify(EventEnvelopeCorrected, "")
	}
	var out []envelopeDocument
	for _, d := range documentsOf(e) {
		if containsFold(ids, d.DocumentID) {
			out = append(out, d)
		}
	}
	return out
}

// handleUpdateDocuments serves PUT .../envelopes/{envelopeId}/documents: add
// or replace the documents of a JSON body ({"documents":[...]} with
// documentBase64).
func (s *Server) handleUpdateDocuments(w http.ResponseWriter, r *http.Request, c *caller) {
	def, err := readDefinition(r)
	if err != nil {
		writeBadBody(w, err.Error())
		return
	}
	docs, problems := buildDocuments(def.Documents, def.parts, "documents", s.Now())
	if len(docs) == 0 && len(problems) == 0 {
		problems = append(problems, "documents is empty: list the documents to add or replace")
	}
	if len(problems) > 0 {
		writeBadBody(w, problems...)
		return
	}
	s.withEnvelope(w, r, c, func(e *Envelope) {
		if !editable(w, e) {
			return
		}
		out := s.putDocuments(e, docs, c, r)
		writeJSON(w, http.StatusOK, map[string]any{"envelopeId": e.ID, "envelopeDocuments": out})
	})
}

// handleDeleteDocuments serves DELETE .../envelopes/{envelopeId}/documents
// ({"documents":[{"documentId":"2"}]}): only from a draft.
func (s *Server) handleDeleteDocuments(w http.ResponseWriter, r *http.Request, c *caller) {
	var body struct {
		Documents []documentDef `json:"documents"`
	}
	if !decodeJSONBody(w, r, &body) {
		return
	}
	s.withEnvelope(w, r, c, func(e *Envelope) {
		if e.Status != EnvelopeCreated {
			writeESignError(w, http.StatusBadRequest, "ENVELOPE_INVALID_STATUS", "Documents can only be deleted from a draft envelope; this one is "+e.Status+".")
			return
		}
		var deleted []envelopeDocument
		all := documentsOf(e)
		for _, d := range body.Documents {
			if e.document(d.DocumentID) == nil {
				writeESignError(w, http.StatusBadRequest, "DOCUMENT_DOES_NOT_EXIST", "The document "+quote(d.DocumentID)+" does not exist in envelope "+e.ID+".")
				return
			}
		}
		for _, d := range body.Documents {
			for i := range e.Documents {
				if e.Documents[i].ID == d.DocumentID {
					e.Documents = append(e.Documents[:i], e.Documents[i+1:]...)
					break
				}
			}
			for _, ad := range all {
				if ad.DocumentID == d.DocumentID {
					deleted = append(deleted, ad)
				}
			}
		}
		for i := range e.Documents {
			e.Documents[i].Order = i + 1
		}
		s.changeOf(e, c.user.ID, r.UserAgent()).touch()
		writeJSON(w, http.StatusOK, map[string]any{"envelopeId": e.ID, "envelopeDocuments": deleted})
	})
}

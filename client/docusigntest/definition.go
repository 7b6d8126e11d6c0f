package docusigntest

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/dsgo/docusign/gen/esignature/models"
)

// Decoding what clients send to create envelopes and templates: the JSON
// definition (documents as base64, recipients by type), or a multipart
// body whose first part is the JSON and whose other parts are documents.

// maxRequestBody bounds a request body the fake reads (documents included).
const maxRequestBody = 64 << 20

// recipientTypes are the members of a recipients object, in the order
// DocuSign lists them.
var recipientTypes = []string{
	"agents", "carbonCopies", "certifiedDeliveries", "editors", "inPersonSigners",
	"intermediaries", "notaries", "seals", "signers", "witnesses",
}

// documentDef is a document in a definition.
type documentDef struct {
	DocumentID     string `json:"documentId"`
	Name           string `json:"name"`
	DocumentBase64 string `json:"documentBase64"`
	FileExtension  string `json:"fileExtension"`
	Order          string `json:"order"`
}

// definition is the part of an envelope definition or envelope template
// the fake interprets.
type definition struct {
	Status             string                     `json:"status"`
	EmailSubject       string                     `json:"emailSubject"`
	EmailBlurb         string                     `json:"emailBlurb"`
	Name               string                     `json:"name"`
	Description        string                     `json:"description"`
	Documents          []documentDef              `json:"documents"`
	TemplateID         string                     `json:"templateId"`
	TemplateRoles      []map[string]any           `json:"templateRoles"`
	CompositeTemplates []compositeTemplateDef     `json:"compositeTemplates"`
	Recipients         map[string]json.RawMessage `json:"recipients"`
	EventNotification  *models.EventNotification  `json:"eventNotification"`
	EventNotifications []models.EventNotification `json:"eventNotifications"`

	// parts are document contents from multipart parts, by documentid
	// (or a generated key), in part order.
	parts []documentPart
}

type compositeTemplateDef struct {
	ServerTemplates []struct {
		Sequence   string `json:"sequence"`
		TemplateID string `json:"templateId"`
	} `json:"serverTemplates"`
	InlineTemplates []struct {
		Sequence   string                     `json:"sequence"`
		Documents  []documentDef              `json:"documents"`
		Recipients map[string]json.RawMessage `json:"recipients"`
	} `json:"inlineTemplates"`
	Document *documentDef `json:"document"`
}

type documentPart struct {
	id, name string
	content  []byte
}

// bodyError is a request body the fake cannot read; its message names the
// field and the fix.
type bodyError struct{ msg string }

func (e *bodyError) Error() string { return e.msg }

func badBody(format string, args ...any) error { return &bodyError{fmt.Sprintf(format, args...)} }

// readDefinition decodes a JSON or multipart/form-data body.
func readDefinition(r *http.Request) (*definition, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxRequestBody {
		return nil, badBody("the body exceeds %d MiB", maxRequestBody>>20)
	}
	var parts []documentPart
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		first, err := mr.NextPart()
		if err != nil {
			return nil, errors.New("the multipart body has no parts: " + err.Error())
		}
		body, err = io.ReadAll(first)
		if err != nil {
			return nil, err
		}
		for n := 1; ; n++ {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, badBody("multipart part %d: %v", n+1, err)
			}
			content, err := io.ReadAll(p)
			if err != nil {
				return nil, badBody("multipart part %d: %v", n+1, err)
			}
			_, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
			parts = append(parts, documentPart{id: dp["documentid"], name: dp["filename"], content: content})
		}
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, errors.New("the body must be a JSON object")
	}
	var def definition
	if err := json.Unmarshal(trimmed, &def); err != nil {
		return nil, errors.New(err.Error())
	}
	def.parts = parts
	return &def, nil
}

// buildDocuments turns document definitions plus multipart parts into
// documents: a part whose documentid names a listed document supplies its
// content; any other part is a document of its own.
func buildDocuments(defs []documentDef, parts []documentPart, field string, now time.Time) ([]Document, []string) {
	var docs []Document
	var problems []string
	seen := map[string]bool{}
	for i, d := range defs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if d.DocumentID == "" {
			problems = append(problems, f+".documentId is required")
			continue
		}
		if seen[d.DocumentID] {
			problems = append(problems, f+".documentId "+quote(d.DocumentID)+" is used twice")
			continue
		}
		seen[d.DocumentID] = true
		doc := Document{ID: d.DocumentID, Name: d.Name, Added: now}
		if d.DocumentBase64 != "" {
			b, err := base64.StdEncoding.DecodeString(d.DocumentBase64)
			if err != nil {
				problems = append(problems, f+".documentBase64 is not standard base64: "+err.Error())
				continue
			}
			doc.Content = b
		}
		if doc.Name == "" {
			doc.Name = "Document " + d.DocumentID + "." + strings.TrimPrefix(cmp.Or(d.FileExtension, "pdf"), ".")
		}
		docs = append(docs, doc)
	}
	for _, p := range parts {
		if p.id != "" && seen[p.id] {
			for i := range docs {
				if docs[i].ID == p.id {
					docs[i].Content = p.content
					if p.name != "" && defs[i].Name == "" {
						docs[i].Name = p.name
					}
				}
			}
			continue
		}
		id := p.id
		if id == "" {
			id = nextID(docs)
		}
		seen[id] = true
		docs = append(docs, Document{ID: id, Name: cmp.Or(p.name, "Document "+id+".pdf"), Content: p.content, Added: now})
	}
	for i := range docs {
		docs[i].Order = i + 1
	}
	return docs, problems
}

// nextID is one more than the largest numeric document ID.
func nextID(docs []Document) string {
	n := 0
	for _, d := range docs {
		if v, err := strconv.Atoi(d.ID); err == nil && v > n {
			n = v
		}
	}
	return strconv.Itoa(n + 1)
}

// buildRecipients decodes a recipients object.
func (s *Server) buildRecipients(raw map[string]json.RawMessage, field string) ([]Recipient, []string) {
	var out []Recipient
	var problems []string
	for _, typ := range recipientTypes {
		v, ok := raw[typ]
		if !ok || string(v) == "null" {
			continue
		}
		var list []map[string]any
		if err := json.Unmarshal(v, &list); err != nil {
			problems = append(problems, field+"."+typ+" must be an array of recipients")
			continue
		}
		for i, m := range list {
			r, p := s.recipientFrom(m, typ, fmt.Sprintf("%s.%s[%d]", field, typ, i))
			problems = append(problems, p...)
			out = append(out, r)
		}
	}
	for k := range raw {
		if !containsFold(recipientTypes, k) && k != "recipientCount" && k != "currentRoutingOrder" && k != "errorDetails" {
			problems = append(problems, field+"."+k+" is not a recipient type: use one of "+strings.Join(recipientTypes, ", "))
		}
	}
	ids := map[string]bool{}
	for _, r := range out {
		if r.ID == "" {
			continue
		}
		if ids[r.ID] {
			problems = append(problems, field+": recipientId "+quote(r.ID)+" is used twice")
		}
		ids[r.ID] = true
	}
	sortRecipients(out)
	return out, problems
}

// recipientFrom decodes one recipient object; members the fake does not
// interpret are kept in Extra.
func (s *Server) recipientFrom(m map[string]any, typ, field string) (Recipient, []string) {
	var problems []string
	str := func(key string) string {
		v, ok := m[key]
		delete(m, key)
		switch v := v.(type) {
		case string:
			return v
		case float64:
			return strconv.FormatFloat(v, 'f', -1, 64)
		case nil:
			return ""
		}
		if ok {
			problems = append(problems, field+"."+key+" must be a string")
		}
		return ""
	}
	r := Recipient{
		Type:         typ,
		ID:           str("recipientId"),
		Name:         str("name"),
		Email:        str("email"),
		RoleName:     str("roleName"),
		ClientUserID: str("clientUserId"),
	}
	if ro := str("routingOrder"); ro != "" {
		n, err := strconv.Atoi(ro)
		if err != nil || n < 1 {
			problems = append(problems, field+".routingOrder "+quote(ro)+" must be a positive integer")
		} else {
			r.RoutingOrder = n
		}
	}
	for _, k := range []string{"recipientIdGuid", "status", "sentDateTime", "deliveredDateTime", "signedDateTime", "declinedDateTime", "recipientType"} {
		delete(m, k)
	}
	if t, ok := m["tabs"]; ok {
		delete(m, "tabs")
		tabs, p := tabsFrom(t, field+".tabs")
		problems = append(problems, p...)
		r.Tabs = tabs
	}
	if len(m) > 0 {
		r.Extra = m
	}
	return r, problems
}

// tabsFrom decodes a tabs object: tab type -> list of tab objects.
func tabsFrom(v any, field string) (map[string][]map[string]any, []string) {
	obj, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			return nil, nil
		}
		return nil, []string{field + " must be an object of tab lists (signHereTabs, dateSignedTabs, ...)"}
	}
	out := map[string][]map[string]any{}
	var problems []string
	for typ, list := range obj {
		arr, ok := list.([]any)
		if !ok {
			if list != nil {
				problems = append(problems, field+"."+typ+" must be an array of tabs")
			}
			continue
		}
		for i, t := range arr {
			tab, ok := t.(map[string]any)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s.%s[%d] must be an object", field, typ, i))
				continue
			}
			out[typ] = append(out[typ], tab)
		}
	}
	return out, problems
}

// defaultRoutingOrder gives recipients without a routing order the first
// one and sorts them by routing order.
func defaultRoutingOrder(rs []Recipient) {
	for i := range rs {
		if rs[i].RoutingOrder == 0 {
			rs[i].RoutingOrder = 1
		}
	}
	sortRecipients(rs)
}

// assignRecipientIDs fills recipientIdGuid, tab IDs and the recipient ID a
// tab belongs to; s.mu held.
func (s *Server) assignRecipientIDs(e *Envelope) {
	for i := range e.Recipients {
		r := &e.Recipients[i]
		if r.ID == "" {
			r.ID = strconv.Itoa(i + 1)
		}
		if r.GUID == "" {
			s.idSeq++
			r.GUID = guid(s.seed, domEnvelope, 1<<46+s.idSeq)
		}
		for _, list := range r.Tabs {
			for _, t := range list {
				if _, ok := t["tabId"].(string); !ok {
					s.idSeq++
					t["tabId"] = guid(s.seed, domEnvelope, 1<<46+s.idSeq)
				}
				t["recipientId"] = r.ID
				t["recipientIdGuid"] = r.GUID
				if _, ok := t["documentId"]; !ok && len(e.Documents) > 0 {
					t["documentId"] = e.Documents[0].ID
				}
				if _, ok := t["status"]; !ok {
					t["status"] = "active"
				}
			}
		}
	}
}

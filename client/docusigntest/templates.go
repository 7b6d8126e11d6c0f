package docusigntest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Template is a server template: documents and recipient roles an
// envelope can be created from (templateId + templateRoles, or
// compositeTemplates).
type Template struct {
	ID           string
	AccountID    string
	OwnerUserID  string
	Name         string
	Description  string
	EmailSubject string
	EmailBlurb   string
	Created      time.Time
	LastModified time.Time
	Documents    []Document
	// Recipients are the template's roles (RoleName set), possibly with a
	// default name and email.
	Recipients []Recipient
}

func (t *Template) clone() Template {
	c := *t
	c.Documents = append([]Document(nil), t.Documents...)
	c.Recipients = make([]Recipient, len(t.Recipients))
	for i := range t.Recipients {
		c.Recipients[i] = t.Recipients[i].clone()
	}
	return c
}

// AddTemplate stores a server template, as a test's fixture, and returns
// it as stored. Empty fields get defaults: a new ID, the default account,
// the default user as owner, the server's now, recipient IDs 1, 2, ...
// Documents without Content download as generated PDFs.
func (s *Server) AddTemplate(t Template) (Template, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.AccountID == "" {
		t.AccountID = s.accounts[0].ID
	}
	a := s.account(t.AccountID)
	if a == nil {
		return Template{}, errorf("AddTemplate: unknown account %q", t.AccountID)
	}
	t.AccountID = a.ID
	if t.ID == "" {
		t.ID = guid(s.seed, domEnvelope, uint64(1<<42+len(s.templates)))
	}
	t.ID = strings.ToLower(t.ID)
	if _, dup := s.templatesByID[t.ID]; dup {
		return Template{}, errorf("AddTemplate: template %q already exists", t.ID)
	}
	if t.OwnerUserID == "" {
		t.OwnerUserID = s.defaultUserID
	}
	if t.Created.IsZero() {
		t.Created = now
	}
	if t.LastModified.IsZero() {
		t.LastModified = t.Created
	}
	stored := t.clone()
	for i := range stored.Documents {
		d := &stored.Documents[i]
		if d.ID == "" {
			d.ID = strconv.Itoa(i + 1)
		}
		d.Order = i + 1
		if d.Added.IsZero() {
			d.Added = now
		}
	}
	fake := &Envelope{Documents: stored.Documents, Recipients: stored.Recipients}
	for i := range fake.Recipients {
		if fake.Recipients[i].Type == "" {
			fake.Recipients[i].Type = "signers"
		}
	}
	defaultRoutingOrder(fake.Recipients)
	s.assignRecipientIDs(fake)
	s.templates = append(s.templates, &stored)
	s.templatesByID[stored.ID] = &stored
	return stored.clone(), nil
}

// Templates returns copies of an account's templates in creation order.
func (s *Server) Templates(accountID string) []Template {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ofAccount(s.templates, accountID, func(t *Template) string { return t.AccountID }, (*Template).clone)
}

// handleCreateTemplate serves POST accounts/{accountId}/templates (JSON or
// multipart, like envelope creation).
func (s *Server) handleCreateTemplate(w http.ResponseWriter, r *http.Request, c *caller) {
	def, err := readDefinition(r)
	if err != nil {
		writeBadBody(w, err.Error())
		return
	}
	now := s.Now()
	docs, problems := buildDocuments(def.Documents, def.parts, "documents", now)
	s.mu.Lock()
	recips, p := s.buildRecipients(def.Recipients, "recipients")
	s.mu.Unlock()
	problems = append(problems, p...)
	if strings.TrimSpace(def.Name) == "" {
		problems = append(problems, "name is required for a template")
	}
	if len(problems) > 0 {
		writeBadBody(w, problems...)
		return
	}
	t, err := s.AddTemplate(Template{
		AccountID: c.account.ID, OwnerUserID: c.user.ID, Name: def.Name, Description: def.Description,
		EmailSubject: def.EmailSubject, EmailBlurb: def.EmailBlurb, Documents: docs, Recipients: recips,
	})
	if err != nil {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", err.Error())
		return
	}
	writeJSON(w, http.StatusCreated, map[string]string{"templateId": t.ID, "name": t.Name, "uri": "/templates/" + t.ID})
}

// templateJSON is a template as list and get return it.
type templateJSON struct {
	TemplateID        string             `json:"templateId"`
	Name              string             `json:"name"`
	Description       string             `json:"description"`
	EmailSubject      string             `json:"emailSubject,omitempty"`
	EmailBlurb        string             `json:"emailBlurb,omitempty"`
	Shared            string             `json:"shared"`
	Created           string             `json:"created"`
	LastModified      string             `json:"lastModified"`
	URI               string             `json:"uri"`
	PageCount         string             `json:"pageCount"`
	Owner             *envelopeUser      `json:"owner,omitempty"`
	Documents         []templateDocument `json:"documents,omitempty"`
	Recipients        *recipientsJSON    `json:"recipients,omitempty"`
	EnvelopeTemplateD string             `json:"envelopeTemplateDefinition,omitempty"`
}

type templateDocument struct {
	DocumentID string `json:"documentId"`
	Name       string `json:"name"`
	Order      string `json:"order"`
	URI        string `json:"uri"`
}

func (s *Server) templateJSONLocked(t *Template, full bool) templateJSON {
	out := templateJSON{
		TemplateID: t.ID, Name: t.Name, Description: t.Description, EmailSubject: t.EmailSubject, EmailBlurb: t.EmailBlurb,
		Shared: "false", Created: formatDS7(t.Created), LastModified: formatDS7(t.LastModified),
		URI: "/templates/" + t.ID, PageCount: strconv.Itoa(len(t.Documents)),
	}
	if u := s.usersByID[t.OwnerUserID]; u != nil {
		out.Owner = &envelopeUser{UserName: u.UserName, UserID: u.ID, AccountID: t.AccountID, Email: u.Email}
	}
	if full {
		for _, d := range t.Documents {
			out.Documents = append(out.Documents, templateDocument{DocumentID: d.ID, Name: d.Name, Order: strconv.Itoa(d.Order), URI: out.URI + "/documents/" + d.ID})
		}
		out.Recipients = recipientsOf(t.Recipients, true, "")
	}
	return out
}

// handleListTemplates serves GET accounts/{accountId}/templates
// (search_text, start_position, count).
func (s *Server) handleListTemplates(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	start, count, problem := esignPaging(q, EnvelopesDefaultCount, 2000)
	if problem != "" {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. "+problem)
		return
	}
	text := strings.ToLower(q.Get("search_text"))
	s.mu.Lock()
	var matched []*Template
	for _, t := range s.templates {
		if t.AccountID == c.account.ID && (text == "" || strings.Contains(strings.ToLower(t.Name), text)) {
			matched = append(matched, t)
		}
	}
	var page []templateJSON
	for i := start; i < len(matched) && i < start+count; i++ {
		page = append(page, s.templateJSONLocked(matched[i], false))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, struct {
		EnvelopeTemplates []templateJSON `json:"envelopeTemplates,omitempty"`
		esignList
	}{page, newESignList("/v2.1/accounts/"+c.account.ID+"/templates", q, start, count, len(page), len(matched))})
}

// handleGetTemplate serves GET accounts/{accountId}/templates/{templateId}.
func (s *Server) handleGetTemplate(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	t := s.templatesByID[strings.ToLower(r.PathValue("templateId"))]
	var out templateJSON
	if t != nil && t.AccountID == c.account.ID {
		out = s.templateJSONLocked(t, true)
	} else {
		t = nil
	}
	s.mu.Unlock()
	if t == nil {
		writeESignError(w, http.StatusNotFound, "TEMPLATE_NOT_FOUND", "The template "+r.PathValue("templateId")+" does not exist in account "+c.account.ID+".")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

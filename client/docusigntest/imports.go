package docusigntest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Admin API: user profiles by email and bulk user imports. An import's CSV
// is processed when it is posted (users are created at once, each with a
// Monitor event); the POST answers queued, as DocuSign does, and reading
// the import shows it completed, with counts and a results CSV.

// userImport is one bulk user import.
type userImport struct {
	id        string
	requestor *User
	created   time.Time
	users     int
	added     int
	errors    int
	invalid   []string // unknown column headers
	results   [][]string
}

// bulkImportColumns are the CSV columns the fake reads (matched without
// regard to case); AccountID and UserEmail are required.
var bulkImportColumns = []string{"AccountID", "UserEmail", "FirstName", "LastName", "UserName", "UserTitle", "eSignPermissionProfile", "CompanyName", "Language"}

// handleBulkImportAdd serves POST /v2/organizations/{organizationId}/imports/bulk_users/add
// (multipart/form-data with the CSV as file.csv, or a text/csv body).
func (s *Server) handleBulkImportAdd(w http.ResponseWriter, r *http.Request, c *caller) {
	if !s.ownOrg(w, r, c) {
		return
	}
	data, err := readCSVUpload(r)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: err.Error()})
		return
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil || len(rows) < 1 {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: "file.csv is not a CSV with a header row: " + errString(err)})
		return
	}
	col := map[string]int{}
	imp := &userImport{requestor: &c.user, created: s.Now()}
	for i, h := range rows[0] {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		known := false
		for _, k := range bulkImportColumns {
			if strings.EqualFold(h, k) {
				col[k], known = i, true
			}
		}
		if !known {
			imp.invalid = append(imp.invalid, h)
		}
	}
	_, hasAcct := col["AccountID"]
	_, hasEmail := col["UserEmail"]
	if !hasAcct || !hasEmail {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: "file.csv needs the columns AccountID and UserEmail (others: " + strings.Join(bulkImportColumns[2:], ", ") + ")"})
		return
	}
	get := func(row []string, k string) string {
		if i, ok := col[k]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	imp.results = [][]string{{"AccountID", "UserEmail", "UserId", "Result", "Message"}}
	var created []*User
	s.mu.Lock()
	imp.id = guid(s.seed, domUser, uint64(1<<44+len(s.imports)))
	for _, row := range rows[1:] {
		imp.users++
		acctKey, email := get(row, "AccountID"), get(row, "UserEmail")
		a := s.account(acctKey)
		if a == nil {
			imp.errors++
			imp.results = append(imp.results, []string{acctKey, email, "", "Error", "AccountID is not an account of the organization"})
			continue
		}
		u, code, msg := s.createUserLocked(a.ID, userInput{
			Email: email, FirstName: get(row, "FirstName"), LastName: get(row, "LastName"), UserName: get(row, "UserName"),
			JobTitle: get(row, "UserTitle"), PermissionProfileName: get(row, "eSignPermissionProfile"),
		})
		if u == nil {
			imp.errors++
			imp.results = append(imp.results, []string{a.ID, email, "", "Error", code + ": " + msg})
			continue
		}
		imp.added++
		created = append(created, u)
		imp.results = append(imp.results, []string{a.ID, email, u.ID, "Added", ""})
	}
	s.imports = append(s.imports, imp)
	out := s.importJSONLocked(imp)
	s.mu.Unlock()
	for _, u := range created {
		s.recordUser(u.AccountIDs[0], c.user.ID, MonitorActionCreated, u, r.UserAgent())
	}
	out.Status = "queued"
	out.AddedUserCount, out.ProcessedUserCount, out.ErrorCount = 0, 0, 0
	writeJSON(w, http.StatusOK, out)
}

// readCSVUpload returns the CSV of a multipart upload (the file.csv part,
// or the only part) or of a text/csv body.
func readCSVUpload(r *http.Request) ([]byte, error) {
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	body := io.LimitReader(r.Body, maxRequestBody)
	if !strings.HasPrefix(mt, "multipart/") {
		if mt != "text/csv" && mt != "application/octet-stream" {
			return nil, errors.New("send the CSV as multipart/form-data (part file.csv) or text/csv, not " + quote(mt))
		}
		return io.ReadAll(body)
	}
	mr := multipart.NewReader(body, params["boundary"])
	var first []byte
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errors.New("reading the multipart body: " + err.Error())
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, err
		}
		if p.FormName() == "file.csv" {
			return b, nil
		}
		if first == nil {
			first = b
		}
	}
	if first == nil {
		return nil, errors.New("the multipart body has no file.csv part")
	}
	return first, nil
}

func errString(err error) string {
	if err == nil {
		return "it is empty"
	}
	return err.Error()
}

// importJSON is an OrganizationImportResponse.
type importJSON struct {
	ID                        string         `json:"id"`
	Type                      string         `json:"type"`
	Requestor                 map[string]any `json:"requestor"`
	Created                   string         `json:"created"`
	LastModified              string         `json:"last_modified"`
	Status                    string         `json:"status"`
	UserCount                 int            `json:"user_count"`
	ProcessedUserCount        int            `json:"processed_user_count"`
	AddedUserCount            int            `json:"added_user_count"`
	UpdatedUserCount          int            `json:"updated_user_count"`
	ClosedUserCount           int            `json:"closed_user_count"`
	NoActionRequiredUserCount int            `json:"no_action_required_user_count"`
	ErrorCount                int            `json:"error_count"`
	WarningCount              int            `json:"warning_count"`
	InvalidColumnHeaders      string         `json:"invalid_column_headers,omitempty"`
	HasCSVResults             bool           `json:"has_csv_results"`
	ResultsURI                string         `json:"results_uri"`
}

func (s *Server) importJSONLocked(imp *userImport) importJSON {
	return importJSON{
		ID:   imp.id,
		Type: "add_users",
		Requestor: map[string]any{
			"name": imp.requestor.UserName, "id": imp.requestor.ID, "type": "user", "email": imp.requestor.Email,
		},
		Created:              imp.created.UTC().Format(layoutAdmin),
		LastModified:         imp.created.UTC().Format(layoutAdmin),
		Status:               "completed",
		UserCount:            imp.users,
		ProcessedUserCount:   imp.users,
		AddedUserCount:       imp.added,
		ErrorCount:           imp.errors,
		InvalidColumnHeaders: strings.Join(imp.invalid, ","),
		HasCSVResults:        true,
		ResultsURI:           s.URL() + "/management/v2/organizations/" + s.orgID + "/imports/bulk_users/" + imp.id + "/results_csv",
	}
}

// ownOrg checks the organization in the path, answering 403 otherwise.
func (s *Server) ownOrg(w http.ResponseWriter, r *http.Request, c *caller) bool {
	if strings.EqualFold(r.PathValue("organizationId"), s.orgID) {
		return true
	}
	writeJSON(w, http.StatusForbidden, &oauthError{Code: "forbidden", Description: "user " + c.user.ID + " is not an administrator of organization " + r.PathValue("organizationId")})
	return false
}

// findImport looks up an import of the path; s.mu held.
func (s *Server) findImport(w http.ResponseWriter, r *http.Request) *userImport {
	id := strings.ToLower(r.PathValue("importId"))
	for _, imp := range s.imports {
		if imp.id == id {
			return imp
		}
	}
	writeJSON(w, http.StatusNotFound, &oauthError{Code: "not_found", Description: "no bulk user import " + quote(r.PathValue("importId")) + " in the organization"})
	return nil
}

// handleBulkImport serves GET .../imports/bulk_users/{importId}.
func (s *Server) handleBulkImport(w http.ResponseWriter, r *http.Request, c *caller) {
	if !s.ownOrg(w, r, c) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if imp := s.findImport(w, r); imp != nil {
		writeJSON(w, http.StatusOK, s.importJSONLocked(imp))
	}
}

// handleBulkImports serves GET .../imports/bulk_users.
func (s *Server) handleBulkImports(w http.ResponseWriter, r *http.Request, c *caller) {
	if !s.ownOrg(w, r, c) {
		return
	}
	s.mu.Lock()
	out := []importJSON{}
	for _, imp := range s.imports {
		out = append(out, s.importJSONLocked(imp))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"imports": out})
}

// handleBulkImportCSV serves GET .../imports/bulk_users/{importId}/results_csv.
func (s *Server) handleBulkImportCSV(w http.ResponseWriter, r *http.Request, c *caller) {
	if !s.ownOrg(w, r, c) {
		return
	}
	s.mu.Lock()
	imp := s.findImport(w, r)
	var buf bytes.Buffer
	if imp != nil {
		cw := csv.NewWriter(&buf)
		cw.WriteAll(imp.results)
	}
	s.mu.Unlock()
	if imp != nil {
		writeBody(w, http.StatusOK, "text/csv", buf.Bytes())
	}
}

// profileJSON is a UserDrilldownResponse.
type profileJSON struct {
	ID                  string           `json:"id"`
	SiteID              int              `json:"site_id"`
	SiteName            string           `json:"site_name"`
	UserName            string           `json:"user_name"`
	FirstName           string           `json:"first_name"`
	LastName            string           `json:"last_name"`
	UserStatus          string           `json:"user_status"`
	DefaultAccountID    string           `json:"default_account_id"`
	DefaultAccountName  string           `json:"default_account_name"`
	LanguageCulture     string           `json:"language_culture"`
	FederatedStatus     string           `json:"federated_status"`
	IsOrganizationAdmin bool             `json:"is_organization_admin"`
	CreatedOn           string           `json:"created_on"`
	Memberships         []membershipJSON `json:"memberships"`
}

type membershipJSON struct {
	ID                string         `json:"id"`
	AccountID         string         `json:"account_id"`
	AccountName       string         `json:"account_name"`
	ExternalAccountID string         `json:"external_account_id"`
	Status            string         `json:"status"`
	Email             string         `json:"email"`
	IsAdmin           bool           `json:"is_admin"`
	CreatedOn         string         `json:"created_on"`
	PermissionProfile map[string]any `json:"permission_profile"`
}

// profilesByEmail renders the users with an email; s.mu held.
func (s *Server) profilesByEmail(email string) []profileJSON {
	out := []profileJSON{}
	for _, u := range s.users {
		if !strings.EqualFold(u.Email, email) {
			continue
		}
		def := s.account(u.AccountIDs[0])
		p := profileJSON{
			ID: u.ID, SiteID: 1, SiteName: "DEMO", UserName: u.UserName, FirstName: u.FirstName, LastName: u.LastName,
			UserStatus: adminStatus(u.Status), DefaultAccountID: def.ID, DefaultAccountName: def.Name,
			LanguageCulture: "en", FederatedStatus: "none", IsOrganizationAdmin: u.IsAdmin,
			CreatedOn: u.Created.UTC().Format(layoutAdmin),
		}
		for _, id := range u.AccountIDs {
			a := s.account(id)
			pid, _ := strconv.Atoi(permissionProfileIDs[u.PermissionProfileName])
			p.Memberships = append(p.Memberships, membershipJSON{
				ID: membershipID(s.seed, u.ID), AccountID: a.ID, AccountName: a.Name, ExternalAccountID: a.Number,
				Status: adminStatus(u.Status), Email: u.Email, IsAdmin: u.IsAdmin, CreatedOn: u.Created.UTC().Format(layoutAdmin),
				PermissionProfile: map[string]any{"id": pid, "name": u.PermissionProfileName},
			})
		}
		out = append(out, p)
	}
	return out
}

// handleAdminProfiles serves GET /v2/organizations/{organizationId}/users/profile?email=.
func (s *Server) handleAdminProfiles(w http.ResponseWriter, r *http.Request, c *caller) {
	s.serveProfiles(w, r, c)
}

// handleAdminDSProfiles serves GET /v2.1/organizations/{organizationId}/users/dsprofile?email=.
func (s *Server) handleAdminDSProfiles(w http.ResponseWriter, r *http.Request, c *caller) {
	s.serveProfiles(w, r, c)
}

func (s *Server) serveProfiles(w http.ResponseWriter, r *http.Request, c *caller) {
	if !s.ownOrg(w, r, c) {
		return
	}
	email := r.URL.Query().Get("email")
	if email == "" {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: "email is required"})
		return
	}
	s.mu.Lock()
	out := s.profilesByEmail(email)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

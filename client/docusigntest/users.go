package docusigntest

import (
	"cmp"
	"net/http"
	"strings"
	"time"
)

// eSignature user administration: create, update and close users of an
// account. Adding and closing users records Monitor events.

// userInput is the part of a userInformation the fake interprets.
type userInput struct {
	UserID                string `json:"userId"`
	UserName              string `json:"userName"`
	Email                 string `json:"email"`
	FirstName             string `json:"firstName"`
	LastName              string `json:"lastName"`
	JobTitle              string `json:"jobTitle"`
	PermissionProfileName string `json:"permissionProfileName"`
	IsAdmin               string `json:"isAdmin"`
}

// recordUser records a User event in the Monitor stream; s.mu need not be
// held.
func (s *Server) recordUser(accountID, actor, action string, u *User, userAgent string) {
	s.events.record(s.Now(), monitorRecord{
		accountID: accountID, userID: actor, object: MonitorObjectUser, action: action, userAgent: userAgent,
		data: map[string]string{"AffectedUserId": u.ID, "Email": u.Email, "UserName": u.UserName},
	})
}

// permissionProfile resolves a permission profile name, in any case.
func permissionProfile(name string) (string, bool) {
	for p := range permissionProfileIDs {
		if strings.EqualFold(p, name) {
			return p, true
		}
	}
	return "", false
}

// createUserLocked adds a user to an account, or reports why not as an
// eSignature error code and message; s.mu held.
func (s *Server) createUserLocked(accountID string, in userInput) (*User, string, string) {
	in.Email = strings.TrimSpace(in.Email)
	if in.Email == "" || !strings.Contains(in.Email, "@") {
		return nil, "INVALID_EMAIL_ADDRESS_FOR_USER", "email " + quote(in.Email) + " is not a valid email address"
	}
	if in.UserName == "" {
		in.UserName = strings.TrimSpace(in.FirstName + " " + in.LastName)
	}
	if in.UserName == "" {
		return nil, "INVALID_USERNAME_FOR_USER", "userName (or firstName and lastName) is required"
	}
	profile, ok := permissionProfile(cmp.Or(in.PermissionProfileName, ProfileSender))
	if !ok {
		return nil, "INVALID_PERMISSION_PROFILE", "permissionProfileName " + quote(in.PermissionProfileName) + " is not one of " + ProfileAdministrator + ", " + ProfileSender + ", " + ProfileViewer
	}
	for _, u := range s.users {
		if strings.EqualFold(u.Email, in.Email) && u.memberOf(accountID) && u.Status != StatusClosed {
			return nil, "USER_ALREADY_EXISTS_IN_ACCOUNT", "a user with email " + in.Email + " already exists in the account"
		}
	}
	now := s.Now()
	first, last := in.FirstName, in.LastName
	if first == "" && last == "" {
		first, last, _ = strings.Cut(in.UserName, " ")
	}
	u := &User{
		ID:       guid(s.seed, domUser, uint64(1<<40+len(s.users))),
		UserName: in.UserName, FirstName: first, LastName: last, Email: in.Email, JobTitle: in.JobTitle,
		Status: StatusActivationSent, PermissionProfileName: profile, IsAdmin: profile == ProfileAdministrator,
		AccountIDs: []string{accountID}, Created: now, Modified: now,
	}
	s.users = append(s.users, u)
	s.usersByID[u.ID] = u
	return u, "", ""
}

// handleCreateESignUsers serves POST accounts/{accountId}/users
// ({"newUsers":[...]}); each user succeeds or carries errorDetails.
func (s *Server) handleCreateESignUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	var body struct {
		NewUsers []userInput `json:"newUsers"`
	}
	if !decodeJSONBody(w, r, &body) {
		return
	}
	if len(body.NewUsers) == 0 {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_BODY", "newUsers is empty: list the users to create.")
		return
	}
	type newUser struct {
		UserID          string            `json:"userId,omitempty"`
		URI             string            `json:"uri,omitempty"`
		Email           string            `json:"email"`
		UserName        string            `json:"userName"`
		UserStatus      string            `json:"userStatus,omitempty"`
		CreatedDateTime string            `json:"createdDateTime,omitempty"`
		ErrorDetails    *errorDetailsJSON `json:"errorDetails,omitempty"`
	}
	var out []newUser
	var created []*User
	s.mu.Lock()
	for _, in := range body.NewUsers {
		u, code, msg := s.createUserLocked(c.account.ID, in)
		if u == nil {
			out = append(out, newUser{Email: in.Email, UserName: in.UserName, ErrorDetails: &errorDetailsJSON{code, msg}})
			continue
		}
		created = append(created, u)
		out = append(out, newUser{UserID: u.ID, URI: "/users/" + u.ID, Email: u.Email, UserName: u.UserName, UserStatus: u.Status, CreatedDateTime: formatDS7(u.Created)})
	}
	s.mu.Unlock()
	for _, u := range created {
		s.recordUser(c.account.ID, c.user.ID, MonitorActionCreated, u, r.UserAgent())
	}
	writeJSON(w, http.StatusCreated, map[string]any{"newUsers": out})
}

// memberLocked returns the user with the given ID when it belongs to the
// account, else nil; s.mu held.
func (s *Server) memberLocked(accountID, userID string) *User {
	if u := s.usersByID[strings.ToLower(userID)]; u != nil && u.memberOf(accountID) {
		return u
	}
	return nil
}

// noSuchUser is the errorDetails of a bulk request's entry naming no user
// of the account.
func noSuchUser(id string) *errorDetailsJSON {
	return &errorDetailsJSON{"USER_DOES_NOT_EXIST_IN_SYSTEM", "No user " + quote(id) + " exists in the account."}
}

// updateUserLocked applies an update; s.mu held.
func updateUserLocked(u *User, in userInput, now func() time.Time) {
	setNonEmpty(&u.UserName, in.UserName)
	setNonEmpty(&u.FirstName, in.FirstName)
	setNonEmpty(&u.LastName, in.LastName)
	setNonEmpty(&u.Email, in.Email)
	setNonEmpty(&u.JobTitle, in.JobTitle)
	if p, ok := permissionProfile(in.PermissionProfileName); ok {
		u.PermissionProfileName = p
		u.IsAdmin = p == ProfileAdministrator
	}
	if in.IsAdmin != "" {
		u.IsAdmin = strings.EqualFold(in.IsAdmin, "true")
	}
	u.Modified = now()
}

// handleUpdateESignUser serves PUT accounts/{accountId}/users/{userId}.
func (s *Server) handleUpdateESignUser(w http.ResponseWriter, r *http.Request, c *caller) {
	var in userInput
	if !decodeJSONBody(w, r, &in) {
		return
	}
	s.mu.Lock()
	u := s.memberLocked(c.account.ID, r.PathValue("userId"))
	if u == nil {
		s.mu.Unlock()
		writeESignError(w, http.StatusNotFound, "USER_DOES_NOT_EXIST_IN_SYSTEM", "No user "+r.PathValue("userId")+" exists in account "+c.account.ID+".")
		return
	}
	updateUserLocked(u, in, s.Now)
	out := s.esignUserJSON(u, c.account.Name, true)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// handleUpdateESignUsers serves PUT accounts/{accountId}/users
// ({"users":[{"userId":...}, ...]}).
func (s *Server) handleUpdateESignUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	var body struct {
		Users []userInput `json:"users"`
	}
	if !decodeJSONBody(w, r, &body) {
		return
	}
	type result struct {
		esignUser
		ErrorDetails *errorDetailsJSON `json:"errorDetails,omitempty"`
	}
	var out []result
	s.mu.Lock()
	for _, in := range body.Users {
		u := s.memberLocked(c.account.ID, in.UserID)
		if u == nil {
			out = append(out, result{esignUser: esignUser{UserID: in.UserID}, ErrorDetails: noSuchUser(in.UserID)})
			continue
		}
		updateUserLocked(u, in, s.Now)
		out = append(out, result{esignUser: s.esignUserJSON(u, c.account.Name, false)})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

// handleCloseESignUsers serves DELETE accounts/{accountId}/users
// ({"users":[{"userId":...}]}): the users' memberships are closed.
func (s *Server) handleCloseESignUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	var body struct {
		Users []userInput `json:"users"`
	}
	if !decodeJSONBody(w, r, &body) {
		return
	}
	type closed struct {
		UserID       string            `json:"userId"`
		UserName     string            `json:"userName,omitempty"`
		Email        string            `json:"email,omitempty"`
		UserStatus   string            `json:"userStatus,omitempty"`
		ErrorDetails *errorDetailsJSON `json:"errorDetails,omitempty"`
	}
	var out []closed
	var done []*User
	now := s.Now()
	s.mu.Lock()
	for _, in := range body.Users {
		u := s.memberLocked(c.account.ID, in.UserID)
		if u == nil {
			out = append(out, closed{UserID: in.UserID, ErrorDetails: noSuchUser(in.UserID)})
			continue
		}
		if u.Status != StatusClosed {
			u.Status, u.Modified = StatusClosed, now
			done = append(done, u)
		}
		out = append(out, closed{UserID: u.ID, UserName: u.UserName, Email: u.Email, UserStatus: u.Status})
	}
	s.mu.Unlock()
	for _, u := range done {
		s.recordUser(c.account.ID, c.user.ID, MonitorActionClosed, u, r.UserAgent())
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

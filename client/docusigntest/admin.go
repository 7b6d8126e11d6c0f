package docusigntest

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Admin users list limits.
const (
	AdminUsersDefaultTake = 20
	AdminUsersMaxTake     = 250
)

// adminUser is a user as the Admin API's organization users list returns it.
type adminUser struct {
	ID                  string `json:"id"`
	UserName            string `json:"user_name"`
	FirstName           string `json:"first_name"`
	LastName            string `json:"last_name"`
	UserStatus          string `json:"user_status"`
	MembershipStatus    string `json:"membership_status"`
	Email               string `json:"email"`
	CreatedOn           string `json:"created_on"`
	ClosedOn            string `json:"closed_on,omitempty"`
	MembershipCreatedOn string `json:"membership_created_on"`
	MembershipClosedOn  string `json:"membership_closed_on,omitempty"`
	MembershipID        string `json:"membership_id"`
	DefaultAccountID    string `json:"default_account_id"`
	IsManagedBySCIM     bool   `json:"is_managed_by_scim"`
}

type adminPaging struct {
	ResultSetSize          int    `json:"result_set_size"`
	ResultSetStartPosition int    `json:"result_set_start_position"`
	ResultSetEndPosition   int    `json:"result_set_end_position"`
	TotalSetSize           int    `json:"total_set_size"`
	Next                   string `json:"next,omitempty"`
	Previous               string `json:"previous,omitempty"`
}

// handleAdminUsers serves GET /management/v2/organizations/{orgId}/users.
func (s *Server) handleAdminUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	if !strings.EqualFold(r.PathValue("orgId"), s.orgID) {
		writeJSON(w, http.StatusForbidden, &oauthError{Code: "forbidden", Description: "user " + c.user.ID + " is not an administrator of organization " + r.PathValue("orgId")})
		return
	}
	q := r.URL.Query()
	var problems []string
	intParam := func(name string, def, lo int) int {
		v := q.Get(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo {
			problems = append(problems, name+"="+quote(v)+" must be an integer >= "+strconv.Itoa(lo))
			return def
		}
		return n
	}
	start := intParam("start", 0, 0)
	take := min(intParam("take", AdminUsersDefaultTake, 1), AdminUsersMaxTake)
	var since time.Time
	if v := q.Get("last_modified_since"); v != "" {
		t, err := parseDate("last_modified_since", v)
		if err != nil {
			problems = append(problems, err.Error())
		}
		since = t
	}
	var acct *Account
	if v := q.Get("account_id"); v != "" {
		if acct = s.account(v); acct == nil {
			problems = append(problems, "account_id="+quote(v)+" is not an account of the organization")
		}
	}
	email := strings.ToLower(q.Get("email"))
	if s.cfg.strictAdmin {
		if email == "" && acct == nil && q.Get("organization_reserved_domain_id") == "" {
			problems = append(problems, "at least one of email, account_id or organization_reserved_domain_id is required")
		}
		if !since.IsZero() && acct == nil {
			problems = append(problems, "last_modified_since requires account_id")
		}
	}
	if len(problems) > 0 {
		writeJSON(w, http.StatusBadRequest, &oauthError{Code: "invalid_request", Description: strings.Join(problems, "; ")})
		return
	}
	statuses := splitList(q.Get("status"))
	memberships := splitList(q.Get("membership_status"))
	like := strings.ToLower(q.Get("email_user_name_like"))

	s.mu.Lock()
	// One pass: count every match (total_set_size) and keep only the
	// requested window. The per-user checks cost nothing unless their
	// filter is set (no lower-casing or allocation per user otherwise), so
	// a page of a large organization stays cheap to serve.
	var window []*User
	total := 0
	for _, u := range s.users {
		if (acct != nil && !u.memberOf(acct.ID)) ||
			(email != "" && strings.ToLower(u.Email) != email) ||
			(!since.IsZero() && u.Modified.Before(since)) {
			continue
		}
		if len(statuses) > 0 || len(memberships) > 0 {
			st := adminStatus(u.Status)
			if (len(statuses) > 0 && !containsFold(statuses, st)) ||
				(len(memberships) > 0 && !containsFold(memberships, st)) {
				continue
			}
		}
		if like != "" && !strings.Contains(strings.ToLower(u.Email), like) && !strings.Contains(strings.ToLower(u.UserName), like) {
			continue
		}
		if total >= start && total < start+take {
			window = append(window, u)
		}
		total++
	}
	users := make([]adminUser, 0, len(window))
	for _, u := range window {
		st := adminStatus(u.Status)
		au := adminUser{
			ID:                  u.ID,
			UserName:            u.UserName,
			FirstName:           u.FirstName,
			LastName:            u.LastName,
			UserStatus:          st,
			MembershipStatus:    st,
			Email:               u.Email,
			CreatedOn:           u.Created.UTC().Format(layoutAdmin),
			MembershipCreatedOn: u.Created.UTC().Format(layoutAdmin),
			DefaultAccountID:    u.AccountIDs[0],
		}
		au.MembershipID = membershipID(s.seed, u.ID)
		if st == "closed" {
			au.ClosedOn = u.Modified.UTC().Format(layoutAdmin)
			au.MembershipClosedOn = au.ClosedOn
		}
		users = append(users, au)
	}
	s.mu.Unlock()

	p := adminPaging{
		ResultSetSize:          len(users),
		ResultSetStartPosition: start,
		ResultSetEndPosition:   start + len(users) - 1,
		TotalSetSize:           total,
	}
	base := s.URL() + r.URL.Path
	if start+len(users) < total {
		p.Next = pageLink(base, q, "start", start+len(users), "take", take)
	}
	if start > 0 {
		p.Previous = pageLink(base, q, "start", max(0, start-take), "take", take)
	}
	writeJSON(w, http.StatusOK, struct {
		Users  []adminUser `json:"users"`
		Paging adminPaging `json:"paging"`
	}{users, p})
}

// membershipID derives a stable membership GUID from the user ID.
func membershipID(seed uint64, userID string) string {
	var h uint64 = 14695981039346656037
	for i := 0; i < len(userID); i++ {
		h = (h ^ uint64(userID[i])) * 1099511628211
	}
	return guid(seed, domUser, 1<<62|h>>2)
}

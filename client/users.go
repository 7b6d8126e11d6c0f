package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxOrgUsersTake is the Admin API's largest page of organization users.
const maxOrgUsersTake = 250

// OrgUser is one user of an organization as the Admin API lists it
// (GET /v2/organizations/{organizationId}/users). Raw keeps every field,
// including ones this version does not know.
type OrgUser struct {
	// ID is the user's GUID, the same user ID eSignature uses.
	ID string `json:"id"`
	// UserName is the full name.
	UserName  string `json:"user_name"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	// UserStatus is active, created or closed.
	UserStatus string `json:"user_status"`
	// MembershipStatus is activation_required, activation_sent, active,
	// closed or disabled.
	MembershipStatus string `json:"membership_status"`
	MembershipID     string `json:"membership_id"`
	// IsManagedBySCIM and IsMembershipManagedBySCIM report provisioning by
	// an identity provider.
	IsManagedBySCIM           bool   `json:"is_managed_by_scim"`
	IsMembershipManagedBySCIM bool   `json:"is_membership_managed_by_scim"`
	LicenseType               string `json:"license_type"`
	SubscriptionID            string `json:"subscription_id"`
	PlanName                  string `json:"plan_name"`
	// DSGroups is the raw ds_groups array (with include_ds_groups), nil
	// when absent.
	DSGroups json.RawMessage `json:"ds_groups,omitempty"`
	// CreatedOn, ClosedOn, MembershipCreatedOn and MembershipClosedOn are
	// created_on, closed_on, membership_created_on and membership_closed_on
	// in UTC; zero when absent or unparseable.
	CreatedOn           time.Time `json:"-"`
	ClosedOn            time.Time `json:"-"`
	MembershipCreatedOn time.Time `json:"-"`
	MembershipClosedOn  time.Time `json:"-"`
	// Raw is the user object exactly as received.
	// Treat it as read-only: it shares memory with the page it came from
	// (and with the string fields above); copy it before modifying it.
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes the typed fields and keeps a copy of the bytes.
// Dates DocuSign sends without a zone are read as UTC. Members match fields
// as encoding/json matches them (exact name, else case-insensitively; the
// last of repeated members counts); a member that is null or of an
// unexpected JSON type leaves its field as it was, so zero unless repeated
// (Raw keeps it).
func (u *OrgUser) UnmarshalJSON(data []byte) error {
	type plain OrgUser
	return unmarshalRecord(data, (*plain)(u), &u.Raw,
		recordTime{"created_on", &u.CreatedOn, ParseTimestamp},
		recordTime{"closed_on", &u.ClosedOn, ParseTimestamp},
		recordTime{"membership_created_on", &u.MembershipCreatedOn, ParseTimestamp},
		recordTime{"membership_closed_on", &u.MembershipClosedOn, ParseTimestamp})
}

// MarshalJSON writes the user as received (Raw).
func (u OrgUser) MarshalJSON() ([]byte, error) {
	type plain OrgUser
	return marshalRecord(u.Raw, plain(u))
}

// OrgUsersOptions selects the users of an organization. The Admin API
// needs at least one of AccountID, Email and ReservedDomainID; when none is
// set, AccountID defaults to the client's account.
type OrgUsersOptions struct {
	// OrganizationID is the organization; empty means the client's.
	OrganizationID string
	// AccountID keeps members of this eSignature account.
	AccountID string
	// Email selects the user with this address.
	Email string
	// ReservedDomainID keeps users of this reserved domain.
	ReservedDomainID string
	// Status filters by user status (active, created, closed).
	Status string
	// MembershipStatus filters by membership status (active, closed, ...).
	MembershipStatus string
	// LastModifiedSince keeps users modified since then (needs AccountID or
	// ReservedDomainID on DocuSign's side).
	LastModifiedSince time.Time
	// Take is the page size, 1 to 250; 0 means 250.
	Take int
	// Start skips that many users.
	Start int
	// Checkpoint resumes an organization user listing; the filters above
	// may be repeated but must then match it.
	Checkpoint Checkpoint
}

// adminConn is what the Admin pager needs from the client.
type adminConn struct {
	do      pageDoer
	baseURL string                                // Admin base URL (…/management)
	org     func(context.Context) (string, error) // the client's organization; nil: none
	account func(context.Context) (string, error) // the client's account ID
}

// adminConn connects the Admin pagers to the client. The organization is
// WithOrganizationID's, or else the selected account's (from userinfo).
func (c *Client) adminConn() adminConn {
	return adminConn{
		do:      c,
		baseURL: c.AdminURL(),
		account: c.AccountID,
		org: func(ctx context.Context) (string, error) {
			if id := c.OrganizationID(); id != "" {
				return id, nil
			}
			a, err := c.Account(ctx)
			if err != nil {
				return "", err
			}
			if a.Organization == nil || a.Organization.OrganizationID == "" {
				return "", fmt.Errorf("account %s belongs to no organization", a.AccountID)
			}
			return a.Organization.OrganizationID, nil
		},
	}
}

// OrgUsersPager returns a pager over the users of an organization (Admin
// API), following paging.next to the end. See OrgUsersOptions for the
// filters and defaults.
func (c *Client) OrgUsersPager(opts OrgUsersOptions) (*Pager[OrgUser], error) {
	p, err := newOrgUsersPager(c.adminConn(), opts)
	return withReadAhead(c, p, err)
}

// OrgUsers iterates over the users of an organization:
//
//	for u, err := range c.OrgUsers(ctx, client.OrgUsersOptions{AccountID: acct}) { ... }
//
// Use OrgUsersPager to checkpoint and resume.
func (c *Client) OrgUsers(ctx context.Context, opts OrgUsersOptions) iter.Seq2[OrgUser, error] {
	p, err := c.OrgUsersPager(opts)
	if err != nil {
		return pagerErrorSeq[OrgUser](err)
	}
	return p.All(ctx)
}

// newOrgUsersPager lists Admin organization users, following paging.next.
func newOrgUsersPager(c adminConn, o OrgUsersOptions) (*Pager[OrgUser], error) {
	var errs []error
	if c.baseURL == "" {
		errs = append(errs, fieldErr("Environment.AdminURL", "is empty: set it to use the Admin API"))
	}
	if o.OrganizationID == "" && c.org == nil && o.Checkpoint.IsZero() {
		errs = append(errs, fieldErr("OrgUsersOptions.OrganizationID", "is empty and the client has no organization: set one of them"))
	}
	if o.Take < 0 || o.Take > maxOrgUsersTake {
		errs = append(errs, fieldErr("OrgUsersOptions.Take", "%d is out of range: use 1 to %d, or 0 for %d", o.Take, maxOrgUsersTake, maxOrgUsersTake))
	}
	if o.Start < 0 {
		errs = append(errs, fieldErr("OrgUsersOptions.Start", "%d is negative", o.Start))
	}
	if o.Start > 0 && !o.Checkpoint.IsZero() {
		errs = append(errs, fieldErr("OrgUsersOptions.Start", "and OrgUsersOptions.Checkpoint are mutually exclusive: the checkpoint holds the position"))
	}
	if !o.LastModifiedSince.IsZero() && o.Email != "" && o.AccountID == "" && o.ReservedDomainID == "" {
		errs = append(errs, fieldErr("OrgUsersOptions.LastModifiedSince", "needs AccountID or ReservedDomainID (the Admin API rejects it with Email alone)"))
	}
	if err := o.Checkpoint.expectKind("OrgUsersOptions.Checkpoint", CheckpointOrgUsers); err != nil {
		errs = append(errs, err)
	}
	since := ""
	if !o.LastModifiedSince.IsZero() {
		since = FormatCursorTime(o.LastModifiedSince)
	}
	filters := []resumeFilter{
		{"OrgUsersOptions.AccountID", "account_id", filterValue(o.AccountID)},
		{"OrgUsersOptions.Email", "email", filterValue(o.Email)},
		{"OrgUsersOptions.ReservedDomainID", "organization_reserved_domain_id", filterValue(o.ReservedDomainID)},
		{"OrgUsersOptions.Status", "status", filterValue(o.Status)},
		{"OrgUsersOptions.MembershipStatus", "membership_status", filterValue(o.MembershipStatus)},
		{"OrgUsersOptions.LastModifiedSince", "last_modified_since", filterValue(since)},
	}
	errs = append(errs, checkResumeFilters(o.Checkpoint, "OrgUsersOptions.Checkpoint", filters)...)
	if o.OrganizationID != "" && o.Checkpoint.page != "" && !strings.HasPrefix(o.Checkpoint.page, orgUsersPath(o.OrganizationID)+"?") {
		errs = append(errs, fieldErr("OrgUsersOptions.OrganizationID", "%q differs from the checkpoint's organization", o.OrganizationID))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	take := o.Take
	if take == 0 {
		take = maxOrgUsersTake
	}
	base := strings.TrimRight(c.baseURL, "/")
	src := &listSource[OrgUser]{
		g:        pageGetter{do: c.do},
		label:    "Admin organization users",
		base:     func(context.Context) (string, error) { return base, nil },
		itemsKey: "users",
		idKey:    "id",
		decode:   decodeRecord[OrgUser],
		scan:     scanOrgUser,
		first: func(ctx context.Context) (string, error) {
			q := url.Values{}
			for _, f := range filters {
				if len(f.values) > 0 {
					q[f.param] = f.values
				}
			}
			if o.AccountID == "" && o.Email == "" && o.ReservedDomainID == "" {
				acct, err := c.account(ctx)
				if err != nil {
					return "", fmt.Errorf("docusign: OrgUsersOptions.AccountID defaults to the client's account: %w", err)
				}
				q.Set("account_id", acct)
			}
			q.Set("start", strconv.Itoa(o.Start))
			q.Set("take", strconv.Itoa(take))
			org := o.OrganizationID
			if org == "" {
				var err error
				if org, err = c.org(ctx); err != nil {
					return "", fmt.Errorf("docusign: OrgUsersOptions.OrganizationID defaults to the client's organization: %w", err)
				}
			}
			return orgUsersPath(org) + "?" + q.Encode(), nil
		},
		next: linkNext,
	}
	return newPager[OrgUser](CheckpointOrgUsers, src, nil, pagePos{}, o.Checkpoint), nil
}

func orgUsersPath(org string) string {
	return "/v2/organizations/" + url.PathEscape(org) + "/users"
}

// linkNext follows the Admin API's paging.next, an absolute URL. It must
// stay below the Admin base URL (so credentials never go to another host);
// listSource refuses a link back to a page already read.
func linkNext(a nextArgs) (string, bool, error) {
	var page struct {
		Paging struct {
			Next string `json:"next"`
		} `json:"paging"`
	}
	if err := json.Unmarshal(a.top, &page); err != nil {
		return "", false, fmt.Errorf("member \"paging\": %w", err)
	}
	paging := page.Paging
	if paging.Next == "" {
		return "", true, nil
	}
	rel, err := relativeLink(a.base, a.cur, paging.Next)
	if err != nil {
		return "", false, err
	}
	return rel, false, nil
}

// relativeLink resolves link against the page cur (relative to base) and
// returns it relative to base, refusing links outside base.
func relativeLink(base, cur, link string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	c, err := url.Parse(base + cur)
	if err != nil {
		return "", err
	}
	l, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("paging.next %q: %w", link, err)
	}
	u := c.ResolveReference(l)
	basePath := strings.TrimRight(b.EscapedPath(), "/")
	if !strings.EqualFold(u.Scheme, b.Scheme) || !strings.EqualFold(u.Host, b.Host) || !strings.HasPrefix(u.EscapedPath(), basePath+"/") {
		return "", fmt.Errorf("paging.next %q leaves the API base URL %s: refusing to follow it", link, base)
	}
	rel := u.EscapedPath()[len(basePath):]
	if u.RawQuery != "" {
		rel += "?" + u.RawQuery
	}
	if err := checkRelativePage(rel); err != nil {
		return "", fmt.Errorf("paging.next: %w", err)
	}
	return rel, nil
}

// orgUserStrings maps the string members of an OrgUser to their fields.
var orgUserStrings = map[string]func(*OrgUser) *string{
	"id":                func(u *OrgUser) *string { return &u.ID },
	"user_name":         func(u *OrgUser) *string { return &u.UserName },
	"first_name":        func(u *OrgUser) *string { return &u.FirstName },
	"last_name":         func(u *OrgUser) *string { return &u.LastName },
	"email":             func(u *OrgUser) *string { return &u.Email },
	"user_status":       func(u *OrgUser) *string { return &u.UserStatus },
	"membership_status": func(u *OrgUser) *string { return &u.MembershipStatus },
	"membership_id":     func(u *OrgUser) *string { return &u.MembershipID },
	"license_type":      func(u *OrgUser) *string { return &u.LicenseType },
	"subscription_id":   func(u *OrgUser) *string { return &u.SubscriptionID },
	"plan_name":         func(u *OrgUser) *string { return &u.PlanName },
}

// orgUserFoldable lists every member name encoding/json (case-insensitive)
// or the time fields match, for spotting keys only a case-insensitive match
// would take.
var orgUserFoldable = []string{"id", "user_name", "first_name", "last_name", "email", "user_status",
	"membership_status", "membership_id", "license_type", "subscription_id", "plan_name",
	"is_managed_by_scim", "is_membership_managed_by_scim", "ds_groups",
	"created_on", "closed_on", "membership_created_on", "membership_closed_on"}

// scanOrgUser is the Admin user pager's fast record decoder (see
// listSource.scan): one pass over a validated record, sharing the page's
// memory (raw and s are the same bytes of a page-owned body, never written).
// It gives up (ok false), leaving the record to OrgUser.UnmarshalJSON, on
// anything where a hand decoder could differ from encoding/json: a record
// that is not an object, a key with escapes or non-ASCII bytes or matching
// a field only case-insensitively, a member of an unexpected JSON type, or
// a null ds_groups.
func scanOrgUser(raw []byte, s string) (u OrgUser, id string, ok bool) {
	sc := jscan{b: raw, s: s}
	if len(raw) == 0 || raw[0] != '{' {
		return OrgUser{}, "", false
	}
	sc.i = 1
	sc.ws()
	if sc.i < len(raw) && raw[sc.i] == '}' {
		u.Raw = raw
		return u, "", true
	}
	for {
		if sc.i >= len(raw) || raw[sc.i] != '"' {
			return OrgUser{}, "", false
		}
		ks, ke, flags, err := sc.str()
		if err != nil || flags != 0 {
			return OrgUser{}, "", false
		}
		k := s[ks:ke]
		sc.ws()
		if sc.i >= len(raw) || raw[sc.i] != ':' {
			return OrgUser{}, "", false
		}
		sc.i++
		sc.ws()
		if sc.i >= len(raw) {
			return OrgUser{}, "", false
		}
		c := raw[sc.i]
		if field, known := orgUserStrings[k]; known {
			switch c {
			case '"':
				v, err := sc.strValue()
				if err != nil {
					return OrgUser{}, "", false
				}
				*field(&u) = v
				if k == "id" {
					id = v
				}
			case 'n':
				// null leaves the field (and recordID's "id") as it was.
				if sc.literal("null") != nil {
					return OrgUser{}, "", false
				}
			default:
				return OrgUser{}, "", false
			}
		} else {
			switch k {
			case "is_managed_by_scim", "is_membership_managed_by_scim":
				dst := &u.IsManagedBySCIM
				if k == "is_membership_managed_by_scim" {
					dst = &u.IsMembershipManagedBySCIM
				}
				switch c {
				case 't':
					err = sc.literal("true")
					*dst = true
				case 'f':
					err = sc.literal("false")
					*dst = false
				case 'n':
					err = sc.literal("null")
				default:
					return OrgUser{}, "", false
				}
				if err != nil {
					return OrgUser{}, "", false
				}
			case "ds_groups":
				if c == 'n' {
					return OrgUser{}, "", false
				}
				if u.DSGroups, err = sc.rawValue(); err != nil {
					return OrgUser{}, "", false
				}
			case "created_on", "closed_on", "membership_created_on", "membership_closed_on":
				if c != '"' {
					// null or another type leaves the time as it was.
					if sc.skipValue() != nil {
						return OrgUser{}, "", false
					}
					break
				}
				v, err := sc.strValue()
				if err != nil {
					return OrgUser{}, "", false
				}
				t, _ := ParseTimestamp(v)
				switch k {
				case "created_on":
					u.CreatedOn = t
				case "closed_on":
					u.ClosedOn = t
				case "membership_created_on":
					u.MembershipCreatedOn = t
				default:
					u.MembershipClosedOn = t
				}
			default:
				for _, name := range orgUserFoldable {
					if len(name) == len(k) && strings.EqualFold(name, k) {
						return OrgUser{}, "", false
					}
				}
				if sc.skipValue() != nil {
					return OrgUser{}, "", false
				}
			}
		}
		sc.ws()
		if sc.i >= len(raw) {
			return OrgUser{}, "", false
		}
		switch raw[sc.i] {
		case ',':
			sc.i++
			sc.ws()
			continue
		case '}':
			sc.i++
			if sc.i != len(raw) {
				return OrgUser{}, "", false
			}
			u.Raw = raw
			return u, id, true
		}
		return OrgUser{}, "", false
	}
}

package docusigntest

import (
	"strconv"
	"strings"
	"time"
)

// Deterministic data: every ID, name and date derives from the seed through
// splitmix64, so a server's data is a pure function of its options.

// mix is the splitmix64 finalizer: a fast, well-distributed 64-bit hash.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// Hash domains keep the streams of different kinds of data independent.
const (
	domAccount uint64 = iota + 1
	domUser
	domOrg
	domEnvelope
	domEvent
	domEventAux
	domTrace
	domCursor
	domIntegration
	domToken
)

// rnd returns the k-th pseudo-random word for item i of a domain.
func rnd(seed, domain, i, k uint64) uint64 {
	return mix(mix(seed^domain*0xd6e8feb86659fd93) ^ mix(i*0x9e3779b97f4a7c15+k))
}

const hexDigits = "0123456789abcdef"

// appendGUID appends a lowercase version-4 GUID built from two words.
func appendGUID(dst []byte, a, b uint64) []byte {
	a = a&^0xf000 | 0x4000           // version 4
	b = b&^(0xc000<<48) | 0x8000<<48 // RFC 4122 variant
	var raw [16]byte
	for i := 0; i < 8; i++ {
		raw[i] = byte(a >> (56 - 8*i))
		raw[8+i] = byte(b >> (56 - 8*i))
	}
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return dst
}

func guid(seed, domain, i uint64) string {
	return string(appendGUID(make([]byte, 0, 36), rnd(seed, domain, i, 0), rnd(seed, domain, i, 1)))
}

// dataEpoch anchors seeded users and accounts so their dates are the same
// on every run, whatever the clock says.
var dataEpoch = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)

var firstNames = []string{
	"Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
	"Kara", "Liam", "Maya", "Nils", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tara",
	"Umar", "Vera", "Wen", "Xavier", "Yara", "Zane", "Amir", "Bea", "Carlos", "Dana",
	"Emil", "Fatima", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Marco", "Nora",
}

var lastNames = []string{
	"Adler", "Brooks", "Chen", "Diaz", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
	"Kim", "Lopez", "Meyer", "Nakamura", "Okafor", "Patel", "Quispe", "Rossi", "Silva", "Tanaka",
	"Usman", "Varga", "Wagner", "Xu", "Yilmaz", "Zimmer", "Novak", "Berg", "Costa", "Dubois",
}

var jobTitles = []string{"Analyst", "Engineer", "Account Manager", "Paralegal", "HR Partner", "Sales Lead", "Controller", "Counsel"}

// Permission profiles seeded users carry.
const (
	ProfileAdministrator = "Account Administrator"
	ProfileSender        = "DocuSign Sender"
	ProfileViewer        = "DocuSign Viewer"
)

var permissionProfileIDs = map[string]string{
	ProfileAdministrator: "10501",
	ProfileSender:        "10502",
	ProfileViewer:        "10503",
}

// eSignature user statuses, as userStatus spells them.
const (
	StatusActive         = "Active"
	StatusActivationSent = "ActivationSent"
	StatusClosed         = "Closed"
	StatusDisabled       = "Disabled"
)

// adminStatus converts an eSignature status to the Admin API's spelling
// (user_status and membership_status).
func adminStatus(s string) string {
	switch s {
	case StatusActivationSent:
		return "activation_sent"
	case "ActivationRequired":
		return "activation_required"
	}
	return strings.ToLower(s)
}

// Account is a seeded eSignature account.
type Account struct {
	// ID is the account ID GUID.
	ID string
	// Number is the external account number; URLs accept it in place of ID.
	Number string
	// Name is the account name.
	Name string
	// BaseURI is the account's base URI as /oauth/userinfo reports it: the
	// server's URL (clients append /restapi).
	BaseURI string
	// Created is when the account was created.
	Created time.Time
}

// User is a user of the organization, as both the eSignature and the Admin
// API describe it.
type User struct {
	// ID is the user ID GUID (the JWT sub).
	ID string
	// UserName is the display name, "First Last".
	UserName  string
	FirstName string
	LastName  string
	Email     string
	JobTitle  string
	// Status is the eSignature userStatus: Active, ActivationSent, Closed or
	// Disabled; the Admin API reports it lower-cased (activation_sent).
	Status string
	// PermissionProfileName is the eSignature permission profile.
	PermissionProfileName string
	// IsAdmin reports whether the user administers its accounts.
	IsAdmin bool
	// AccountIDs lists the accounts the user belongs to; the first is the
	// user's default account.
	AccountIDs []string
	// Created is when the user was created; Modified when it last changed.
	Created  time.Time
	Modified time.Time
}

func (u *User) clone() User {
	c := *u
	c.AccountIDs = append([]string(nil), u.AccountIDs...)
	return c
}

func (u *User) memberOf(accountID string) bool {
	for _, a := range u.AccountIDs {
		if a == accountID {
			return true
		}
	}
	return false
}

func seedAccounts(seed uint64, n int, baseURI string) []*Account {
	out := make([]*Account, n)
	for i := range out {
		r := rnd(seed, domAccount, uint64(i), 2)
		out[i] = &Account{
			ID:      guid(seed, domAccount, uint64(i)),
			Number:  strconv.FormatUint(10_000_000+r%89_999_999, 10),
			Name:    "Test Account " + strconv.Itoa(i+1),
			BaseURI: baseURI,
			Created: dataEpoch.AddDate(-3, 0, 0).Add(time.Duration(r%(365*24)) * time.Hour),
		}
	}
	return out
}

func seedUsers(seed uint64, n int, accounts []*Account) []*User {
	out := make([]*User, n)
	for i := range out {
		r := rnd(seed, domUser, uint64(i), 2)
		first := firstNames[r%uint64(len(firstNames))]
		last := lastNames[(r>>16)%uint64(len(lastNames))]
		created := dataEpoch.Add(-time.Duration(1+(r>>24)%(1000*24*3600)) * time.Second)
		modified := created.Add(time.Duration((r>>40)%uint64(dataEpoch.Sub(created)/time.Second)) * time.Second)
		u := &User{
			ID:                    guid(seed, domUser, uint64(i)),
			FirstName:             first,
			LastName:              last,
			UserName:              first + " " + last,
			Email:                 strings.ToLower(first+"."+last) + "." + strconv.Itoa(i) + "@example.com",
			JobTitle:              jobTitles[(r>>8)%uint64(len(jobTitles))],
			Status:                StatusActive,
			PermissionProfileName: ProfileSender,
			Created:               created.Truncate(time.Millisecond),
			Modified:              modified.Truncate(time.Millisecond),
		}
		switch {
		case i == 0:
			u.IsAdmin = true
			u.PermissionProfileName = ProfileAdministrator
			for _, a := range accounts {
				u.AccountIDs = append(u.AccountIDs, a.ID)
			}
		default:
			u.AccountIDs = []string{accounts[i%len(accounts)].ID}
			switch {
			case i%23 == 0:
				u.Status = StatusClosed
			case i%29 == 0:
				u.Status = StatusDisabled
			case i%11 == 0:
				u.Status = StatusActivationSent
			}
			switch {
			case i%50 == 1:
				u.IsAdmin = true
				u.PermissionProfileName = ProfileAdministrator
			case i%4 == 3:
				u.PermissionProfileName = ProfileViewer
			}
		}
		out[i] = u
	}
	return out
}

// Accounts returns the seeded accounts; the first is the default user's
// default account.
func (s *Server) Accounts() []Account {
	out := make([]Account, len(s.accounts))
	for i, a := range s.accounts {
		out[i] = *a
	}
	return out
}

// DefaultAccountID is the ID of the first account, the default user's
// default account.
func (s *Server) DefaultAccountID() string { return s.accounts[0].ID }

// DefaultUserID is the ID of user 0: an administrator of every account,
// whom NewIntegration and the consent page grant consent for.
func (s *Server) DefaultUserID() string { return s.defaultUserID }

// OrgID is the ID of the organization owning every account.
func (s *Server) OrgID() string { return s.orgID }

// Users returns a copy of every user in creation order (the order both list
// APIs page in).
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = u.clone()
	}
	return out
}

// User returns the user with the given ID.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.usersByID[strings.ToLower(id)]
	if !ok {
		return User{}, false
	}
	return u.clone(), true
}

// AccountUsers returns the users belonging to an account, in list order.
func (s *Server) AccountUsers(accountID string) []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []User
	for _, u := range s.users {
		if u.memberOf(accountID) {
			out = append(out, u.clone())
		}
	}
	return out
}

// UpdateUser changes a user in place, e.g. to test incremental sync with
// last_modified_since. Unless fn sets Modified itself, Modified becomes the
// server's now. The ID cannot change.
func (s *Server) UpdateUser(id string, fn func(*User)) error {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.usersByID[strings.ToLower(id)]
	if !ok {
		return errorf("UpdateUser: no user %q", id)
	}
	before := u.Modified
	fn(u)
	u.ID = strings.ToLower(id)
	if u.Modified.Equal(before) {
		u.Modified = now
	}
	return nil
}

// AddUser adds a user after the seeded ones and returns it as stored. An
// empty ID gets a new GUID, empty AccountIDs the default account, empty
// Status Active, zero Created and Modified the server's now, an empty
// UserName "FirstName LastName". It fails for a duplicate ID or an unknown
// account.
func (s *Server) AddUser(u User) (User, error) {
	now := s.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if u.ID == "" {
		u.ID = guid(s.seed, domUser, uint64(1<<40+len(s.users)))
	}
	u.ID = strings.ToLower(u.ID)
	if _, dup := s.usersByID[u.ID]; dup {
		return User{}, errorf("AddUser: user %q already exists", u.ID)
	}
	if len(u.AccountIDs) == 0 {
		u.AccountIDs = []string{s.accounts[0].ID}
	}
	u.AccountIDs = append([]string(nil), u.AccountIDs...)
	for i, id := range u.AccountIDs {
		a := s.account(id)
		if a == nil {
			return User{}, errorf("AddUser: unknown account %q", id)
		}
		u.AccountIDs[i] = a.ID
	}
	if u.Status == "" {
		u.Status = StatusActive
	}
	if u.PermissionProfileName == "" {
		u.PermissionProfileName = ProfileSender
	}
	if u.UserName == "" {
		u.UserName = strings.TrimSpace(u.FirstName + " " + u.LastName)
	}
	if u.Created.IsZero() {
		u.Created = now
	}
	if u.Modified.IsZero() {
		u.Modified = now
	}
	stored := u.clone()
	s.users = append(s.users, &stored)
	s.usersByID[stored.ID] = &stored
	return stored.clone(), nil
}

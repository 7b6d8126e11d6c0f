package docusigntest

import (
	"testing"
)

func TestSeededDataIsAPureFunctionOfTheOptions(t *testing.T) {
	a := newTestServer(t, WithSeed(42), WithUsers(500), WithAccounts(3))
	b := newTestServer(t, WithSeed(42), WithUsers(500), WithAccounts(3))
	c := newTestServer(t, WithSeed(43), WithUsers(500), WithAccounts(3))
	if a.OrgID() != b.OrgID() || a.DefaultUserID() != b.DefaultUserID() || a.OrgID() == c.OrgID() {
		t.Errorf("org/default user IDs do not follow the seed")
	}
	ua, ub := a.Users(), b.Users()
	for i := range ua {
		x, y := ua[i], ub[i]
		if x.ID != y.ID || x.Email != y.Email || !x.Modified.Equal(y.Modified) || x.Status != y.Status {
			t.Fatalf("user %d differs: %+v vs %+v", i, x, y)
		}
	}
	for i, acct := range a.Accounts() {
		if acct.ID != b.Accounts()[i].ID || acct.Number != b.Accounts()[i].Number {
			t.Errorf("account %d differs", i)
		}
	}
}

func TestSeededUsersHaveUniqueIDsAndEmailsAndMixedStatuses(t *testing.T) {
	srv := newTestServer(t, WithUsers(3000), WithAccounts(4))
	ids, emails := map[string]bool{}, map[string]bool{}
	statuses := map[string]int{}
	for _, u := range srv.Users() {
		if ids[u.ID] || emails[u.Email] {
			t.Fatalf("duplicate user %+v", u)
		}
		ids[u.ID], emails[u.Email] = true, true
		statuses[u.Status]++
		if u.Modified.Before(u.Created) {
			t.Errorf("user %s modified before created", u.ID)
		}
	}
	for _, s := range []string{StatusActive, StatusActivationSent, StatusClosed, StatusDisabled} {
		if statuses[s] == 0 {
			t.Errorf("no %s users", s)
		}
	}
	def, _ := srv.User(srv.DefaultUserID())
	if !def.IsAdmin || len(def.AccountIDs) != 4 || def.Status != StatusActive {
		t.Errorf("default user %+v is not an active admin of every account", def)
	}
	total := 0
	for _, a := range srv.Accounts() {
		total += len(srv.AccountUsers(a.ID))
	}
	if total != 3000+3 {
		t.Errorf("memberships %d, want 3003 (the default user is in all four accounts)", total)
	}
}

package docusigntest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// eSignature users list limits.
const (
	ESignUsersDefaultCount = 100
	ESignUsersMaxCount     = 100
)

// accountSettings are the settings every seeded account reports, in the
// v2.1 accountSettingsInformation form: string values, booleans as "true".
var accountSettings = map[string]string{
	"adoptSigConfig": "true", "allowAccessCodeFormat": "true", "allowAccountManagementGranular": "true",
	"allowBulkSend": "true", "allowCDWithdraw": "true", "allowDataDownload": "true",
	"allowEnvelopeCorrect": "true", "allowExpressSignerCertificate": "false", "allowExternalSignaturePad": "false",
	"allowInPerson": "true", "allowMarkup": "false", "allowMemberTimeZone": "true", "allowMergeFields": "false",
	"allowMultipleSignerAttachments": "false", "allowOfflineSigning": "true", "allowPaymentProcessing": "false",
	"allowPrivateSigningGroups": "false", "allowReminders": "true", "allowSharedTabs": "true",
	"allowSignatureStamps": "false", "allowSignDocumentFromHomePage": "true", "allowSignerReassign": "true",
	"allowSigningGroups": "true", "attachCompletedEnvelope": "false", "authenticationCheck": "initial_access",
	"autoNavRule": "page_then_required_fields", "bulkSend": "true", "canSelfBrandSend": "true",
	"canSelfBrandSign": "true", "conditionalFieldsEnabled": "true", "consumerDisclosureFrequency": "once",
	"dataPopulationScope": "document", "disableMobilePushNotifications": "false", "disableMobileSending": "false",
	"disableMultipleSessions": "false", "disableUploadSignature": "false", "documentConversionRestrictions": "no_restrictions",
	"enableAutoNav": "true", "enableCalculatedFields": "true", "enableDSPro": "false", "enablePowerForm": "true",
	"enablePowerFormDirect": "true", "enableSMSAuthentication": "true", "enableSequentialSigningAPI": "true",
	"enableSequentialSigningUI": "true", "enableSignOnPaper": "true", "enableSignerAttachments": "true",
	"enableVaulting": "false", "envelopeIntegrationAllowed": "Full", "externalSignaturePadType": "none",
	"faxOutEnabled": "false", "idCheckExpire": "always", "idCheckRequired": "never", "inSessionEnabled": "true",
	"maximumSigningGroups": "50", "maximumUsersPerSigningGroup": "50", "mobileSessionTimeout": "20",
	"pkiSignDownloadedPDFDocs": "no_sign", "requireDeclineReason": "true", "requireSignerCertificateType": "none",
	"selfSignedRecipientEmailDocument": "include_pdf", "sessionTimeout": "20", "setRecipEmailLang": "true",
	"setRecipSignLang": "true", "signDateFormat": "M/d/yyyy", "signTimeShowAmPm": "true",
	"signerLoginRequirements": "login_not_required", "tabDataLabelEnabled": "true", "tabLockingEnabled": "true",
	"useAccountLevelEmail": "false", "usesAPI": "true",
}

func (s *Server) settingsOf(a *Account) map[string]string {
	out := make(map[string]string, len(accountSettings)+1)
	for k, v := range accountSettings {
		out[k] = v
	}
	out["accountName"] = a.Name
	return out
}

// handleAccount serves GET accounts/{accountId}.
func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request, c *caller) {
	a := c.account
	members := len(s.AccountUsers(a.ID))
	now := s.Now()
	periodStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	periodEnd := periodStart.AddDate(0, 1, 0)
	info := map[string]any{
		"accountIdGuid":                 a.ID,
		"externalAccountId":             a.Number,
		"accountName":                   a.Name,
		"createdDate":                   formatDS7(a.Created),
		"currentPlanId":                 guid(s.seed, domAccount, uint64(1<<20)),
		"planName":                      "DEVCENTER_DEMO_APRIL2013",
		"planClassification":            "partner",
		"planStartDate":                 formatDS7(a.Created),
		"planEndDate":                   "",
		"billingPeriodStartDate":        formatDS7(periodStart),
		"billingPeriodEndDate":          formatDS7(periodEnd),
		"billingPeriodDaysRemaining":    strconv.Itoa(int(periodEnd.Sub(now).Hours() / 24)),
		"billingPeriodEnvelopesSent":    strconv.Itoa(s.EnvelopeCount(a.ID)),
		"billingPeriodEnvelopesAllowed": "unlimited",
		"billingProfile":                "web",
		"canUpgrade":                    "false",
		"isDowngrade":                   "false",
		"connectPermission":             "full",
		"currencyCode":                  "USD",
		"distributorCode":               "DEVCENTER_DEMO_APRIL2013",
		"docuSignLandingUrl":            "http://www.docusign.com/products/sign_up/buy.php",
		"envelopeSendingBlocked":        "false",
		"envelopeUnitPrice":             "$0.00",
		"paymentMethod":                 "purchase_order",
		"seatsAllowed":                  "unlimited",
		"seatsInUse":                    strconv.Itoa(members),
		"status21CFRPart11":             "not_enabled",
		"suspensionStatus":              "",
		"allowTransactionRooms":         "false",
		"useDisplayAppliance":           false,
	}
	if strings.EqualFold(r.URL.Query().Get("include_account_settings"), "true") {
		info["accountSettings"] = s.settingsOf(a)
	}
	writeJSON(w, http.StatusOK, info)
}

// handleAccountSettings serves GET accounts/{accountId}/settings.
func (s *Server) handleAccountSettings(w http.ResponseWriter, r *http.Request, c *caller) {
	writeJSON(w, http.StatusOK, s.settingsOf(c.account))
}

// esignUser is a user as eSignature's users endpoints return it.
type esignUser struct {
	UserName                    string             `json:"userName"`
	UserID                      string             `json:"userId"`
	UserType                    string             `json:"userType"`
	IsAdmin                     string             `json:"isAdmin"`
	IsNAREnabled                string             `json:"isNAREnabled"`
	UserStatus                  string             `json:"userStatus"`
	URI                         string             `json:"uri"`
	Email                       string             `json:"email"`
	FirstName                   string             `json:"firstName"`
	LastName                    string             `json:"lastName"`
	JobTitle                    string             `json:"jobTitle"`
	Company                     string             `json:"company"`
	CreatedDateTime             string             `json:"createdDateTime"`
	UserAddedToAccountDateTime  string             `json:"userAddedToAccountDateTime"`
	PermissionProfileID         string             `json:"permissionProfileId"`
	PermissionProfileName       string             `json:"permissionProfileName"`
	DefaultAccountID            string             `json:"defaultAccountId,omitempty"`
	UserProfileLastModifiedDate string             `json:"userProfileLastModifiedDate,omitempty"`
	UserSettings                *esignUserSettings `json:"userSettings,omitempty"`
}

type esignUserSettings struct {
	Locale               string `json:"locale"`
	CanManageAccount     string `json:"canManageAccount"`
	CanSendEnvelope      string `json:"canSendEnvelope"`
	CanSendAPIRequests   string `json:"canSendAPIRequests"`
	APIAccountWideAccess string `json:"apiAccountWideAccess"`
	TimezoneOffset       string `json:"timezoneOffset"`
	ModifiedDate         string `json:"modifiedDate"`
}

func boolString(b bool, t, f string) string {
	if b {
		return t
	}
	return f
}

func (s *Server) esignUserJSON(u *User, accountName string, detail bool) esignUser {
	out := esignUser{
		UserName:                   u.UserName,
		UserID:                     u.ID,
		UserType:                   "CompanyUser",
		IsAdmin:                    boolString(u.IsAdmin, "True", "False"),
		IsNAREnabled:               "false",
		UserStatus:                 u.Status,
		URI:                        "/users/" + u.ID,
		Email:                      u.Email,
		FirstName:                  u.FirstName,
		LastName:                   u.LastName,
		JobTitle:                   u.JobTitle,
		Company:                    accountName,
		CreatedDateTime:            formatDS7(u.Created),
		UserAddedToAccountDateTime: formatDS7(u.Created),
		PermissionProfileID:        permissionProfileIDs[u.PermissionProfileName],
		PermissionProfileName:      u.PermissionProfileName,
	}
	if detail {
		out.DefaultAccountID = u.AccountIDs[0]
		out.UserProfileLastModifiedDate = u.Modified.UTC().Format(layoutUS)
		out.UserSettings = &esignUserSettings{
			Locale:               "en",
			CanManageAccount:     boolString(u.IsAdmin, "true", "false"),
			CanSendEnvelope:      boolString(u.PermissionProfileName != ProfileViewer, "true", "false"),
			CanSendAPIRequests:   "true",
			APIAccountWideAccess: boolString(u.IsAdmin, "true", "false"),
			TimezoneOffset:       "tz_03_pacific",
			ModifiedDate:         u.Modified.UTC().Format(layoutUS),
		}
	}
	return out
}

// paging parses start_position and count the eSignature way: count is
// clamped to max, bad numbers are an INVALID_REQUEST_PARAMETER error.
func esignPaging(q url.Values, def, maxCount int) (start, count int, problem string) {
	start, count = 0, def
	if v := q.Get("start_position"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, "start_position=" + quote(v) + " must be a non-negative integer"
		}
		start = n
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, "count=" + quote(v) + " must be a positive integer"
		}
		count = min(n, maxCount)
	}
	return start, count, ""
}

// pageLink builds a next or previous page link: prefix (a path, or an
// absolute URL) with every query parameter of q kept and the paging
// parameters set (start_position and count for eSignature, start and take
// for Admin).
func pageLink(prefix string, q url.Values, startParam string, start int, sizeParam string, size int) string {
	v := make(url.Values, len(q)+2)
	for k, vals := range q {
		v[k] = vals
	}
	v.Set(startParam, strconv.Itoa(start))
	v.Set(sizeParam, strconv.Itoa(size))
	return prefix + "?" + v.Encode()
}

// newESignList describes a page of n records from start in a list of
// total, with relative nextUri/previousUri links under path.
func newESignList(path string, q url.Values, start, count, n, total int) esignList {
	l := esignList{
		ResultSetSize: strconv.Itoa(n),
		TotalSetSize:  strconv.Itoa(total),
		StartPosition: strconv.Itoa(start),
		EndPosition:   strconv.Itoa(start + n - 1),
	}
	if start+n < total {
		l.NextURI = pageLink(path, q, "start_position", start+n, "count", count)
	}
	if start > 0 {
		l.PreviousURI = pageLink(path, q, "start_position", max(0, start-count), "count", count)
	}
	return l
}

// handleESignUsers serves GET accounts/{accountId}/users.
func (s *Server) handleESignUsers(w http.ResponseWriter, r *http.Request, c *caller) {
	q := r.URL.Query()
	start, count, problem := esignPaging(q, ESignUsersDefaultCount, ESignUsersMaxCount)
	if problem != "" {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. "+problem)
		return
	}
	if q.Get("email") != "" && q.Get("email_substring") != "" {
		writeESignError(w, http.StatusBadRequest, "INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. Use email or email_substring, not both.")
		return
	}
	statuses := splitList(q.Get("status"))
	email := strings.ToLower(q.Get("email"))
	emailSub := strings.ToLower(q.Get("email_substring"))
	nameSub := strings.ToLower(q.Get("user_name_substring"))

	s.mu.Lock()
	var matched []*User
	for _, u := range s.users {
		if !u.memberOf(c.account.ID) ||
			(len(statuses) > 0 && !containsFold(statuses, u.Status)) ||
			(email != "" && strings.ToLower(u.Email) != email) ||
			(emailSub != "" && !strings.Contains(strings.ToLower(u.Email), emailSub)) ||
			(nameSub != "" && !strings.Contains(strings.ToLower(u.UserName), nameSub)) {
			continue
		}
		matched = append(matched, u)
	}
	total := len(matched)
	var page []esignUser
	for i := start; i < total && i < start+count; i++ {
		page = append(page, s.esignUserJSON(matched[i], c.account.Name, false))
	}
	s.mu.Unlock()

	resp := newESignList("/v2.1/accounts/"+c.account.ID+"/users", q, start, count, len(page), total)
	writeJSON(w, http.StatusOK, struct {
		Users []esignUser `json:"users,omitempty"`
		esignList
	}{page, resp})
}

// esignList is the paging part of eSignature list responses; counts are
// strings, as DocuSign sends them.
type esignList struct {
	ResultSetSize string `json:"resultSetSize"`
	TotalSetSize  string `json:"totalSetSize"`
	StartPosition string `json:"startPosition"`
	EndPosition   string `json:"endPosition"`
	NextURI       string `json:"nextUri,omitempty"`
	PreviousURI   string `json:"previousUri,omitempty"`
}

// handleESignUser serves GET accounts/{accountId}/users/{userId}.
func (s *Server) handleESignUser(w http.ResponseWriter, r *http.Request, c *caller) {
	s.mu.Lock()
	u := s.memberLocked(c.account.ID, r.PathValue("userId"))
	var out esignUser
	if u != nil {
		out = s.esignUserJSON(u, c.account.Name, true)
	}
	s.mu.Unlock()
	if u == nil {
		writeESignError(w, http.StatusNotFound, "USER_DOES_NOT_EXIST_IN_SYSTEM", "No user "+r.PathValue("userId")+" exists in account "+c.account.ID+".")
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// splitList splits a comma-separated query parameter.
func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func containsFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

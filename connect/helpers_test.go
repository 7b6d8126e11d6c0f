package connect

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
)

const (
	testKey    = "k3y-Current+Base64/Looking="
	testOldKey = "k3y-Previous+Base64/Looking="
	testEnv    = "4b3c2d1e-0f9a-4b8c-9d7e-6f5a4b3c2d1e"
)

// typicalMessage is a JSON SIM message shaped like a real envelope-level
// delivery with envelope summary and recipients, with DocuSign's numbers
// in text members.
func typicalMessage(event Event, retry int) []byte {
	return fmt.Appendf(nil, `{"event":%q,"apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/9e8d7c6b-5a49-4838-a726-15f4e3d2c1b0/envelopes/%s","retryCount":%d,"configurationId":10472953,"generatedDateTime":"2026-12-01T10:15:30.1234567Z","data":{"accountId":"9e8d7c6b-5a49-4838-a726-15f4e3d2c1b0","userId":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","envelopeId":%q,"recipientId":"1","envelopeSummary":{"status":"completed","emailSubject":"Please sign: MSA 2027","envelopeId":%q,"createdDateTime":"2026-12-01T10:01:02.003Z","sentDateTime":"2026-12-01T10:01:05.1Z","completedDateTime":"2026-12-01T10:15:29.9Z","statusChangedDateTime":"2026-12-01T10:15:29.9Z","sender":{"userName":"Ada Admin","userId":"0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","accountId":"9e8d7c6b-5a49-4838-a726-15f4e3d2c1b0","email":"ada@example.com"},"recipients":{"signers":[{"email":"grace@example.com","name":"Grace Signer","recipientId":"1","recipientIdGuid":"6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f","routingOrder":"1","status":"completed","signedDateTime":"2026-12-01T10:15:29.8Z","deliveredDateTime":"2026-12-01T10:10:00Z"},{"email":"linus@example.com","name":"Linus Signer","recipientId":"2","routingOrder":"2","status":"completed"}],"carbonCopies":[],"recipientCount":"2"},"envelopeLocation":"current_site","purgeState":"unpurged","is21CFRPart11":"false"}}}`,
		event, testEnv, retry, testEnv, testEnv)
}

// signedRequest is a POST of body carrying one X-DocuSign-Signature-N per
// key, as DocuSign sends with several active keys.
func signedRequest(body []byte, keys ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/connect", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set(DigestHeader, "HMACSHA256")
	for i, k := range keys {
		r.Header.Set(SignatureHeaderPrefix+strconv.Itoa(i+1), Sign(k, body))
	}
	return r
}

package client

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Sentinel errors matched by errors.Is against any *APIError, so callers
// test for a condition instead of comparing status codes.
var (
	// ErrNotFound matches a 404 response.
	ErrNotFound = errors.New("docusign: not found")
	// ErrUnauthorized matches a 401 response (missing, expired or revoked token).
	ErrUnauthorized = errors.New("docusign: unauthorized")
	// ErrForbidden matches a 403 response (the user lacks a permission or scope).
	ErrForbidden = errors.New("docusign: forbidden")
	// ErrThrottled matches a rate-limited response: a 429, or a 400 whose
	// error code is one of DocuSign's rate-limit codes.
	ErrThrottled = errors.New("docusign: throttled")
)

// DocuSign's response headers identifying a request for support.
const (
	headerTraceToken = "X-DocuSign-TraceToken"
	headerRequestID  = "X-Request-Id"
)

const (
	// maxErrorBody caps how much of an error response body (or of the
	// OAuth token answer) is read.
	maxErrorBody = 64 << 10
	// maxRawMessage caps an error body kept as the message when it has no
	// recognised shape.
	maxRawMessage = 512
)

// Reasons given when a body is not what the API or its content type claims.
const (
	reasonHTML      = "response body is HTML, expected JSON (a proxy or gateway answered?)"
	reasonXML       = "response body is XML, expected JSON"
	reasonEmpty     = "response body is empty, expected JSON"
	reasonTruncated = "response body is truncated JSON (the connection or server cut it short?)"
	reasonInvalid   = "response body is not valid JSON"
	reasonShape     = "response JSON does not have the expected shape"
	reasonRead      = "reading the response body failed (the connection ended early?)"
)

// APIError is a non-2xx response from any DocuSign API (eSignature, Admin,
// Monitor, OAuth). Every typed call returns it (wrapped in *url.Error by
// http.Client, which unwraps) so callers use errors.As / errors.Is rather
// than status codes. It never holds request headers or credentials.
type APIError struct {
	// StatusCode is the HTTP status, e.g. 404.
	StatusCode int
	// Method is the request method.
	Method string
	// URL is the request URL with credentials and secret-looking query
	// values redacted.
	URL string
	// Code is the API's error code: eSignature errorCode (e.g.
	// "USER_LACKS_PERMISSIONS"), or Admin/OAuth error (e.g.
	// "consent_required"). Empty when the body had none.
	Code string
	// Message is the API's explanation: eSignature message or Admin/OAuth
	// error_description; for a body of unknown shape, its start (up to 512
	// bytes); for a body that is not the JSON it should be, what was wrong.
	Message string
	// TraceToken is the X-DocuSign-TraceToken header, which DocuSign support
	// asks for.
	TraceToken string
	// RequestID is the X-Request-Id header, when present.
	RequestID string
	// Rate is the rate-limit state reported with the response.
	Rate Rate
	// RetryAfter is the wait the server asked for (Retry-After), when given.
	RetryAfter time.Duration
	// Body is the raw response body, up to 64 KiB, for diagnosis.
	Body []byte

	decodeErr *DecodeError // set when the body was not the JSON it claimed
}

// Error describes the failure in one line: method, path, status, code,
// message and trace token.
func (e *APIError) Error() string {
	var b strings.Builder
	writeRequestPrefix(&b, e.Method, e.URL)
	b.WriteString(strconv.Itoa(e.StatusCode))
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteByte(' ')
		b.WriteString(t)
	}
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Throttled() && !e.Rate.IsZero() {
		b.WriteString(" [")
		b.WriteString(e.Rate.String())
		b.WriteByte(']')
	}
	if e.TraceToken != "" {
		b.WriteString(" (trace token ")
		b.WriteString(e.TraceToken)
		b.WriteByte(')')
	}
	return b.String()
}

// Is matches the sentinels ErrNotFound, ErrUnauthorized, ErrForbidden,
// ErrThrottled and ErrConsentRequired by status and error code.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized
	case ErrForbidden:
		return e.StatusCode == http.StatusForbidden
	case ErrThrottled:
		return e.Throttled()
	case ErrConsentRequired:
		return e.Code == codeConsentRequired
	}
	return false
}

// Unwrap returns the *DecodeError when the error body was not the JSON the
// API promises (HTML from a proxy, truncated JSON), and nil otherwise.
func (e *APIError) Unwrap() error {
	if e.decodeErr == nil {
		return nil
	}
	return e.decodeErr
}

// Throttled reports whether DocuSign rejected the call for exceeding a rate
// limit (the same rule the retry layer uses).
func (e *APIError) Throttled() bool { return isThrottled(e.StatusCode, e.Code) }

// Temporary reports whether the failure is worth retrying later: throttling
// or a 502/503/504 from DocuSign or a gateway in front of it.
func (e *APIError) Temporary() bool {
	return e.Throttled() || isTransientStatus(e.StatusCode)
}

// DecodeError reports a response body that is not what the API or its
// Content-Type promised: HTML from a proxy, truncated or malformed JSON, an
// empty body. It carries no body content, which could hold secrets.
type DecodeError struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// Method is the request method, when known.
	Method string
	// URL is the redacted request URL, when known.
	URL string
	// ContentType is the response's Content-Type header.
	ContentType string
	// Reason says what was wrong, e.g. "response body is HTML, expected JSON
	// (a proxy or gateway answered?)".
	Reason string
	// Err is the underlying read or JSON error, if any.
	Err error
}

// Error names the request, the status and what was wrong with the body.
func (e *DecodeError) Error() string {
	var b strings.Builder
	writeRequestPrefix(&b, e.Method, e.URL)
	if e.StatusCode != 0 {
		b.WriteString(strconv.Itoa(e.StatusCode))
		b.WriteString(" response: ")
	}
	b.WriteString(e.Reason)
	if e.ContentType != "" {
		b.WriteString(" (Content-Type ")
		b.WriteString(e.ContentType)
		b.WriteByte(')')
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying read or JSON error.
func (e *DecodeError) Unwrap() error { return e.Err }

// DecodeJSON reads resp's body, closes it, and decodes it as JSON into v.
// A body larger than DefaultMaxJSONBody is refused with a *DecodeError
// matching ErrBodyTooLarge, unless the Client already read it within its
// own limit (WithMaxJSONBody).
func DecodeJSON(resp *http.Response, v any) error {
	if resp == nil || resp.Body == nil {
		return &DecodeError{Reason: reasonEmpty}
	}
	defer resp.Body.Close()
	var data []byte
	var err error
	if bb, ok := resp.Body.(*bufferedBody); ok {
		data, err = io.ReadAll(bb)
	} else {
		data, err = io.ReadAll(io.LimitReader(resp.Body, DefaultMaxJSONBody+1))
		if len(data) > DefaultMaxJSONBody {
			de := newDecodeError(resp, "response body exceeds the "+sizeText(DefaultMaxJSONBody)+" limit for JSON")
			de.Err = ErrBodyTooLarge
			return de
		}
	}
	if err != nil {
		de := newDecodeError(resp, reasonRead)
		de.Err = err
		return de
	}
	return DecodeJSONBytes(resp, data, v)
}

// DecodeJSONBytes decodes an already-read body as JSON into v, for callers
// (such as the generated clients' *WithResponses methods) that hold the body
// as bytes. resp supplies the status, Content-Type and request for the error
// and may be nil.
func DecodeJSONBytes(resp *http.Response, data []byte, v any) error {
	var contentType string
	if resp != nil {
		contentType = resp.Header.Get("Content-Type")
	}
	if reason := notJSONReason(contentType, data); reason != "" {
		return newDecodeError(resp, reason)
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	de := newDecodeError(resp, cmp.Or(bodyErrorReason(contentType, data, err), reasonInvalid))
	de.Err = err
	return de
}

// newDecodeError fills a DecodeError's context from resp (which may be nil).
func newDecodeError(resp *http.Response, reason string) *DecodeError {
	de := &DecodeError{Reason: reason}
	if resp == nil {
		return de
	}
	de.StatusCode = resp.StatusCode
	de.ContentType = resp.Header.Get("Content-Type")
	if req := resp.Request; req != nil {
		de.Method = req.Method
		de.URL = redactURL(req.URL)
	}
	return de
}

// notJSONReason says why a body cannot be JSON, judging by its content type
// and first bytes, or returns "" when it may be.
func notJSONReason(contentType string, data []byte) string {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trimmed) == 0 {
		return reasonEmpty
	}
	media := mediaType(contentType)
	if trimmed[0] == '<' || strings.Contains(media, "html") {
		if strings.Contains(media, "xml") && !strings.Contains(media, "html") {
			return reasonXML
		}
		if bytes.HasPrefix(trimmed, []byte("<?xml")) && !bytes.Contains(bytes.ToLower(trimmed[:min(len(trimmed), 512)]), []byte("<html")) {
			return reasonXML
		}
		return reasonHTML
	}
	return ""
}

// bodyErrorReason says what is wrong with a body that failed to decode
// with err: not JSON at all (judged by its content type and first bytes),
// or what jsonErrorReason finds; "" when err is not about the body.
func bodyErrorReason(contentType string, body []byte, err error) string {
	if reason := notJSONReason(contentType, body); reason != "" {
		return reason
	}
	return jsonErrorReason(err)
}

// jsonErrorReason classifies an error from decoding JSON (encoding/json's
// or the library's own scanner's): truncated, invalid, or of the wrong
// shape; "" when err is about something else (a read, a context, a record
// decoder's own complaint).
func jsonErrorReason(err error) string {
	var se *JSONSyntaxError
	var je *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		if se.Truncated {
			return reasonTruncated
		}
		return reasonInvalid
	case errors.As(err, &je):
		// encoding/json reports input that stops mid-value this way.
		if strings.Contains(je.Error(), "unexpected end of JSON input") {
			return reasonTruncated
		}
		return reasonInvalid
	case errors.Is(err, io.ErrUnexpectedEOF):
		return reasonTruncated
	case errors.As(err, &te), errors.Is(err, errPageNotObject), errors.Is(err, errPageShape):
		return reasonShape
	}
	return ""
}

// isTruncatedBody reports a body that ended early: a transport fault worth
// fetching the page again for.
func isTruncatedBody(err error) bool { return jsonErrorReason(err) == reasonTruncated }

// mediaType returns the lower-case media type of a Content-Type value.
func mediaType(contentType string) string {
	if contentType == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt, _, _ = strings.Cut(contentType, ";")
	}
	return strings.ToLower(strings.TrimSpace(mt))
}

// isErrorStatus reports whether a response ends the call as an *APIError:
// every 4xx/5xx, and 3xx responses http.Client cannot follow (no Location),
// except 304 which answers a conditional request.
func isErrorStatus(resp *http.Response) bool {
	switch {
	case resp.StatusCode >= 400:
		return true
	case resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotModified:
		return resp.Header.Get("Location") == ""
	}
	return false
}

// errorTransport is the outermost library layer: it turns a final error
// response into an *APIError return and a 2xx HTML page (a proxy's login or
// error page on a JSON API) into a *DecodeError, so no caller ever has to
// inspect status codes.
type errorTransport struct {
	next http.RoundTripper
}

// keepErrorResponsesKey marks a request whose error responses the caller
// handles itself (see keepErrorResponses).
type keepErrorResponsesKey struct{}

// keepErrorResponses returns a context under which the errors layer hands
// non-2xx responses back unchanged, for in-package code that builds a more
// specific error from the response (the OAuth endpoints' *AuthError).
func keepErrorResponses(ctx context.Context) context.Context {
	return context.WithValue(ctx, keepErrorResponsesKey{}, true)
}

// RoundTrip implements http.RoundTripper.
func (t *errorTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, err
	}
	if isErrorStatus(resp) && req.Context().Value(keepErrorResponsesKey{}) == nil {
		return nil, newAPIError(req, resp)
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 && unexpectedHTML(req, resp) {
		de := newDecodeError(resp, reasonHTML)
		de.Method, de.URL = req.Method, redactURL(req.URL)
		discardBody(resp)
		return nil, de
	}
	return resp, nil
}

// unexpectedHTML reports a successful response carrying an HTML page to a
// request that did not ask for HTML: DocuSign's APIs answer JSON (or files),
// so such a page comes from something in between.
func unexpectedHTML(req *http.Request, resp *http.Response) bool {
	if !strings.Contains(mediaType(resp.Header.Get("Content-Type")), "html") {
		return false
	}
	return !strings.Contains(strings.ToLower(req.Header.Get("Accept")), "html")
}

// newAPIError reads up to maxErrorBody of resp's body, closes it, and
// builds the *APIError for req.
func newAPIError(req *http.Request, resp *http.Response) *APIError {
	body, readErr := readCapped(resp.Body, maxErrorBody)
	discardBody(resp)
	e := &APIError{
		StatusCode: resp.StatusCode,
		Method:     req.Method,
		URL:        redactURL(req.URL),
		TraceToken: resp.Header.Get(headerTraceToken),
		RequestID:  resp.Header.Get(headerRequestID),
		Rate:       rateFromHeader(resp.Header, time.Now()),
		Body:       body,
	}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
		e.RetryAfter = d
	}
	contentType := resp.Header.Get("Content-Type")
	e.Code, e.Message, e.decodeErr = parseErrorBody(contentType, body)
	if readErr != nil && e.Code == "" {
		de := &DecodeError{Reason: reasonRead, Err: readErr}
		e.decodeErr, e.Message = de, reasonRead
	}
	if e.decodeErr != nil {
		e.decodeErr.StatusCode, e.decodeErr.Method, e.decodeErr.URL = e.StatusCode, e.Method, e.URL
		e.decodeErr.ContentType = contentType
	}
	return e
}

// readCapped reads at most n bytes of r.
func readCapped(r io.Reader, n int64) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	return io.ReadAll(io.LimitReader(r, n))
}

// parseErrorBody extracts the error code and message from any of
// DocuSign's error body shapes: eSignature {"errorCode","message"}, Admin
// and OAuth {"error","error_description"} and their variants. A body of
// unknown shape becomes the message, truncated; a body that claims or should
// be JSON but is not gives a DecodeError saying what it is.
func parseErrorBody(contentType string, body []byte) (code, message string, de *DecodeError) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return "", "", nil
	}
	media := mediaType(contentType)
	if reason := notJSONReason(contentType, trimmed); reason == reasonHTML || reason == reasonXML {
		msg := reason
		if reason == reasonHTML {
			if summary := htmlSummary(trimmed); summary != "" {
				msg += ": " + strconv.Quote(summary)
			}
		}
		return "", msg, &DecodeError{Reason: reason}
	}
	isJSON := strings.Contains(media, "json") || trimmed[0] == '{'
	if !isJSON {
		return "", truncateText(trimmed, maxRawMessage), nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &fields); err != nil {
		reason := cmp.Or(jsonErrorReason(err), reasonInvalid)
		return "", reason, &DecodeError{Reason: reason, Err: err}
	}
	code = firstString(fields, "errorCode", "ErrorCode", "error_code", "code")
	message = firstString(fields, "message", "error_description", "errorDescription", "ErrorDescription", "errorMessage", "error_message")
	if raw, ok := fields["error"]; ok {
		var s string
		var nested map[string]json.RawMessage
		switch {
		case json.Unmarshal(raw, &s) == nil:
			if code == "" {
				code = s
			}
		case json.Unmarshal(raw, &nested) == nil:
			if code == "" {
				code = firstString(nested, "code", "errorCode", "error")
			}
			if message == "" {
				message = firstString(nested, "message", "description", "error_description")
			}
		}
	}
	if code == "" && message == "" {
		message = truncateText(trimmed, maxRawMessage)
	}
	return code, message, nil
}

// firstString returns the first of keys whose value is a non-empty JSON string.
func firstString(fields map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		raw, ok := fields[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

// htmlSummary names an HTML page for a message: its <title>, or else the
// start of its text without markup.
func htmlSummary(page []byte) string {
	if title := htmlTitle(page); title != "" {
		return title
	}
	var text []byte
	inTag := false
	for _, c := range page {
		switch {
		case c == '<':
			inTag = true
			text = append(text, ' ')
		case c == '>':
			inTag = false
		case !inTag:
			text = append(text, c)
		}
		if len(text) > 1024 {
			break
		}
	}
	return truncateText([]byte(strings.Join(strings.Fields(string(text)), " ")), 120)
}

// htmlTitle returns the text of an HTML page's <title>, if short and present.
func htmlTitle(page []byte) string {
	lower := bytes.ToLower(page)
	start := bytes.Index(lower, []byte("<title"))
	if start < 0 {
		return ""
	}
	gt := bytes.IndexByte(lower[start:], '>')
	if gt < 0 {
		return ""
	}
	start += gt + 1
	end := bytes.Index(lower[start:], []byte("</title"))
	if end < 0 {
		return ""
	}
	return truncateText(bytes.TrimSpace(page[start:start+end]), 120)
}

// truncateText makes b printable (control characters become spaces,
// invalid UTF-8 is replaced) and cuts it to at most n bytes at a rune
// boundary, marking the cut with "...".
func truncateText(b []byte, n int) string {
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// sensitiveQueryKeys are query parameters whose values are redacted from
// URLs in errors and logs.
var sensitiveQueryKeys = map[string]bool{
	"access_token": true, "refresh_token": true, "id_token": true, "token": true,
	"assertion": true, "client_secret": true, "password": true, "code": true,
	"code_verifier": true, "api_key": true, "apikey": true, "key": true,
	"secret": true, "signature": true, "sig": true,
}

// redactURL renders u for errors and logs: a password in the user info and
// the values of secret-looking query parameters become "xxxxx"; the rest of
// the query is kept because it identifies the call.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.RawQuery != "" {
		if q, err := url.ParseQuery(c.RawQuery); err != nil {
			c.RawQuery = "(unparsable query redacted)"
		} else {
			changed := false
			for k, vs := range q {
				if sensitiveQueryKeys[strings.ToLower(k)] {
					for i := range vs {
						vs[i] = "xxxxx"
					}
					changed = true
				}
			}
			if changed {
				c.RawQuery = q.Encode()
			}
		}
	}
	return c.Redacted()
}

// writeRequestPrefix starts an error message naming the request:
// "docusign: GET /path: " (method and path when known).
func writeRequestPrefix(b *strings.Builder, method, rawURL string) {
	b.WriteString("docusign: ")
	if method != "" {
		b.WriteString(method)
		b.WriteByte(' ')
	}
	if p := pathOf(rawURL); p != "" {
		b.WriteString(p)
		b.WriteString(": ")
	}
}

// pathOf returns the path of a URL string, for short error messages.
func pathOf(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	if u.Path == "" {
		return "/"
	}
	return u.EscapedPath()
}

// discardBody drains a little of a response body, so the connection can be
// reused, and closes it.
func discardBody(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.CopyN(io.Discard, resp.Body, 256<<10)
	_ = resp.Body.Close()
}

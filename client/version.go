package client

// Version is the library's semantic version. It is sent in the User-Agent
// header so DocuSign support can tell which client made a call.
const Version = "0.1.0"

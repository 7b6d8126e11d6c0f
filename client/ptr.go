package client

// Ptr returns a pointer to a copy of v. The generated models mark optional
// fields as pointers (so that "absent" and "empty" differ on the wire); Ptr
// fills them inline:
//
//	models.EnvelopeDefinition{EmailSubject: client.Ptr("Please sign"), Status: client.Ptr("sent")}
func Ptr[T any](v T) *T { return &v }

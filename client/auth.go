package client

// authConfig holds the authentication settings (owned by the auth work).
type authConfig struct{}

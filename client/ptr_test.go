package client

import "testing"

func TestPtrPointsToACopy(t *testing.T) {
	v := "sent"
	p := Ptr(v)
	v = "draft"
	if *p != "sent" {
		t.Fatalf("*Ptr = %q, want the value at the call", *p)
	}
	if Ptr(3) == Ptr(3) {
		t.Fatal("two calls share a pointer")
	}
	if b := Ptr(true); !*b {
		t.Fatal("Ptr(true) is false")
	}
}

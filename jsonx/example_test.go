package jsonx_test

import (
	"encoding/json"
	"fmt"

	"github.com/dsgo/docusign/gen/esignature/models"
)

// A recipients response with numbers where the specification says
// strings, and members it does not list: the typed fields take the
// numbers' text, and the unknown members survive a round trip.
func ExampleExtra() {
	body := []byte(`{"signers":[{"recipientId":1,"routingOrder":"1","name":"Ann",
		"tabs":{"signHereTabs":[{"scaleValue":1.0}],"futureTabs":[{"tabLabel":"Salary"}]}}],
		"recipientCount":"1"}`)
	var r models.Recipients
	if err := json.Unmarshal(body, &r); err != nil {
		panic(err)
	}
	s := r.Signers[0]
	fmt.Println(*s.RecipientID, *s.Tabs.SignHereTabs[0].ScaleValue)
	future, _ := s.Tabs.Extra.Get("futureTabs")
	fmt.Println(string(future))

	s.Tabs.Extra.Delete("futureTabs")
	_ = s.Extra.Set("deliveryMethod", json.RawMessage(`"email"`))
	out, _ := json.Marshal(s)
	fmt.Println(string(out))
	// Output:
	// 1 1.0
	// [{"tabLabel":"Salary"}]
	// {"name":"Ann","recipientId":"1","routingOrder":"1","tabs":{"signHereTabs":[{"scaleValue":"1.0"}]},"deliveryMethod":"email"}
}

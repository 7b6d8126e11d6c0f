// Package jsonx is the JSON codec behind every generated DocuSign model in
// gen/: the generated UnmarshalJSON and MarshalJSON methods delegate to
// Unmarshal and Marshal here, so json.Unmarshal, json.Marshal and the
// generated clients all behave the same way.
//
// What a model accepts, beyond what encoding/json accepts:
//
//   - A string field takes a JSON string, number or boolean and keeps its
//     exact text: 1 becomes "1", 1.0 becomes "1.0", true becomes "true".
//   - A boolean field takes true/false, the strings "true"/"false" (any
//     case), "1"/"0", and the numbers 1 and 0.
//   - A number field takes a JSON number or a string holding one; an
//     integer field takes an integral number written as 2.0 or 2e1.
//   - A date-time field takes RFC 3339 text, times without a zone
//     (2024-05-01T10:00:00 or with a fraction), which are read as UTC,
//     offsets written +hhmm, and a space in place of the T.
//   - Member names match exactly first, then case-insensitively, as
//     encoding/json does.
//
// Nothing is dropped: a member the type does not model, and a member whose
// value does not fit its field (an object where a string is expected, "abc"
// for a number), is kept verbatim in the model's Extra field, with the
// field left as it was. So is a member the field would not write back
// (null, [], or a zero value under omitempty), so that it survives a round
// trip. Marshal writes the modelled members and then the Extra members, so
// a GET -> modify -> PUT round trip keeps data the pinned specification
// does not describe. A field holding a non-zero value wins over an Extra
// member of the same name; a zero field gives way to it.
//
// Known limits: a member that came with another spelling ("RoutingOrder")
// is written back with the model's spelling; a zone-less date-time comes
// back with "Z"; a modelled member sent twice keeps its last value.
// Structs without an Extra field (not generated models) are decoded with
// the same leniency and drop what they cannot hold, as encoding/json does.
//
// Reading unknown members:
//
//	var env models.Envelope
//	_ = json.Unmarshal(body, &env)
//	if v, ok := env.Extra.Get("uSigState"); ok {
//		fmt.Println(string(v))
//	}
//	for name, value := range env.Extra.All() {
//		fmt.Println(name, string(value))
//	}
package jsonx

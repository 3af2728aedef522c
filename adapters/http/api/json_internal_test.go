package api

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDuplicateMember(t *testing.T) {
	for body, want := range map[string]string{
		`{"a":1,"b":2}`:                       "",
		`{"a":1,"a":2}`:                       "a",
		`{"a":{"a":1},"b":[{"a":1},{"a":2}]}`: "", // one name per object
		`{"a":{"x":1,"x":2}}`:                 "x",
		`{"a":[{"y":1,"y":2}]}`:               "y",
		`{"a":"b","b":"a"}`:                   "", // values are not names
		`{"a":[],"b":{},"A":null}`:            "A",
		`[1,"a","a"]`:                         "",
	} {
		assert.Equal(t, want, duplicateMember([]byte(body)), body)
	}
}

// An invoice settled by a payment known only from the legacy URL mode's
// unauthenticated callback is not money received: the API says it awaits
// confirmation, and does not list the payment until it is confirmed.

package server

import "testing"

func TestBatchLen(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		want       int
	}{
		{"empty", `[]`, 0},
		{"spaces", " [ \n ] ", 0},
		{"one", `[{"id":"a"}]`, 1},
		{"nested commas", `[{"a":[1,2],"b":{"c":1,"d":2}},{"e":3}]`, 2},
		{"commas and brackets in strings", `[{"a":"x,]}"},{"b":"\"],"}]`, 2},
		{"escaped backslash before a quote", `["a\\", "b"]`, 2},
		{"scalars", ` [ 1 , "two" , null ]`, 3},
	} {
		if got := batchLen([]byte(tc.body)); got != tc.want {
			t.Errorf("%s: batchLen(%s) = %d, want %d", tc.name, tc.body, got, tc.want)
		}
	}
}

package batch

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// keyOrder orders rows by key: numbers numerically (not as text), text by
// bytes, composite keys column by column, NULL first; rows already in
// order need no permutation.
func TestKeyOrder(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		nk   int
		keys []any
		want []int // nil: already in order
	}{
		{"ints in order", 1, []any{1, 2, 10}, nil},
		{"ints", 1, []any{int64(10), int32(2), uint8(1), int64(-5)}, []int{3, 2, 1, 0}},
		{"uint above int64", 1, []any{uint64(1 << 63), int64(7)}, []int{1, 0}},
		{"text by bytes", 1, []any{"b", "B", "a", "ab"}, []int{1, 2, 3, 0}},
		{"numbers not as text", 1, []any{2.5, int64(3), 10.0, int64(-1)}, []int{3, 0, 1, 2}},
		{"composite", 2, []any{"t", int64(2), "s", int64(9), "t", int64(1)}, []int{1, 2, 0}},
		{"NULL first", 1, []any{"x", nil}, []int{1, 0}},
		{"times", 1, []any{t0.Add(time.Hour), t0}, []int{1, 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := len(c.keys) / c.nk
			rows := identity(n) // row i holds its own position
			in := &input{all: reflect.ValueOf(rows), n: n}
			got := keyOrder(c.keys, c.nk)
			if fmt.Sprint(got) != fmt.Sprint(c.want) {
				t.Fatalf("keyOrder = %v, want %v", got, c.want)
			}
			if got == nil {
				return
			}
			p := in.permute(got)
			for j, i := range got {
				if r := p.row(j).Int(); r != int64(i) {
					t.Errorf("permuted row %d = input row %d, want %d", j, r, i)
				}
			}
			// A permuted input permuted again composes both orders.
			twice := p.permute(identity(n))
			for j, i := range got {
				if r := twice.row(j).Int(); r != int64(i) {
					t.Errorf("twice permuted row %d = input row %d, want %d", j, r, i)
				}
			}
		})
	}
}

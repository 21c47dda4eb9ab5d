package batch

import (
	"slices"
	"testing"
)

// keyPieces splits keys into runs of at most limit bytes of JSON text
// (a run holds at least one key), covering every key once, in order.
func TestKeyPieces(t *testing.T) {
	keys := []any{"aaaa", "b\"b", "cc", "dddddd", "e", []byte{1, 2}, int64(7)}
	// JSON sizes + 4 per row: 11, 11, 9, 13, 8, 11, 36.
	for _, tc := range []struct {
		limit int
		want  [][2]int
	}{
		{1000, [][2]int{{0, 7}}},
		{21, [][2]int{{0, 1}, {1, 3}, {3, 5}, {5, 6}, {6, 7}}},
		{1, [][2]int{{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}, {5, 6}, {6, 7}}},
	} {
		if got := keyPieces(keys, 1, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("keyPieces(limit %d) = %v, want %v", tc.limit, got, tc.want)
		}
	}
	if got := keyPieces([]any{"a", int64(1), "b", int64(2)}, 2, 1000); !slices.Equal(got, [][2]int{{0, 2}}) {
		t.Errorf("composite keys: %v", got)
	}
}

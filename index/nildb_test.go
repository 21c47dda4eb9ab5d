package index_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/index"
)

// Ensure, Diff, Covers and Advise refuse a nil db with ErrNilDB.
func TestNilDB(t *testing.T) {
	ctx := context.Background()
	type item struct{ ID int64 }
	tests := []struct {
		name string
		call func() error
	}{
		{"Ensure", func() error { _, err := index.Ensure(ctx, nil, []any{&item{}}); return err }},
		{"Diff", func() error { _, err := index.Diff(ctx, nil, []any{&item{}}); return err }},
		{"Covers", func() error { _, err := index.Covers(ctx, nil, &item{}, "id"); return err }},
		{"Advise", func() error { _, err := index.Advise(ctx, nil, &item{}, "id"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, index.ErrNilDB) {
				t.Fatalf("got %v, want ErrNilDB", err)
			}
		})
	}
}

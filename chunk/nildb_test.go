package chunk_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/chunk"
	"gorm.io/gorm"
)

// Run and Ranges refuse a nil db with ErrNilDB, before looking at their
// other arguments.
func TestNilDB(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"Run", func() error {
			_, err := chunk.Run(ctx, nil, func(*gorm.DB, []runItem) error { return nil })
			return err
		}},
		{"Run with nil work", func() error { _, err := chunk.Run[runItem](ctx, nil, nil); return err }},
		{"Ranges", func() error { _, err := chunk.Ranges(ctx, nil, bumpRows); return err }},
		{"Ranges with nil work", func() error { _, err := chunk.Ranges(ctx, nil, nil); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, chunk.ErrNilDB) {
				t.Fatalf("got %v, want ErrNilDB", err)
			}
		})
	}
}

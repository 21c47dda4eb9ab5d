package projection_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/projection"
)

// Every function refuses a nil db with ErrNilDB.
func TestNilDB(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		call func() error
	}{
		{"Find", func() error { _, err := projection.Find[accountBrief](ctx, nil); return err }},
		{"First", func() error { _, err := projection.First[accountBrief](ctx, nil); return err }},
		{"Each", func() error {
			for _, err := range projection.Each[accountBrief](ctx, nil) {
				return err
			}
			return nil
		}},
		{"Pluck", func() error { _, err := projection.Pluck[string](ctx, nil, "email"); return err }},
		{"Columns", func() error { _, err := projection.Columns[accountBrief](nil); return err }},
		{"Apply", func() error { _, err := projection.Apply[accountBrief](nil); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, projection.ErrNilDB) {
				t.Fatalf("got %v, want ErrNilDB", err)
			}
		})
	}
}

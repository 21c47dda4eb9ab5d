package batch_test

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
)

// Every entry point refuses a nil db with ErrNilDB, before looking at its
// other arguments.
func TestNilDB(t *testing.T) {
	ctx := context.Background()
	values := map[string]any{"status": "x"}
	tests := []struct {
		name string
		call func() error
	}{
		{"Update", func() error { _, err := batch.Update(ctx, nil, values); return err }},
		{"UpdateKeys", func() error { _, err := batch.UpdateKeys(ctx, nil, []int64{1}, values); return err }},
		{"UpdateRows", func() error {
			_, err := batch.UpdateRows(ctx, nil, []updAccount{{ID: 1}}, []string{"status"})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); !errors.Is(err, batch.ErrNilDB) {
				t.Fatalf("got %v, want ErrNilDB", err)
			}
		})
	}
}

// A negative Attempts is refused before anything runs.
func TestAttemptsNegative(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	dbtest.Migrate(t, db, &updAccount{})
	_, err := batch.UpdateKeys(context.Background(), db.Model(&updAccount{}), []int64{1}, map[string]any{"status": "x"}, batch.Attempts(-1))
	if !errors.Is(err, batch.ErrBadOption) {
		t.Fatalf("got %v, want ErrBadOption", err)
	}
}

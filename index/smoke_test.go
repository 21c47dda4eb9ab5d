package index_test

import (
	"context"
	"testing"

	"github.com/gormup/gormup/index"
	"github.com/gormup/gormup/internal/dbtest"
)

func TestSmoke(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		bare(t, db)
		ctx := context.Background()
		r, err := index.Ensure(ctx, db.DB, &account{})
		t.Logf("%v %v", r, err)
		cdb, rec := dbtest.Capture(db.DB)
		r, err = index.Ensure(ctx, cdb, &account{})
		t.Logf("%v %v %q", r, err, rec.Statements())
	})
}

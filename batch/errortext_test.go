package batch_test

import (
	"context"
	"testing"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
)

// TestErrorTextSaysHowToAllow pins the text of refusals a user reads: it
// says what was refused and the explicit way to allow it, and never names an
// internal package.
func TestErrorTextSaysHowToAllow(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	dbtest.Migrate(t, db, &gAccount{})
	ctx := context.Background()
	set := map[string]any{"balance": 1}
	_, errUnbounded := batch.Update(ctx, db.Model(&gAccount{}), set)
	_, errKeys := batch.UpdateKeys(ctx, db.Model(&gAccount{}), []int64{1}, set, batch.Attempts(-1))
	_, errRows := batch.UpdateRows(ctx, db.DB, []gAccount{{ID: 1}}, []string{"balance"}, batch.Size(-2))
	for _, tt := range []struct {
		err  error
		want string
	}{
		{errUnbounded, "batch: refusing to update every row: no WHERE condition on table g_accounts; to write every row it matches on purpose, pass batch.AllowAll()"},
		{errKeys, "batch: invalid option: Attempts is negative; 0 means the default"},
		{errRows, "batch: invalid option: Size is negative; 0 means the default"},
	} {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("got %v\nwant %s", tt.err, tt.want)
		}
	}
}

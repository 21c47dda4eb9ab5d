package batch

import (
	"context"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

type caseRow struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Name    string
	Score   int64
	Version int64
}

type casePair struct {
	A    int64  `gorm:"primaryKey;autoIncrement:false"`
	B    string `gorm:"primaryKey"`
	Note string
}

// SQLite before 3.33 has no UPDATE … FROM: the CASE WHEN fallback must write
// the same values. Its SQL is pinned and run on a live SQLite database.
func TestCaseStrategy(t *testing.T) {
	db := dbtest.Open(t, dbtest.SQLite)
	dbtest.Migrate(t, db, &caseRow{}, &casePair{})
	dbtest.Seed(t, db.DB, []caseRow{{ID: 1, Name: "a", Version: 1}, {ID: 2, Name: "b", Version: 1}, {ID: 3, Name: "c", Version: 5}})
	dbtest.Seed(t, db.DB, []casePair{{A: 1, B: "x"}, {A: 1, B: "y"}})
	ctx := context.Background()

	build := func(t *testing.T, rows any, cols []string, opts ...RowsOption) (*rowWriter, [][]any) {
		t.Helper()
		cfg, err := newConfig(opts, RowsOption.applyRows)
		if err != nil {
			t.Fatal(err)
		}
		var w *rowWriter
		var data [][]any
		switch r := rows.(type) {
		case []caseRow:
			var in *input
			if w, err = newRowWriter[caseRow](ctx, db.DB, cols, cfg); err == nil {
				if in, err = extractRows(ctx, w, r); err == nil {
					data = w.fill(in, 0, len(r))
				}
			}
		case []casePair:
			var in *input
			if w, err = newRowWriter[casePair](ctx, db.DB, cols, cfg); err == nil {
				if in, err = extractRows(ctx, w, r); err == nil {
					data = w.fill(in, 0, len(r))
				}
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		w.stmt.strategy = dialect.BulkCase
		return w, data
	}
	run := func(t *testing.T, w *rowWriter, data [][]any, wantSQL string, wantRows int64) {
		t.Helper()
		q, args, err := w.stmt.buildInto(&chunkBuf{}, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		if q != wantSQL {
			t.Fatalf("SQL:\n got %s\nwant %s", q, wantSQL)
		}
		res := db.Session(&gorm.Session{NewDB: true}).Exec(q, args...)
		if res.Error != nil || res.RowsAffected != wantRows {
			t.Fatalf("Exec = %d rows, %v; want %d", res.RowsAffected, res.Error, wantRows)
		}
	}

	w, data := build(t, []caseRow{{ID: 1, Name: "A", Score: 10}, {ID: 3, Name: "C", Score: 30}, {ID: 9, Name: "Z"}}, []string{"name", "score"})
	run(t, w, data, "UPDATE `case_rows` SET `name` = CASE WHEN `id` = ? THEN ? WHEN `id` = ? THEN ? WHEN `id` = ? THEN ? ELSE `name` END, "+
		"`score` = CASE WHEN `id` = ? THEN ? WHEN `id` = ? THEN ? WHEN `id` = ? THEN ? ELSE `score` END WHERE `id` IN ( ?, ?, ?)", 2)

	w, data = build(t, []caseRow{{ID: 2, Name: "B", Version: 1}, {ID: 3, Name: "stale", Version: 1}}, []string{"name"}, CheckVersion("version"))
	run(t, w, data, "UPDATE `case_rows` SET `name` = CASE WHEN `id` = ? THEN ? WHEN `id` = ? THEN ? ELSE `name` END, "+
		"`version` = COALESCE(`version`, 0) + 1 WHERE (`id` = ? AND `version` IS ?) OR (`id` = ? AND `version` IS ?)", 1)

	w, data = build(t, []casePair{{A: 1, B: "y", Note: "n"}}, []string{"note"})
	run(t, w, data, "UPDATE `case_pairs` SET `note` = CASE WHEN (`a` = ? AND `b` = ?) THEN ? ELSE `note` END WHERE (`a` = ? AND `b` = ?)", 1)

	var got []caseRow
	if err := db.Order("id").Find(&got).Error; err != nil {
		t.Fatal(err)
	}
	want := []caseRow{{1, "A", 10, 1}, {2, "B", 0, 2}, {3, "C", 30, 5}}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	var note string
	db.Model(&casePair{}).Where("a = 1 AND b = 'y'").Pluck("note", &note)
	if note != "n" {
		t.Errorf("composite row note = %q, want n", note)
	}
}

package updater

import (
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/internal/model"
	"github.com/gormup/gormup/lock"
	"gorm.io/gorm"
)

type shapeRow struct {
	ID      int64 `gorm:"primaryKey"`
	N       int64
	Version int64 `gormup:"version"`
}

// TestSQLShape checks the statements Update builds, per dialect, without a
// server: the locking read (SQL Server's table hint, SQLite's plain read
// after its write-lock statement) and the optimistic UPDATE.
func TestSQLShape(t *testing.T) {
	tests := []struct {
		dialect, read, readNoWait, write string
	}{
		{dbtest.Postgres,
			`SELECT * FROM "shape_rows" WHERE id = $1 LIMIT $2 FOR UPDATE`,
			`SELECT * FROM "shape_rows" WHERE id = $1 LIMIT $2 FOR UPDATE NOWAIT`,
			`UPDATE "shape_rows" SET "n"=$1,"version"=COALESCE("shape_rows"."version", 0) + 1 WHERE "shape_rows"."version" = $2 AND "id" = $3`},
		{dbtest.MySQL,
			"SELECT * FROM `shape_rows` WHERE id = ? LIMIT ? FOR UPDATE",
			"SELECT * FROM `shape_rows` WHERE id = ? LIMIT ? FOR UPDATE NOWAIT",
			"UPDATE `shape_rows` SET `n`=?,`version`=COALESCE(`shape_rows`.`version`, 0) + 1 WHERE `shape_rows`.`version` = ? AND `id` = ?"},
		{dbtest.MariaDB,
			"SELECT * FROM `shape_rows` WHERE id = ? LIMIT ? FOR UPDATE",
			"SELECT * FROM `shape_rows` WHERE id = ? LIMIT ? FOR UPDATE NOWAIT",
			"UPDATE `shape_rows` SET `n`=?,`version`=COALESCE(`shape_rows`.`version`, 0) + 1 WHERE `shape_rows`.`version` = ? AND `id` = ?"},
		{dbtest.SQLite,
			"SELECT * FROM `shape_rows` WHERE id = ? LIMIT 2",
			"", // unsupported
			"UPDATE `shape_rows` SET `n`=?,`version`=COALESCE(`shape_rows`.`version`, 0) + 1 WHERE `shape_rows`.`version` = ? AND `id` = ?"},
		{dbtest.SQLServer,
			`SELECT * FROM "shape_rows" WITH (UPDLOCK, ROWLOCK) WHERE id = @p1 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 2 ROWS ONLY`,
			`SELECT * FROM "shape_rows" WITH (UPDLOCK, ROWLOCK, NOWAIT) WHERE id = @p1 ORDER BY "id" OFFSET 0 ROW FETCH NEXT 2 ROWS ONLY`,
			`UPDATE "shape_rows" SET "n"=@p1,"version"=COALESCE("shape_rows"."version", 0) + 1 WHERE "shape_rows"."version" = @p2 AND "id" = @p3`},
	}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			db := dbtest.DryRun(t, tt.dialect)
			d := dialect.MustOf(db)
			for _, lk := range []struct {
				lock lock.Mode
				want string
			}{{lock.ForUpdate, tt.read}, {lock.ForUpdateNoWait, tt.readNoWait}} {
				c := config{lock: lk.lock}
				p, err := newPlan[shapeRow](db, d, &c)
				if lk.want == "" {
					if !errors.Is(err, ErrLockUnsupported) {
						t.Fatalf("lock %d: got %v, want ErrLockUnsupported", lk.lock, err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				q, err := lockedQuery(db.Where("id = ?", 1), d, p, p.lock)
				if err != nil {
					t.Fatal(err)
				}
				var rows []shapeRow
				if got := q.Limit(2).Find(&rows).Statement.SQL.String(); got != lk.want {
					t.Fatalf("lock %d read:\n got %s\nwant %s", lk.lock, got, lk.want)
				}
			}

			c := config{optimistic: true}
			p, err := newPlan[shapeRow](db, d, &c)
			if err != nil {
				t.Fatal(err)
			}
			if wantLock := tt.dialect == dbtest.SQLite; (p.lock.Strength != dialect.NoLock) != wantLock {
				t.Fatalf("optimistic lock = %v, want a write lock only on SQLite", p.lock)
			}
			row := shapeRow{ID: 1, N: 5, Version: 3}
			// Update writes inside its transaction; a dry run has none to begin.
			noTx := db.Session(&gorm.Session{SkipDefaultTransaction: true})
			stmt := writeStatement(noTx, p, &row, int64(3)).UpdateColumns(map[string]any{
				"n": int64(5), "version": model.VersionExpr(p.version),
			}).Statement
			if stmt.Error != nil {
				t.Fatal(stmt.Error)
			}
			if got := stmt.SQL.String(); got != tt.write {
				t.Fatalf("write:\n got %s\nwant %s", got, tt.write)
			}
		})
	}
}

package batch

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

type shapeRow struct {
	Tenant string `gorm:"primaryKey"`
	ID     int64  `gorm:"primaryKey"`
	Status string
	Score  int64
}

// chunkSQL returns the SQL of one chunk's load after key, as Run builds it.
func chunkSQL(t *testing.T, db *gorm.DB, key []any, opts ...RunOption) string {
	t.Helper()
	r, err := newRunner[shapeRow](context.Background(), db, func(*gorm.DB, []shapeRow) error { return nil }, newRunConfig(opts))
	if err != nil {
		t.Fatal(err)
	}
	q, err := r.dialect.LockRows(db, r.lock, r.table, r.keys[0].name)
	if err != nil {
		t.Fatal(err)
	}
	var rows []shapeRow
	return r.scope(q, key).Clauses(keysetOrder(r.keys)).Limit(r.cfg.size).Find(&rows).Statement.SQL.String()
}

func TestRunChunkSQLShape(t *testing.T) {
	tests := []struct {
		dialect string
		lock    LockMode
		first   string
		next    string
	}{
		{
			dbtest.Postgres, ForUpdateSkipLocked,
			`SELECT * FROM "shape_rows" WHERE status = $1 OR status = $2 ORDER BY "shape_rows"."score" DESC,"shape_rows"."tenant","shape_rows"."id" LIMIT $3 FOR UPDATE SKIP LOCKED`,
			`SELECT * FROM "shape_rows" WHERE (status = $1 OR status = $2) AND ("shape_rows"."score" <= $3 AND ("shape_rows"."score" < $4 OR ("shape_rows"."score" = $5 AND "shape_rows"."tenant" > $6) OR ("shape_rows"."score" = $7 AND "shape_rows"."tenant" = $8 AND "shape_rows"."id" > $9))) ORDER BY "shape_rows"."score" DESC,"shape_rows"."tenant","shape_rows"."id" LIMIT $10 FOR UPDATE SKIP LOCKED`,
		},
		{
			dbtest.MySQL, ForUpdateSkipLocked,
			"SELECT * FROM `shape_rows` WHERE status = ? OR status = ? ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ? FOR UPDATE SKIP LOCKED",
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) AND (`shape_rows`.`score` <= ? AND (`shape_rows`.`score` < ? OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` > ?) OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ? FOR UPDATE SKIP LOCKED",
		},
		{
			dbtest.MariaDB, ForUpdateNoWait,
			"SELECT * FROM `shape_rows` WHERE status = ? OR status = ? ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ? FOR UPDATE NOWAIT",
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) AND (`shape_rows`.`score` <= ? AND (`shape_rows`.`score` < ? OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` > ?) OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ? FOR UPDATE NOWAIT",
		},
		{
			dbtest.SQLite, ForUpdate,
			"SELECT * FROM `shape_rows` WHERE status = ? OR status = ? ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT 500",
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) AND (`shape_rows`.`score` <= ? AND (`shape_rows`.`score` < ? OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` > ?) OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT 500",
		},
		{
			dbtest.SQLServer, ForUpdateSkipLocked,
			`SELECT * FROM "shape_rows" WITH (UPDLOCK, ROWLOCK, READPAST) WHERE status = @p1 OR status = @p2 ORDER BY "shape_rows"."score" DESC,"shape_rows"."tenant","shape_rows"."id" OFFSET 0 ROW FETCH NEXT 500 ROWS ONLY`,
			`SELECT * FROM "shape_rows" WITH (UPDLOCK, ROWLOCK, READPAST) WHERE (status = @p1 OR status = @p2) AND ("shape_rows"."score" <= @p3 AND ("shape_rows"."score" < @p4 OR ("shape_rows"."score" = @p5 AND "shape_rows"."tenant" > @p6) OR ("shape_rows"."score" = @p7 AND "shape_rows"."tenant" = @p8 AND "shape_rows"."id" > @p9))) ORDER BY "shape_rows"."score" DESC,"shape_rows"."tenant","shape_rows"."id" OFFSET 0 ROW FETCH NEXT 500 ROWS ONLY`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			db := dbtest.DryRun(t, tt.dialect)
			scope := db.Model(&shapeRow{}).Where("status = ?", "a").Or("status = ?", "b")
			opts := []RunOption{Size(500), OrderBy("score DESC"), Lock(tt.lock)}
			first := chunkSQL(t, scope, nil, opts...)
			next := chunkSQL(t, scope, []any{int64(7), "t1", int64(42)}, opts...)
			if first != tt.first || next != tt.next {
				t.Fatalf("got\n%s\n%s\nwant\n%s\n%s", first, next, tt.first, tt.next)
			}
		})
	}
}

func TestRunRefusesUnsupportedLock(t *testing.T) {
	db := dbtest.DryRun(t, dbtest.SQLite)
	_, err := newRunner[shapeRow](context.Background(), db, func(*gorm.DB, []shapeRow) error { return nil }, newRunConfig([]RunOption{Lock(ForUpdateSkipLocked)}))
	if !errors.Is(err, dialect.ErrLockUnsupported) {
		t.Fatalf("got %v, want ErrLockUnsupported", err)
	}
}

package chunk

import (
	"context"
	"errors"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"github.com/gormup/gormup/lock"
	"gorm.io/gorm"
)

type shapeRow struct {
	Tenant string `gorm:"primaryKey"`
	ID     int64  `gorm:"primaryKey"`
	Status string
	Score  int64
}

// runConfigOf applies Run's options.
func runConfigOf(t *testing.T, opts ...RunOption) runConfig {
	t.Helper()
	c, err := newRunConfig(opts, RunOption.applyRun, DefaultSize)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// chunkSQL returns the SQL of one chunk's load after key, as Run builds it.
func chunkSQL(t *testing.T, db *gorm.DB, key []any, opts ...RunOption) string {
	t.Helper()
	r, err := newRunner(context.Background(), db, new(shapeRow), runConfigOf(t, opts...))
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
		lock    lock.Mode
		first   string
		next    string
	}{
		{
			dbtest.Postgres, lock.SkipLocked,
			`SELECT * FROM "shape_rows" WHERE (status = $1 OR status = $2) ORDER BY "shape_rows"."score" DESC,"shape_rows"."tenant","shape_rows"."id" LIMIT $3 FOR UPDATE SKIP LOCKED`,
			`SELECT * FROM "shape_rows" WHERE (status = $1 OR status = $2) AND ("shape_rows"."score" <= $3 AND ("shape_rows"."score" < $4 OR ("shape_rows"."score" = $5 AND "shape_rows"."tenant" > $6) OR ("shape_rows"."score" = $7 AND "shape_rows"."tenant" = $8 AND "shape_rows"."id" > $9))) ORDER BY "shape_rows"."score" DESC,"shape_rows"."tenant","shape_rows"."id" LIMIT $10 FOR UPDATE SKIP LOCKED`,
		},
		{
			dbtest.MySQL, lock.SkipLocked,
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ? FOR UPDATE SKIP LOCKED",
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) AND (`shape_rows`.`score` <= ? AND (`shape_rows`.`score` < ? OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` > ?) OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ? FOR UPDATE SKIP LOCKED",
		},
		{
			dbtest.MariaDB, lock.ForUpdateNoWait,
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ? FOR UPDATE NOWAIT",
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) AND (`shape_rows`.`score` <= ? AND (`shape_rows`.`score` < ? OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` > ?) OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ? FOR UPDATE NOWAIT",
		},
		{
			dbtest.SQLite, lock.ForUpdate,
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT 500",
			"SELECT * FROM `shape_rows` WHERE (status = ? OR status = ?) AND (`shape_rows`.`score` <= ? AND (`shape_rows`.`score` < ? OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` > ?) OR (`shape_rows`.`score` = ? AND `shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`score` DESC,`shape_rows`.`tenant`,`shape_rows`.`id` LIMIT 500",
		},
		{
			dbtest.SQLServer, lock.SkipLocked,
			`SELECT * FROM "shape_rows" WITH (UPDLOCK, ROWLOCK, READPAST) WHERE (status = @p1 OR status = @p2) ORDER BY "shape_rows"."score" DESC,"shape_rows"."tenant","shape_rows"."id" OFFSET 0 ROW FETCH NEXT 500 ROWS ONLY`,
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
	_, err := newRunner(context.Background(), db, new(shapeRow), runConfigOf(t, Lock(lock.SkipLocked)))
	if !errors.Is(err, dialect.ErrLockUnsupported) {
		t.Fatalf("got %v, want ErrLockUnsupported", err)
	}
}

// Ranges reads a chunk's bounds in one row computed by the database, and
// its work statement is restricted to (after, last].
func TestRunRangesSQLShape(t *testing.T) {
	tests := []struct {
		dialect string
		bounds  string
		update  string
	}{
		{
			dbtest.Postgres,
			`SELECT COUNT(*) OVER () AS gormup_rows, "gormup_chunk"."tenant", "gormup_chunk"."id" FROM (SELECT "shape_rows"."tenant","shape_rows"."id" FROM "shape_rows" WHERE (status = $1) AND ("shape_rows"."tenant" >= $2 AND ("shape_rows"."tenant" > $3 OR ("shape_rows"."tenant" = $4 AND "shape_rows"."id" > $5))) ORDER BY "shape_rows"."tenant","shape_rows"."id" LIMIT $6) "gormup_chunk" ORDER BY "gormup_chunk"."tenant" DESC,"gormup_chunk"."id" DESC LIMIT $7`,
			`UPDATE "shape_rows" SET "score"=$1 WHERE (status = $2) AND ("shape_rows"."tenant" >= $3 AND ("shape_rows"."tenant" > $4 OR ("shape_rows"."tenant" = $5 AND "shape_rows"."id" > $6))) AND ("shape_rows"."tenant" <= $7 AND ("shape_rows"."tenant" < $8 OR ("shape_rows"."tenant" = $9 AND "shape_rows"."id" <= $10)))`,
		},
		{
			dbtest.MySQL,
			"SELECT COUNT(*) OVER () AS gormup_rows, `gormup_chunk`.`tenant`, `gormup_chunk`.`id` FROM (SELECT `shape_rows`.`tenant`,`shape_rows`.`id` FROM `shape_rows` WHERE (status = ?) AND (`shape_rows`.`tenant` >= ? AND (`shape_rows`.`tenant` > ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ?) `gormup_chunk` ORDER BY `gormup_chunk`.`tenant` DESC,`gormup_chunk`.`id` DESC LIMIT ?",
			"UPDATE `shape_rows` SET `score`=? WHERE (status = ?) AND (`shape_rows`.`tenant` >= ? AND (`shape_rows`.`tenant` > ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) AND (`shape_rows`.`tenant` <= ? AND (`shape_rows`.`tenant` < ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` <= ?)))",
		},
		{
			dbtest.MariaDB,
			"SELECT COUNT(*) OVER () AS gormup_rows, `gormup_chunk`.`tenant`, `gormup_chunk`.`id` FROM (SELECT `shape_rows`.`tenant`,`shape_rows`.`id` FROM `shape_rows` WHERE (status = ?) AND (`shape_rows`.`tenant` >= ? AND (`shape_rows`.`tenant` > ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`tenant`,`shape_rows`.`id` LIMIT ?) `gormup_chunk` ORDER BY `gormup_chunk`.`tenant` DESC,`gormup_chunk`.`id` DESC LIMIT ?",
			"UPDATE `shape_rows` SET `score`=? WHERE (status = ?) AND (`shape_rows`.`tenant` >= ? AND (`shape_rows`.`tenant` > ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) AND (`shape_rows`.`tenant` <= ? AND (`shape_rows`.`tenant` < ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` <= ?)))",
		},
		{
			dbtest.SQLite,
			"SELECT COUNT(*) OVER () AS gormup_rows, `gormup_chunk`.`tenant`, `gormup_chunk`.`id` FROM (SELECT `shape_rows`.`tenant`,`shape_rows`.`id` FROM `shape_rows` WHERE (status = ?) AND (`shape_rows`.`tenant` >= ? AND (`shape_rows`.`tenant` > ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) ORDER BY `shape_rows`.`tenant`,`shape_rows`.`id` LIMIT 500) `gormup_chunk` ORDER BY `gormup_chunk`.`tenant` DESC,`gormup_chunk`.`id` DESC LIMIT 1",
			"UPDATE `shape_rows` SET `score`=? WHERE (status = ?) AND (`shape_rows`.`tenant` >= ? AND (`shape_rows`.`tenant` > ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` > ?))) AND (`shape_rows`.`tenant` <= ? AND (`shape_rows`.`tenant` < ? OR (`shape_rows`.`tenant` = ? AND `shape_rows`.`id` <= ?)))",
		},
		{
			dbtest.SQLServer,
			`SELECT COUNT(*) OVER () AS gormup_rows, "gormup_chunk"."tenant", "gormup_chunk"."id" FROM (SELECT "shape_rows"."tenant","shape_rows"."id" FROM "shape_rows" WHERE (status = @p1) AND ("shape_rows"."tenant" >= @p2 AND ("shape_rows"."tenant" > @p3 OR ("shape_rows"."tenant" = @p4 AND "shape_rows"."id" > @p5))) ORDER BY "shape_rows"."tenant","shape_rows"."id" OFFSET 0 ROW FETCH NEXT 500 ROWS ONLY) "gormup_chunk" ORDER BY "gormup_chunk"."tenant" DESC,"gormup_chunk"."id" DESC OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY`,
			`UPDATE "shape_rows" SET "score"=@p1 WHERE (status = @p2) AND ("shape_rows"."tenant" >= @p3 AND ("shape_rows"."tenant" > @p4 OR ("shape_rows"."tenant" = @p5 AND "shape_rows"."id" > @p6))) AND ("shape_rows"."tenant" <= @p7 AND ("shape_rows"."tenant" < @p8 OR ("shape_rows"."tenant" = @p9 AND "shape_rows"."id" <= @p10)))`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			db := dbtest.DryRun(t, tt.dialect)
			scope := db.Model(&shapeRow{}).Where("status = ?", "a")
			r, err := newRunner(context.Background(), scope, new(shapeRow), runConfigOf(t, Size(500)))
			if err != nil {
				t.Fatal(err)
			}
			r.after = []any{"t1", int64(42)}
			var out []map[string]any
			if got := r.boundsQuery(scope).Find(&out).Statement.SQL.String(); got != tt.bounds {
				t.Errorf("bounds\n got %s\nwant %s", got, tt.bounds)
			}
			rows := r.scope(scope, r.after, []any{"t2", int64(7)})
			res := rows.Session(&gorm.Session{SkipDefaultTransaction: true}).Update("score", 1)
			if got := res.Statement.SQL.String(); got != tt.update {
				t.Errorf("update\n got %s\nwant %s", got, tt.update)
			}
		})
	}
}

type shapeItem struct {
	ID     int64 `gorm:"primaryKey"`
	Status string
}

// With one integer key, a full chunk's end is one key found past the bound,
// and the tail is counted with an aggregate (MIN here, the key being DESC).
func TestRunRangesSingleKeyBoundsSQLShape(t *testing.T) {
	tests := map[string][2]string{
		dbtest.Postgres: {
			`SELECT "shape_items"."id" FROM "shape_items" WHERE (status = $1) AND "shape_items"."id" < $2 ORDER BY "shape_items"."id" DESC LIMIT $3 OFFSET $4`,
			`SELECT COUNT(*) AS gormup_rows, MIN("shape_items"."id") FROM "shape_items" WHERE (status = $1) AND "shape_items"."id" < $2`,
		},
		dbtest.MySQL: {
			"SELECT `shape_items`.`id` FROM `shape_items` WHERE (status = ?) AND `shape_items`.`id` < ? ORDER BY `shape_items`.`id` DESC LIMIT ? OFFSET ?",
			"SELECT COUNT(*) AS gormup_rows, MIN(`shape_items`.`id`) FROM `shape_items` WHERE (status = ?) AND `shape_items`.`id` < ?",
		},
		dbtest.MariaDB: {
			"SELECT `shape_items`.`id` FROM `shape_items` WHERE (status = ?) AND `shape_items`.`id` < ? ORDER BY `shape_items`.`id` DESC LIMIT ? OFFSET ?",
			"SELECT COUNT(*) AS gormup_rows, MIN(`shape_items`.`id`) FROM `shape_items` WHERE (status = ?) AND `shape_items`.`id` < ?",
		},
		dbtest.SQLite: {
			"SELECT `shape_items`.`id` FROM `shape_items` WHERE (status = ?) AND `shape_items`.`id` < ? ORDER BY `shape_items`.`id` DESC LIMIT 1 OFFSET 499",
			"SELECT COUNT(*) AS gormup_rows, MIN(`shape_items`.`id`) FROM `shape_items` WHERE (status = ?) AND `shape_items`.`id` < ?",
		},
		dbtest.SQLServer: {
			`SELECT "shape_items"."id" FROM "shape_items" WHERE (status = @p1) AND "shape_items"."id" < @p2 ORDER BY "shape_items"."id" DESC OFFSET 499 ROWS FETCH NEXT 1 ROWS ONLY`,
			`SELECT COUNT(*) AS gormup_rows, MIN("shape_items"."id") FROM "shape_items" WHERE (status = @p1) AND "shape_items"."id" < @p2`,
		},
	}
	for dialectName, want := range tests {
		t.Run(dialectName, func(t *testing.T) {
			db := dbtest.DryRun(t, dialectName)
			scope := db.Model(&shapeItem{}).Where("status = ?", "a")
			r, err := newRunner(context.Background(), scope, new(shapeItem), runConfigOf(t, Size(500), OrderBy("id DESC")))
			if err != nil {
				t.Fatal(err)
			}
			r.after = []any{int64(42)}
			var out []map[string]any
			if got := r.endQuery(scope).Find(&out).Statement.SQL.String(); got != want[0] {
				t.Errorf("end\n got %s\nwant %s", got, want[0])
			}
			if got := r.tailQuery(scope).Find(&out).Statement.SQL.String(); got != want[1] {
				t.Errorf("tail\n got %s\nwant %s", got, want[1])
			}
		})
	}
}

package chunk_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// runItem is the table most Run tests page through.
type runItem struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16"`
	Score   int64
	Counter int64
	Name    string `gorm:"size:64"`
}

// seedRunItems creates n rows with ids 1..n, status "pending", score id%7.
func seedRunItems(t testing.TB, db *dbtest.DB, n int) {
	t.Helper()
	dbtest.Migrate(t, db, &runItem{})
	rows := make([]runItem, n)
	for i := range rows {
		rows[i] = runItem{ID: int64(i + 1), Status: "pending", Score: int64((i + 1) % 7), Name: fmt.Sprintf("item %d", i+1)}
	}
	dbtest.Seed(t, db.DB, rows)
}

// bump adds 1 to the counter of every row of chunk, set-based.
func bump(tx *gorm.DB, part []runItem) error {
	ids := make([]int64, len(part))
	for i, r := range part {
		ids[i] = r.ID
	}
	return tx.Model(&runItem{}).Where("id IN ?", ids).Update("counter", gorm.Expr("counter + 1")).Error
}

// counters returns id -> counter for every row.
func counters(t testing.TB, db *gorm.DB) map[int64]int64 {
	t.Helper()
	var rows []runItem
	if err := db.Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make(map[int64]int64, len(rows))
	for _, r := range rows {
		out[r.ID] = r.Counter
	}
	return out
}

// wantCounters fails t unless every id in [from, to] has counter want.
func wantCounters(t testing.TB, got map[int64]int64, from, to, want int64) {
	t.Helper()
	for id := from; id <= to; id++ {
		if got[id] != want {
			t.Fatalf("row %d: counter %d, want %d", id, got[id], want)
		}
	}
}

func TestRunVisitsEveryRowOnceInKeyOrder(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 2500)
		var seen []int64
		rep, err := chunk.Run(context.Background(), db.DB, func(tx *gorm.DB, part []runItem) error {
			for _, r := range part {
				seen = append(seen, r.ID)
			}
			return bump(tx, part)
		}, chunk.Size(300))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 2500 || rep.Chunks != 9 || rep.RowsDone != 2500 || rep.Retries != 0 {
			t.Fatalf("report %+v, want 2500 rows in 9 chunks", rep)
		}
		if !slices.Equal(rep.LastKey, []any{int64(2500)}) {
			t.Fatalf("LastKey %v, want [2500]", rep.LastKey)
		}
		if len(seen) != 2500 || !slices.IsSorted(seen) || seen[0] != 1 || seen[2499] != 2500 {
			t.Fatalf("visited %d ids, sorted=%v", len(seen), slices.IsSorted(seen))
		}
		wantCounters(t, counters(t, db.DB), 1, 2500, 1)
	})
}

func TestRunWithConditionAndExactMultipleOfSize(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 100)
		// Scores 0..6 repeat; score 3 matches ids 3, 10, ..., 94: 14 rows.
		rep, err := chunk.Run(context.Background(), db.Model(&runItem{}).Where("score = ?", 3), bump,
			chunk.Size(7), chunk.Checkpoint("score-3"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 14 || rep.Chunks != 2 {
			t.Fatalf("report %+v, want 14 rows in 2 chunks", rep)
		}
		// The checkpoint row sits in its own table, untouched by db's model
		// and conditions, and the empty third chunk marked it done.
		var cp struct {
			LastKey  string
			RowsDone int64
			Chunks   int64
			Done     bool
		}
		if err := db.Table(chunk.CheckpointTable).Where("name = ?", "score-3").Take(&cp).Error; err != nil {
			t.Fatal(err)
		}
		if cp.LastKey != `{"cols":["id"],"key":[94]}` || cp.RowsDone != 14 || cp.Chunks != 2 || !cp.Done {
			t.Fatalf("checkpoint %+v", cp)
		}
		for id, c := range counters(t, db.DB) {
			if want := map[bool]int64{true: 1, false: 0}[id%7 == 3]; c != want {
				t.Fatalf("row %d: counter %d, want %d", id, c, want)
			}
		}
	})
}

// runPair has a composite primary key whose first column repeats.
type runPair struct {
	Tenant  string `gorm:"primaryKey;size:16"`
	Seq     int64  `gorm:"primaryKey;autoIncrement:false"`
	Counter int64
}

func TestRunCompositeKey(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &runPair{})
		var rows []runPair
		for _, tenant := range []string{"c", "a", "b"} {
			for seq := int64(1); seq <= 40; seq++ {
				rows = append(rows, runPair{Tenant: tenant, Seq: seq})
			}
		}
		dbtest.Seed(t, db.DB, rows)
		var seen []string
		rep, err := chunk.Run(context.Background(), db.DB, func(tx *gorm.DB, part []runPair) error {
			for _, r := range part {
				seen = append(seen, fmt.Sprintf("%s%03d", r.Tenant, r.Seq))
				if err := tx.Model(&runPair{}).Where("tenant = ? AND seq = ?", r.Tenant, r.Seq).
					Update("counter", gorm.Expr("counter + 1")).Error; err != nil {
					return err
				}
			}
			return nil
		}, chunk.Size(17), chunk.Checkpoint("composite"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 120 || len(seen) != 120 || !slices.IsSorted(seen) {
			t.Fatalf("report %+v, visited %d, sorted=%v", rep, len(seen), slices.IsSorted(seen))
		}
		if !slices.Equal(rep.LastKey, []any{"c", int64(40)}) {
			t.Fatalf("LastKey %v, want [c 40]", rep.LastKey)
		}
		var bad int64
		if err := db.Model(&runPair{}).Where("counter <> 1").Count(&bad).Error; err != nil || bad != 0 {
			t.Fatalf("%d rows not processed exactly once (err %v)", bad, err)
		}
	})
}

func TestRunCustomOrderWithTies(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 200)
		type visit struct{ score, id int64 }
		var seen []visit
		rep, err := chunk.Run(context.Background(), db.DB, func(tx *gorm.DB, part []runItem) error {
			for _, r := range part {
				seen = append(seen, visit{r.Score, r.ID})
			}
			return bump(tx, part)
		}, chunk.Size(9), chunk.OrderBy("score DESC"), chunk.Checkpoint("by-score"))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 200 || len(seen) != 200 {
			t.Fatalf("report %+v, visited %d, want 200", rep, len(seen))
		}
		// Score descending, then id ascending (the primary key appended).
		sorted := slices.IsSortedFunc(seen, func(a, b visit) int {
			if a.score != b.score {
				return int(b.score - a.score)
			}
			return int(a.id - b.id)
		})
		if !sorted {
			t.Fatalf("visit order is not (score DESC, id): %v", seen[:20])
		}
		wantCounters(t, counters(t, db.DB), 1, 200, 1)
		// The checkpoint stores both ordering columns.
		last := seen[len(seen)-1]
		if !slices.Equal(rep.LastKey, []any{last.score, last.id}) {
			t.Fatalf("LastKey %v, want [%d %d]", rep.LastKey, last.score, last.id)
		}
	})
}

// runItemIDCounter is a DTO of runItem: Run loads only its two columns.
type runItemIDCounter struct {
	ID      int64
	Counter int64
}

func TestRunDTOChunksLoadOnlyTheirColumns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 50)
		captured, rec := dbtest.Capture(db.DB)
		var sum int64
		rep, err := chunk.Run(context.Background(), captured.Model(&runItem{}).Where("status = ?", "pending"),
			func(tx *gorm.DB, part []runItemIDCounter) error {
				ids := make([]int64, len(part))
				for i, r := range part {
					ids[i] = r.ID
					sum += r.ID
				}
				return tx.Model(&runItem{}).Where("id IN ?", ids).Update("counter", gorm.Expr("counter + 1")).Error
			}, chunk.Size(20))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 50 || sum != 50*51/2 {
			t.Fatalf("report %+v, id sum %d", rep, sum)
		}
		var selects []string
		for _, s := range rec.Matching("SELECT") {
			if strings.Contains(s, "run_items") { // not the dialect's version query
				selects = append(selects, s)
			}
		}
		if len(selects) != 3 {
			t.Fatalf("got %d SELECTs, want 3: %q", len(selects), selects)
		}
		q := map[string]string{dbtest.MySQL: "`", dbtest.SQLite: "`"}[db.Dialect]
		if q == "" {
			q = `"`
		}
		want := fmt.Sprintf("SELECT %[1]srun_items%[1]s.%[1]sid%[1]s,%[1]srun_items%[1]s.%[1]scounter%[1]s FROM", q)
		for _, s := range selects {
			if len(s) < len(want) || s[:len(want)] != want {
				t.Fatalf("chunk query %q does not start with %q", s, want)
			}
		}
		wantCounters(t, counters(t, db.DB), 1, 50, 1)
	})
}

// A DTO without the key columns: each chunk's bounds are read first, then
// its rows loaded between them, so the keys never need to be in T.
func TestRunDTOWithoutKeyColumns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 100)
		type nameOnly struct{ Name string }
		captured, rec := dbtest.Capture(db.DB)
		scope := captured.Model(&runItem{}).Where("score <> ?", 0) // 86 rows
		var names []string
		stop := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
			if c.Index == 3 && len(names) == 30 {
				return chunk.ErrStop
			}
			return nil
		}}
		visit := func(tx *gorm.DB, part []nameOnly) error {
			for _, r := range part {
				names = append(names, r.Name)
			}
			return nil
		}
		rep, err := chunk.Run(context.Background(), scope, visit, chunk.Size(10), chunk.Checkpoint("names"), chunk.Hooks(stop))
		if err != nil || !rep.Stopped || rep.Rows != 30 || !slices.Equal(rep.LastKey, []any{int64(34)}) {
			t.Fatalf("first run %+v, %v; want a stop after 30 rows at key [34]", rep, err)
		}
		rep, err = chunk.Run(context.Background(), scope, visit, chunk.Size(10), chunk.Checkpoint("names"))
		if err != nil || rep.Rows != 56 || rep.RowsDone != 86 || !rep.Resumed {
			t.Fatalf("resumed run %+v, %v; want 56 more rows, 86 in all", rep, err)
		}
		var want []string
		for id := 1; id <= 100; id++ {
			if id%7 != 0 {
				want = append(want, fmt.Sprintf("item %d", id))
			}
		}
		if !slices.Equal(names, want) {
			t.Fatalf("visited %d names %v..., want %d in key order", len(names), names[:min(5, len(names))], len(want))
		}
		var loads int
		for _, s := range rec.Matching("SELECT") {
			if strings.Contains(s, "run_items") && strings.Contains(s, "name") { // not the bounds queries
				loads++
				if strings.Contains(s, "LIMIT") || strings.Contains(s, "counter") || !strings.Contains(s, "<=") {
					t.Fatalf("chunk load %q: want only the DTO's column, bounded by keys, no LIMIT", s)
				}
			}
		}
		if loads != 9 {
			t.Fatalf("got %d chunk loads, want 9", loads)
		}
	})
}

func TestRunRowsLeavingTheCondition(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 300)
		dbtest.MustExec(t, db.DB, "UPDATE run_items SET status = 'queued' WHERE id % 2 = 0")
		// The work moves the queued half of the rows out of the condition and
		// leaves the pending half matching. The trailing Or must stay grouped
		// with the first condition, or the keyset bound would only bind to it
		// and pending rows would repeat.
		scope := db.Model(&runItem{}).Where("status = ?", "pending").Or("status = ?", "queued")
		rep, err := chunk.Run(context.Background(), scope, func(tx *gorm.DB, part []runItem) error {
			if err := bump(tx, part); err != nil {
				return err
			}
			ids := make([]int64, len(part))
			for i, r := range part {
				ids[i] = r.ID
			}
			return tx.Model(&runItem{}).Where("id IN ? AND status = ?", ids, "queued").Update("status", "done").Error
		}, chunk.Size(40))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Rows != 300 {
			t.Fatalf("report %+v, want 300 rows", rep)
		}
		wantCounters(t, counters(t, db.DB), 1, 300, 1)
		var left int64
		if err := db.Model(&runItem{}).Where("status = ?", "done").Count(&left).Error; err != nil || left != 150 {
			t.Fatalf("%d rows left the condition (err %v), want 150", left, err)
		}
	})
}

func TestRunConcurrentInsertsBehindAndAhead(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &runItem{})
		var rows []runItem
		for id := int64(10); id <= 1000; id += 10 {
			rows = append(rows, runItem{ID: id, Status: "pending"})
		}
		dbtest.Seed(t, db.DB, rows)
		other := dbtest.Reopen(t, db)
		// Before each chunk another connection commits one row behind the
		// cursor (already passed) and one ahead of it.
		insert := chunk.Callbacks{Before: func(ctx context.Context, c chunk.Info) error {
			if c.After == nil {
				return nil
			}
			last := c.After[0].(int64)
			return other.Create([]runItem{{ID: last - 5, Status: "pending"}, {ID: last + 5, Status: "pending"}}).Error
		}}
		rep, err := chunk.Run(context.Background(), db.Model(&runItem{}).Where("status = ?", "pending"), bump,
			chunk.Size(10), chunk.Hooks(insert))
		if err != nil {
			t.Fatal(err)
		}
		got := counters(t, db.DB)
		var ahead, behind int
		for id, c := range got {
			switch {
			case id%10 == 0:
				if c != 1 {
					t.Fatalf("seeded row %d: counter %d, want 1", id, c)
				}
			case c == 1:
				ahead++
			case c == 0:
				behind++
			default:
				t.Fatalf("inserted row %d: counter %d", id, c)
			}
		}
		// Chunk 1 is ids 10..100; every later chunk is the row inserted 5
		// after the previous chunk's last key plus 9 seeded rows, so the
		// seeded rows end with chunk 11 and chunk 12 is the last insert alone.
		// Each of chunks 2..12 was preceded by one insert behind the cursor.
		if rep.Rows != 111 || rep.Chunks != 12 || ahead != 11 || behind != 11 {
			t.Fatalf("report %+v, ahead %d, behind %d; want 111 rows, 12 chunks, 11 and 11", rep, ahead, behind)
		}
	})
}

// The work's tx carries none of db's model and conditions, even after
// WithContext or Session, which clone a statement.
func TestRunWorkSessionIsClean(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seedRunItems(t, db, 30)
		captured, rec := dbtest.Capture(db.DB)
		ctx := context.Background()
		_, err := chunk.Run(ctx, captured.Model(&runItem{}).Where("score <> ?", 99), func(tx *gorm.DB, part []runItem) error {
			if err := tx.WithContext(ctx).Model(&runItem{}).Where("id = ?", part[0].ID).Update("name", "first").Error; err != nil {
				return err
			}
			var n int64
			if err := tx.Session(&gorm.Session{}).Table("run_items").Count(&n).Error; err != nil {
				return err
			}
			if n != 30 {
				return fmt.Errorf("count in work saw %d rows, want 30", n)
			}
			return nil
		}, chunk.Size(10), chunk.Checkpoint("clean"))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range rec.Statements() {
			if strings.HasPrefix(s, "UPDATE") && strings.Contains(s, "run_items") && strings.Contains(s, "99") {
				t.Fatalf("db's condition leaked into the work: %s", s)
			}
		}
		var firsts int64
		if err := db.Model(&runItem{}).Where("name = ?", "first").Count(&firsts).Error; err != nil || firsts != 3 {
			t.Fatalf("%d rows named first (err %v), want 3", firsts, err)
		}
	})
}

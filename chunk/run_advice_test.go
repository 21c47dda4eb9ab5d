package chunk_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gormup/gormup/chunk"
	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// warnings is a GORM logger that keeps Warn messages.
type warnings struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warnings) LogMode(logger.LogLevel) logger.Interface { return w }
func (w *warnings) Info(context.Context, string, ...any)     {}
func (w *warnings) Error(context.Context, string, ...any)    {}
func (w *warnings) Trace(context.Context, time.Time, func() (string, int64), error) {
}
func (w *warnings) Warn(_ context.Context, msg string, args ...any) {
	w.mu.Lock()
	w.msgs = append(w.msgs, fmt.Sprintf(msg, args...))
	w.mu.Unlock()
}

type ranked struct {
	ID    int64 `gorm:"primaryKey"`
	Rank  int64 `gorm:"index"`
	Score int64
}

func TestRunWarnsOnceAboutAnUnindexedOrdering(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &ranked{})
		rows := make([]ranked, 25)
		for i := range rows {
			rows[i] = ranked{ID: int64(i + 1), Rank: int64(25 - i), Score: int64(i % 5)}
		}
		dbtest.Seed(t, db.DB, rows)
		for _, tt := range []struct {
			orderBy []string
			warned  bool
		}{
			{[]string{"score"}, true},
			{[]string{"Score", "rank"}, true},
			{[]string{"rank"}, false},
			{[]string{"rank DESC"}, false},
			{nil, false}, // the primary key
		} {
			w := &warnings{}
			wdb := db.Session(&gorm.Session{Logger: w})
			var opts []chunk.RunOption
			if tt.orderBy != nil {
				opts = append(opts, chunk.OrderBy(tt.orderBy...))
			}
			seen := 0
			rep, err := chunk.Run(context.Background(), wdb.Model(&ranked{}), func(_ *gorm.DB, part []ranked) error {
				seen += len(part)
				return nil
			}, append(opts, chunk.Size(10))...)
			if err != nil || rep.Rows != 25 || seen != 25 {
				t.Fatalf("OrderBy(%v): %d rows (%d seen), %v", tt.orderBy, rep.Rows, seen, err)
			}
			switch {
			case tt.warned && (len(w.msgs) != 1 || !strings.Contains(w.msgs[0], "ranked") || !strings.Contains(w.msgs[0], "no index leads with")):
				t.Errorf("OrderBy(%v): warnings %q, want exactly one about ranked", tt.orderBy, w.msgs)
			case !tt.warned && len(w.msgs) != 0:
				t.Errorf("OrderBy(%v): warnings %q, want none", tt.orderBy, w.msgs)
			}
		}
	})
}

// A table PostgreSQL has never analyzed gets its row count guessed, and the
// bounds query of each chunk may then sort the whole table: Ranges says so
// once, and no longer once the table is analyzed. Other databases, and
// statistics present, warn nothing.
func TestRangesWarnsOnceAboutATableWithoutStatistics(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		dbtest.Migrate(t, db, &ranked{})
		rows := make([]ranked, 25)
		for i := range rows {
			rows[i] = ranked{ID: int64(i + 1), Rank: int64(i), Score: 10}
		}
		dbtest.Seed(t, db.DB, rows)
		d, err := dialect.Of(ctx, db.DB)
		if err != nil {
			t.Fatal(err)
		}
		fresh := db.Dialect == dbtest.Postgres && d.Version().AtLeast(14, 0)
		for pass, warned := range []bool{fresh, false} {
			w := &warnings{}
			rep, err := chunk.Ranges(ctx, db.Session(&gorm.Session{Logger: w}).Model(&ranked{}), func(rows *gorm.DB, _ chunk.Range) error {
				return rows.Update("score", gorm.Expr("score + 1")).Error
			}, chunk.Size(10))
			if err != nil || rep.Rows != 25 || rep.Chunks != 3 {
				t.Fatalf("pass %d: %d rows in %d chunks, %v; want 25 in 3", pass, rep.Rows, rep.Chunks, err)
			}
			var total int64
			if err := db.Model(&ranked{}).Select("SUM(score)").Scan(&total).Error; err != nil {
				t.Fatal(err)
			}
			if want := int64(25 * (11 + pass)); total != want {
				t.Errorf("pass %d: SUM(score) = %d, want %d", pass, total, want)
			}
			switch {
			case warned && (len(w.msgs) != 1 || !strings.Contains(w.msgs[0], "chunk.Ranges reads each chunk's bounds from rankeds, which has never been analyzed") ||
				!strings.Contains(w.msgs[0], "run ANALYZE rankeds first")):
				t.Errorf("pass %d: warnings %q, want exactly one about rankeds", pass, w.msgs)
			case !warned && len(w.msgs) != 0:
				t.Errorf("pass %d: warnings %q, want none", pass, w.msgs)
			}
			if fresh && pass == 0 {
				dbtest.MustExec(t, db.DB, "ANALYZE rankeds")
			}
		}
	})
}

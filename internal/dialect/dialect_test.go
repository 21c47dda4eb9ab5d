package dialect_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

func TestDryRunFamiliesAndLimits(t *testing.T) {
	tests := []struct {
		dialect      string
		family       dialect.Family
		maxParams    int
		fastParams   int
		maxIdent     int
		updateFrom   bool
		chunkOf3Plus int // ChunkSize(3, 2)
	}{
		{dbtest.Postgres, dialect.Postgres, 65535, 65535, 63, true, 21844},
		{dbtest.MySQL, dialect.MySQL, 65535, 65535, 64, false, 21844},
		{dbtest.MariaDB, dialect.MariaDB, 65535, 65535, 64, false, 21844},
		{dbtest.SQLite, dialect.SQLite, 32766, 1000, 0, true, 10921},
		{dbtest.SQLServer, dialect.SQLServer, 2100, 2100, 128, true, 699},
	}
	for _, tt := range tests {
		t.Run(tt.dialect, func(t *testing.T) {
			d := dialect.MustOf(dbtest.DryRun(t, tt.dialect))
			if d.Family() != tt.family {
				t.Errorf("Family() = %v, want %v", d.Family(), tt.family)
			}
			if got := d.MaxParams(); got != tt.maxParams {
				t.Errorf("MaxParams() = %d, want %d", got, tt.maxParams)
			}
			if got := d.FastParams(); got != tt.fastParams {
				t.Errorf("FastParams() = %d, want %d", got, tt.fastParams)
			}
			if got := d.MaxIdentifierLength(); got != tt.maxIdent {
				t.Errorf("MaxIdentifierLength() = %d, want %d", got, tt.maxIdent)
			}
			if got := d.SupportsUpdateFrom(); got != tt.updateFrom {
				t.Errorf("SupportsUpdateFrom() = %v, want %v", got, tt.updateFrom)
			}
			if got := d.ChunkSize(3, 2); got != tt.chunkOf3Plus {
				t.Errorf("ChunkSize(3, 2) = %d, want %d", got, tt.chunkOf3Plus)
			}
			if got := d.ChunkSize(d.MaxParams()+1, 0); got != 0 {
				t.Errorf("ChunkSize(too wide) = %d, want 0", got)
			}
		})
	}
}

func TestVersionAtLeast(t *testing.T) {
	tests := []struct {
		v            dialect.Version
		major, minor int
		want         bool
	}{
		{dialect.Version{}, 99, 0, true}, // unknown counts as current
		{dialect.Version{3, 45, 1}, 3, 33, true},
		{dialect.Version{3, 31, 0}, 3, 33, false},
		{dialect.Version{10, 11, 6}, 10, 6, true},
		{dialect.Version{10, 5, 0}, 10, 6, false},
		{dialect.Version{11, 0, 0}, 10, 6, true},
		{dialect.Version{8, 0, 36}, 8, 0, true},
	}
	for _, tt := range tests {
		if got := tt.v.AtLeast(tt.major, tt.minor); got != tt.want {
			t.Errorf("%v.AtLeast(%d, %d) = %v, want %v", tt.v, tt.major, tt.minor, got, tt.want)
		}
	}
}

func TestSplit(t *testing.T) {
	got := dialect.Split(10, 4)
	want := [][2]int{{0, 4}, {4, 8}, {8, 10}}
	if len(got) != len(want) {
		t.Fatalf("Split(10, 4) = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("Split(10, 4) = %v, want %v", got, want)
		}
	}
	if got := dialect.Split(0, 4); got != nil {
		t.Fatalf("Split(0, 4) = %v, want nil", got)
	}
}

func TestQuote(t *testing.T) {
	want := map[string]string{
		dbtest.Postgres:  `"accounts"."balance"`,
		dbtest.MySQL:     "`accounts`.`balance`",
		dbtest.MariaDB:   "`accounts`.`balance`",
		dbtest.SQLite:    "`accounts`.`balance`",
		dbtest.SQLServer: `"accounts"."balance"`,
	}
	for _, name := range dbtest.DryRunDialects {
		if got := dialect.Quote(dbtest.DryRun(t, name), "accounts.balance"); got != want[name] {
			t.Errorf("%s: Quote = %s, want %s", name, got, want[name])
		}
	}
}

func TestLiveDetection(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		d, err := dialect.Of(ctx, db.DB)
		if err != nil {
			t.Fatal(err)
		}
		if d.Version() == (dialect.Version{}) {
			t.Fatalf("version of a live %s server is unknown", db.Dialect)
		}
		want := map[string][]dialect.Family{
			dbtest.SQLite:    {dialect.SQLite},
			dbtest.Postgres:  {dialect.Postgres},
			dbtest.MySQL:     {dialect.MySQL, dialect.MariaDB},
			dbtest.SQLServer: {dialect.SQLServer},
		}[db.Dialect]
		if d.Family() != want[0] && (len(want) == 1 || d.Family() != want[1]) {
			t.Fatalf("Family() = %v, want one of %v", d.Family(), want)
		}
		// Sessions and transactions of the same database share the cached Dialect.
		if again, _ := dialect.Of(ctx, db.Session(&gorm.Session{NewDB: true})); again != d {
			t.Fatal("a session of the same database got a different *Dialect")
		}
		err = db.Transaction(func(tx *gorm.DB) error {
			if !dialect.InTransaction(tx) {
				t.Error("InTransaction(tx) = false inside db.Transaction")
			}
			inTx, err := dialect.Of(ctx, tx)
			if inTx != d {
				t.Error("a transaction of the same database got a different *Dialect")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if dialect.InTransaction(db.DB) {
			t.Fatal("InTransaction(db) = true outside a transaction")
		}
	})
}

func TestRowsAffectedMatched(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		ctx := context.Background()
		d, err := dialect.Of(ctx, db.DB)
		if err != nil {
			t.Fatal(err)
		}
		matched, err := d.RowsAffectedMatched(ctx, db.DB)
		if err != nil {
			t.Fatal(err)
		}
		if !d.Family().IsMySQL() {
			if !matched {
				t.Fatalf("%s: RowsAffectedMatched = false, want true", db.Dialect)
			}
			return
		}
		wantMatched := strings.Contains(db.DSN, "clientFoundRows=true")
		if matched != wantMatched {
			t.Fatalf("DSN %q: RowsAffectedMatched = %v, want %v", db.DSN, matched, wantMatched)
		}
		// The same server through a DSN with clientFoundRows, and through a
		// *sql.DB GORM cannot read a DSN from, which forces the probe.
		for _, found := range []bool{true, false} {
			dsn := db.DSN
			if found {
				dsn += "&clientFoundRows=true"
			}
			sqlDB, err := sql.Open("mysql", dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sqlDB.Close() })
			viaConn, err := gorm.Open(mysql.New(mysql.Config{Conn: sqlDB}), &gorm.Config{Logger: logger.Discard})
			if err != nil {
				t.Fatal(err)
			}
			pd, err := dialect.Of(ctx, viaConn)
			if err != nil {
				t.Fatal(err)
			}
			// Not known yet: inside a transaction it answers "changed rows"
			// without probing, and a failed probe is not remembered.
			err = viaConn.Transaction(func(tx *gorm.DB) error {
				got, err := pd.RowsAffectedMatched(ctx, tx)
				if got || err != nil {
					t.Errorf("in a transaction: RowsAffectedMatched = %v, %v; want false, nil", got, err)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := pd.RowsAffectedMatched(cancelled, viaConn); !errors.Is(err, context.Canceled) {
				t.Fatalf("probe with a cancelled ctx: %v, want context.Canceled", err)
			}
			got, err := pd.RowsAffectedMatched(ctx, viaConn)
			if err != nil {
				t.Fatal(err)
			}
			if got != found {
				t.Fatalf("probe with clientFoundRows=%v: RowsAffectedMatched = %v", found, got)
			}
		}
	})
}

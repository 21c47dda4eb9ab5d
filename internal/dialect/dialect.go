package dialect

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"weak"

	gomysql "github.com/go-sql-driver/mysql"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
)

// Family is a database engine family. MySQL and MariaDB are told apart because
// their SQL differs in places gormup cares about (NOWAIT errors, VALUES ROW).
type Family string

// The families gormup supports.
const (
	Postgres  Family = "postgres"
	MySQL     Family = "mysql"
	MariaDB   Family = "mariadb"
	SQLite    Family = "sqlite"
	SQLServer Family = "sqlserver"
)

// IsMySQL reports whether f speaks MySQL's dialect (MySQL or MariaDB).
func (f Family) IsMySQL() bool { return f == MySQL || f == MariaDB }

// Version is a server version. The zero Version means "unknown", which every
// feature check treats as a current server.
type Version struct {
	Major, Minor, Patch int
}

// AtLeast reports whether v is major.minor or later. An unknown (zero)
// version is assumed to be recent and always passes.
func (v Version) AtLeast(major, minor int) bool {
	if v == (Version{}) {
		return true
	}
	if v.Major != major {
		return v.Major > major
	}
	return v.Minor >= minor
}

func (v Version) String() string {
	if v == (Version{}) {
		return "unknown"
	}
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
}

// parseVersion reads the leading "major.minor.patch" of s, ignoring suffixes
// such as "-MariaDB-0+deb12u1" or " (Debian 15.20-0)".
func parseVersion(s string) Version {
	var parts [3]int
	i := 0
	for _, field := range strings.SplitN(s, ".", 3) {
		end := 0
		for end < len(field) && field[end] >= '0' && field[end] <= '9' {
			end++
		}
		n, err := strconv.Atoi(field[:end])
		if err != nil {
			break
		}
		parts[i] = n
		i++
		if end < len(field) {
			break
		}
	}
	return Version{parts[0], parts[1], parts[2]}
}

// Dialect describes the database behind a *gorm.DB. It is safe for concurrent
// use; obtain one with Of.
type Dialect struct {
	family    Family
	version   Version
	dialector gorm.Dialector

	matchedMu    sync.Mutex
	matchedKnown bool
	matched      bool

	memo sync.Map // see Memo
}

// Family returns the engine family.
func (d *Dialect) Family() Family { return d.family }

// Version returns the server version; the zero Version when it could not be
// read (a DryRun session, or a dialector gormup does not know).
func (d *Dialect) Version() Version { return d.version }

// Name returns the family name, e.g. "postgres" or "mariadb".
func (d *Dialect) Name() string { return string(d.family) }

// SupportsUpdateFrom reports whether UPDATE ... FROM (VALUES ...) is available:
// always on PostgreSQL and SQL Server, from 3.33 on SQLite, never on MySQL.
func (d *Dialect) SupportsUpdateFrom() bool {
	switch d.family {
	case Postgres, SQLServer:
		return true
	case SQLite:
		return d.version.AtLeast(3, 33)
	}
	return false
}

// SupportsReturning reports whether UPDATE ... RETURNING is available
// (PostgreSQL; SQLite from 3.35; MariaDB and MySQL do not have it for UPDATE).
func (d *Dialect) SupportsReturning() bool {
	switch d.family {
	case Postgres:
		return true
	case SQLite:
		return d.version.AtLeast(3, 35)
	}
	return false
}

// cache maps a Dialector (weakly, by its address) to its *Dialect, so
// detection queries run once per opened database and entries vanish with it.
var cache sync.Map // weak.Pointer[byte] -> *Dialect

// Of returns the Dialect of db. The first call for a given opened database may
// query the server version (ctx bounds that query); later calls, including
// from sessions and transactions of the same database, are served from a
// cache. A DryRun session never queries: its version is left unknown.
func Of(ctx context.Context, db *gorm.DB) (*Dialect, error) {
	if db == nil || db.Dialector == nil {
		return nil, fmt.Errorf("gormup: nil *gorm.DB or Dialector")
	}
	key, ok := cacheKey(db.Dialector)
	if ok {
		if v, hit := cache.Load(key); hit {
			return v.(*Dialect), nil
		}
	}
	d, err := detect(ctx, db)
	if err != nil {
		return nil, err
	}
	if ok && !db.DryRun {
		if v, loaded := cache.LoadOrStore(key, d); loaded {
			return v.(*Dialect), nil
		}
		// Forget the entry once the dialector is garbage collected.
		runtime.AddCleanup(key.Value(), func(k weak.Pointer[byte]) { cache.Delete(k) }, key)
	}
	return d, nil
}

// cacheKey returns a weak key for dialectors held by pointer (all official
// GORM drivers); value dialectors are not cached.
func cacheKey(dialector gorm.Dialector) (weak.Pointer[byte], bool) {
	v := reflect.ValueOf(dialector)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return weak.Pointer[byte]{}, false
	}
	return weak.Make((*byte)(v.UnsafePointer())), true
}

// MustOf is Of for callers that hold a DryRun or already-detected database and
// cannot fail; it panics on error. Intended for tests and shape checks.
func MustOf(db *gorm.DB) *Dialect {
	d, err := Of(context.Background(), db)
	if err != nil {
		panic(err)
	}
	return d
}

func detect(ctx context.Context, db *gorm.DB) (*Dialect, error) {
	d := &Dialect{dialector: db.Dialector}
	name := db.Dialector.Name()
	switch name {
	case "postgres", "pgx":
		d.family = Postgres
	case "mysql":
		d.family = MySQL
	case "sqlite", "sqlite3":
		d.family = SQLite
	case "sqlserver", "mssql":
		d.family = SQLServer
	default:
		return nil, fmt.Errorf("gormup: unsupported GORM dialector %q", name)
	}

	raw := ""
	if md, ok := db.Dialector.(*gormmysql.Dialector); ok && md.Config != nil {
		raw = md.ServerVersion
	}
	if raw == "" && !db.DryRun {
		var q string
		switch d.family {
		case Postgres:
			q = "SHOW server_version"
		case MySQL:
			q = "SELECT VERSION()"
		case SQLite:
			q = "SELECT sqlite_version()"
		case SQLServer:
			q = "SELECT CAST(SERVERPROPERTY('ProductVersion') AS NVARCHAR(128))"
		}
		// A fresh session: the caller's conditions and model must not leak in.
		if err := db.Session(&gorm.Session{NewDB: true, Context: ctx}).Raw(q).Scan(&raw).Error; err != nil {
			return nil, fmt.Errorf("gormup: reading %s server version: %w", d.family, err)
		}
	}
	if d.family == MySQL && strings.Contains(strings.ToLower(raw), "mariadb") {
		d.family = MariaDB
	}
	d.version = parseVersion(raw)
	return d, nil
}

// RowsAffectedMatched reports whether an UPDATE's RowsAffected counts the rows
// it matched (true) or only the rows whose values changed (false).
//
// PostgreSQL, SQLite and SQL Server always count matched rows. MySQL and
// MariaDB count changed rows unless the connection set CLIENT_FOUND_ROWS
// (clientFoundRows=true in the go-sql-driver DSN). gormup reads the DSN when
// GORM was opened with one, and otherwise probes on a temporary table of a
// connection of its own. A successful answer is cached with the Dialect; a
// failed probe (a cancelled ctx, an outage) is not. Inside a transaction an
// answer not yet known is reported as false (changed rows), without probing:
// callers then count matched rows themselves, which is right either way.
func (d *Dialect) RowsAffectedMatched(ctx context.Context, db *gorm.DB) (bool, error) {
	if !d.family.IsMySQL() {
		return true, nil
	}
	d.matchedMu.Lock()
	defer d.matchedMu.Unlock()
	if d.matchedKnown {
		return d.matched, nil
	}
	if md, ok := d.dialector.(*gormmysql.Dialector); ok && md.Config != nil {
		if md.DSNConfig != nil {
			d.matched, d.matchedKnown = md.DSNConfig.ClientFoundRows, true
			return d.matched, nil
		}
		if md.DSN != "" {
			if cfg, err := gomysql.ParseDSN(md.DSN); err == nil {
				d.matched, d.matchedKnown = cfg.ClientFoundRows, true
				return d.matched, nil
			}
		}
	}
	// The probe needs a connection of its own, which a caller's transaction
	// (perhaps on a one-connection pool) must not wait for: answer "changed
	// rows" there — callers then count matches themselves, which is always
	// right — and probe on a later call outside a transaction.
	if db.DryRun || InTransaction(db) {
		return false, nil
	}
	matched, err := probeFoundRows(ctx, db)
	if err != nil {
		return false, err // not cached: a cancelled ctx or an outage must not stick
	}
	d.matched, d.matchedKnown = matched, true
	return matched, nil
}

// probeFoundRows runs an UPDATE that matches one row without changing it on a
// temporary table of a pinned connection: RowsAffected 1 means found rows.
func probeFoundRows(ctx context.Context, db *gorm.DB) (bool, error) {
	var matched bool
	err := db.Session(&gorm.Session{NewDB: true, Context: ctx}).Connection(func(conn *gorm.DB) error {
		if err := conn.Exec("CREATE TEMPORARY TABLE gormup_found_rows_probe (id INT)").Error; err != nil {
			return err
		}
		defer conn.Exec("DROP TEMPORARY TABLE IF EXISTS gormup_found_rows_probe")
		if err := conn.Exec("INSERT INTO gormup_found_rows_probe (id) VALUES (1)").Error; err != nil {
			return err
		}
		res := conn.Exec("UPDATE gormup_found_rows_probe SET id = 1 WHERE id = 1")
		if res.Error != nil {
			return res.Error
		}
		matched = res.RowsAffected == 1
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("gormup: probing MySQL RowsAffected semantics: %w", err)
	}
	return matched, nil
}

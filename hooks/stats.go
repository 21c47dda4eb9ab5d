package hooks

import (
	"cmp"
	"errors"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"
)

// statsPluginName is the gorm.Plugin name of Stats.
const statsPluginName = "gormup:stats"

// Callback names Stats registers on every processor.
const (
	statsBeforeCallback = "gormup:stats_before"
	statsAfterCallback  = "gormup:stats_after"
)

// settingStatsStart is the gorm.Statement setting holding the start time of
// the statement being measured.
const settingStatsStart = "gormup:stats_start"

// Operation names the GORM callback processor a statement ran through.
type Operation string

// The operations Stats tallies, one per GORM processor.
const (
	// OpCreate is Create, CreateInBatches, Save of a new row and upserts.
	OpCreate Operation = "create"
	// OpQuery is Find, First, Take, Last, Pluck, Count and Raw(...).Find.
	OpQuery Operation = "query"
	// OpUpdate is Update, Updates, UpdateColumn(s) and Save of an existing row.
	OpUpdate Operation = "update"
	// OpDelete is Delete, including soft deletes.
	OpDelete Operation = "delete"
	// OpRaw is Exec.
	OpRaw Operation = "raw"
	// OpRow is Row, Rows and Raw(...).Scan.
	OpRow Operation = "row"
)

// TableStat is the tally of one table and operation.
type TableStat struct {
	// Table is the statement's table (db.Model or db.Table); "" for raw SQL
	// run without either.
	Table string
	// Op is the operation.
	Op Operation
	// Statements counts the operations run, failed ones included.
	Statements int64
	// Errors counts the operations that ended with an error (db.Error set).
	Errors int64
	// RowsAffected sums GORM's RowsAffected: rows written for writes, rows
	// returned for queries. MySQL and MariaDB count changed rows, not matched
	// ones, unless the DSN sets clientFoundRows=true. OpRow adds nothing:
	// its rows are read by the caller after the statement returns.
	RowsAffected int64
	// Time sums the duration of the operations, from the first callback of
	// the processor to the last: it includes GORM's default transaction
	// (begin and commit) and model hooks.
	Time time.Duration
}

// StatsSnapshot is a copy of the tallies, sorted by table then operation in
// the order create, query, update, delete, raw, row.
type StatsSnapshot []TableStat

// Get returns the tally of table and op; a zero TableStat naming them when
// no such statement ran.
func (s StatsSnapshot) Get(table string, op Operation) TableStat {
	for _, t := range s {
		if t.Table == table && t.Op == op {
			return t
		}
	}
	return TableStat{Table: table, Op: op}
}

// Total returns the sum of every tally, with an empty Table and Op.
func (s StatsSnapshot) Total() TableStat {
	var sum TableStat
	for _, t := range s {
		sum.Statements += t.Statements
		sum.Errors += t.Errors
		sum.RowsAffected += t.RowsAffected
		sum.Time += t.Time
	}
	return sum
}

// Stats is a GORM plugin counting, per table and operation, the statements
// run, the errors, the rows affected and the time spent. Install it with
// db.Use(&hooks.Stats{}); read it with Snapshot. The zero value is ready to
// use. It is safe for concurrent use by every session and transaction of the
// database it is installed on; a Stats must not be copied after first use.
//
// Statements built in DryRun sessions are counted as well (they take no
// time worth measuring but show what would run).
type Stats struct {
	// Now returns the current time; nil means time.Now. Tests may pin a
	// clock to obtain exact durations.
	Now func() time.Time

	mu     sync.Mutex
	tables map[statsKey]*TableStat
}

type statsKey struct {
	table string
	op    Operation
}

var _ gorm.Plugin = (*Stats)(nil)

// Name returns "gormup:stats"; a database has at most one Stats.
func (s *Stats) Name() string { return statsPluginName }

// Initialize registers Stats' callbacks on every processor of db: one before
// every other callback, which notes the start time, and one after every
// other callback, which records the outcome. It is called by db.Use.
func (s *Stats) Initialize(db *gorm.DB) error {
	cb := db.Callback()
	return errors.Join(
		cb.Create().Before("*").Register(statsBeforeCallback, s.before),
		cb.Create().After("*").Register(statsAfterCallback, s.after(OpCreate)),
		cb.Query().Before("*").Register(statsBeforeCallback, s.before),
		cb.Query().After("*").Register(statsAfterCallback, s.after(OpQuery)),
		cb.Update().Before("*").Register(statsBeforeCallback, s.before),
		cb.Update().After("*").Register(statsAfterCallback, s.after(OpUpdate)),
		cb.Delete().Before("*").Register(statsBeforeCallback, s.before),
		cb.Delete().After("*").Register(statsAfterCallback, s.after(OpDelete)),
		cb.Raw().Before("*").Register(statsBeforeCallback, s.before),
		cb.Raw().After("*").Register(statsAfterCallback, s.after(OpRaw)),
		cb.Row().Before("*").Register(statsBeforeCallback, s.before),
		cb.Row().After("*").Register(statsAfterCallback, s.after(OpRow)),
	)
}

func (s *Stats) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// before notes when the statement started; a statement that already failed
// will not run and is not counted.
func (s *Stats) before(db *gorm.DB) {
	if db.Error != nil {
		return
	}
	db.Statement.Settings.Store(settingStatsStart, s.now())
}

// after records the statement started by before, failed or not.
func (s *Stats) after(op Operation) func(*gorm.DB) {
	return func(db *gorm.DB) {
		v, ok := db.Statement.Settings.LoadAndDelete(settingStatsStart)
		if !ok {
			return
		}
		start, _ := v.(time.Time)
		elapsed := s.now().Sub(start)
		key := statsKey{table: db.Statement.Table, op: op}
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.tables == nil {
			s.tables = make(map[statsKey]*TableStat)
		}
		t := s.tables[key]
		if t == nil {
			t = &TableStat{Table: key.table, Op: op}
			s.tables[key] = t
		}
		t.Statements++
		if db.Error != nil {
			t.Errors++
		}
		if db.RowsAffected > 0 { // Row and Rows report -1: the rows are not read yet
			t.RowsAffected += db.RowsAffected
		}
		t.Time += elapsed
	}
}

// Snapshot returns a copy of the tallies so far, sorted by table and
// operation; it is empty (not nil) before the first statement.
func (s *Stats) Snapshot() StatsSnapshot {
	s.mu.Lock()
	out := make(StatsSnapshot, 0, len(s.tables))
	for _, t := range s.tables {
		out = append(out, *t)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b TableStat) int {
		return cmp.Or(cmp.Compare(a.Table, b.Table), cmp.Compare(opIndex(a.Op), opIndex(b.Op)))
	})
	return out
}

// Reset forgets every tally. Statements in flight when Reset is called are
// counted afresh when they finish.
func (s *Stats) Reset() {
	s.mu.Lock()
	s.tables = nil
	s.mu.Unlock()
}

// opIndex orders operations as Snapshot reports them.
func opIndex(op Operation) int {
	return slices.Index([]Operation{OpCreate, OpQuery, OpUpdate, OpDelete, OpRaw, OpRow}, op)
}

package index

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm"
)

// undeclaredPrefix is the prefix of GORM's generated index names; existing
// indexes that carry it but are not declared are reported as Undeclared.
const undeclaredPrefix = "idx_"

// Diff compares the indexes declared by models (see [Declarations]) with
// the database's catalog, without changing anything, and reports each
// declared index as Missing, Present or Drifted and every undeclared
// "idx_…" index of a declared table as Undeclared (see [Comparing with the
// catalog]). ctx bounds every query.
//
// A declaration the database cannot honour returns an *UnsupportedError, an
// unusable one a *DefError, and a model whose table does not exist
// ErrNoTable; errors for several declarations are joined.
//
// [Declarations]: https://pkg.go.dev/github.com/gormup/gormup/index#hdr-Declarations
// [Comparing with the catalog]: https://pkg.go.dev/github.com/gormup/gormup/index#hdr-Comparing_with_the_catalog
func Diff(ctx context.Context, db *gorm.DB, models []any) (Report, error) {
	if db == nil {
		return Report{}, ErrNilDB
	}
	p, err := plan(ctx, db, models)
	if err != nil {
		return Report{}, err
	}
	return p.report(), nil
}

// Ensure creates the declared indexes of models (see [Declarations]) that do
// not exist, through GORM's Migrator, and reports every declared index as
// Created, Present or Drifted. Existing indexes are never changed unless
// Repair is given, tables never: a second call issues no DDL. Declarations
// are checked before anything is created ([Dialect honesty]). ctx bounds
// every statement; db may be a transaction, except for CONCURRENTLY on
// PostgreSQL (ErrConcurrentlyInTransaction) and any DDL on MySQL and MariaDB
// (ErrDDLInTransaction), checked before anything is written.
//
// A failed CREATE or DROP is a *DDLError: Ensure goes on with the other
// indexes, joins the errors and returns the report of what it did (see
// [Concurrent callers] for races). Other errors are Diff's.
//
// [Declarations]: https://pkg.go.dev/github.com/gormup/gormup/index#hdr-Declarations
// [Dialect honesty]: https://pkg.go.dev/github.com/gormup/gormup/index#hdr-Dialect_honesty
// [Concurrent callers]: https://pkg.go.dev/github.com/gormup/gormup/index#hdr-Concurrent_callers
func Ensure(ctx context.Context, db *gorm.DB, models []any, opts ...EnsureOption) (Report, error) {
	if db == nil {
		return Report{}, ErrNilDB
	}
	var cfg config
	for _, o := range opts {
		if o != nil {
			o.applyEnsure(&cfg)
		}
	}
	p, err := plan(ctx, db, models)
	if err != nil {
		return Report{}, err
	}
	if err := p.checkTransaction(db, cfg); err != nil {
		return p.report(), err
	}
	var errs []error
	for _, t := range p.tables {
		for _, it := range t.items {
			if err := ctx.Err(); err != nil {
				return p.report(), errors.Join(append(errs, err)...)
			}
			switch {
			case it.status == Missing:
				errs = append(errs, p.create(ctx, db, cfg, t, it))
			case it.status == Drifted && cfg.repair:
				errs = append(errs, p.repair(ctx, db, cfg, t, it))
			}
		}
	}
	return p.report(), errors.Join(errs...)
}

// planned is the comparison of every declared table with the catalog.
type planned struct {
	d      *dialect.Dialect
	tables []*plannedTable
}

type plannedTable struct {
	model *model
	items []*item
}

type item struct {
	spec   *spec // nil for Undeclared
	name   string
	status Status
	diffs  []Difference
}

func plan(ctx context.Context, db *gorm.DB, values []any) (*planned, error) {
	d, err := dialect.Of(ctx, db)
	if err != nil {
		return nil, err
	}
	models, err := collect(db, values)
	if err != nil {
		return nil, err
	}
	if err := validate(d, models); err != nil {
		return nil, err
	}
	p := &planned{d: d}
	for _, m := range models {
		items, err := compareTable(ctx, db, d, m)
		if err != nil {
			return nil, err
		}
		p.tables = append(p.tables, &plannedTable{model: m, items: items})
	}
	return p, nil
}

// compareTable matches m's declarations with its table's catalog.
func compareTable(ctx context.Context, db *gorm.DB, d *dialect.Dialect, m *model) ([]*item, error) {
	if err := tableExists(ctx, db, m.table); err != nil {
		return nil, err
	}
	found, err := readCatalog(ctx, db, d, m.table)
	if err != nil {
		return nil, err
	}
	used := map[*existing]bool{}
	var items []*item
	var confirm []*spec
	for _, s := range m.specs {
		it := &item{spec: s, name: s.name, status: Missing}
		if e := lookup(found, s.name); e != nil {
			used[e] = true
			want := s.wanted(d)
			it.diffs = differences(want, e, d)
			it.status = Present
			if len(it.diffs) > 0 {
				it.status = Drifted
				if d.Has(dialect.IndexDefinitionRendering) && needsServer(want, e, it.diffs) {
					confirm = append(confirm, s)
				}
			}
		}
		items = append(items, it)
	}
	if len(confirm) > 0 {
		byServer, err := rendered(ctx, db, d, m.table, confirm)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if want := byServer[it.spec]; want != nil {
				it.diffs = differences(want, lookup(found, it.name), d)
				if len(it.diffs) == 0 {
					it.status = Present
				}
			}
		}
	}
	for _, e := range found {
		if !used[e] && !e.primary && strings.HasPrefix(strings.ToLower(e.name), undeclaredPrefix) {
			items = append(items, &item{name: e.name, status: Undeclared})
		}
	}
	return items, nil
}

// lookup finds an index by name: exactly, or ignoring case as MySQL does.
func lookup(found []*existing, name string) *existing {
	for _, e := range found {
		if e.name == name {
			return e
		}
	}
	for _, e := range found {
		if strings.EqualFold(e.name, name) {
			return e
		}
	}
	return nil
}

// checkTransaction refuses, before any DDL, what cannot run in db's
// transaction.
func (p *planned) checkTransaction(db *gorm.DB, cfg config) error {
	if !dialect.InTransaction(db) {
		return nil
	}
	for _, t := range p.tables {
		for _, it := range t.items {
			if it.status != Missing && !(it.status == Drifted && cfg.repair) {
				continue
			}
			if !p.d.Has(dialect.TransactionalDDL) {
				return fmt.Errorf("%w: %s on %s", ErrDDLInTransaction, it.name, t.model.table)
			}
			if p.d.Has(dialect.ConcurrentIndex) && (cfg.concurrently || it.spec.concurrently) {
				return fmt.Errorf("%w: %s on %s", ErrConcurrentlyInTransaction, it.name, t.model.table)
			}
		}
	}
	return nil
}

func (p *planned) create(ctx context.Context, db *gorm.DB, cfg config, t *plannedTable, it *item) error {
	s := *it.spec
	s.concurrently = s.concurrently || (cfg.concurrently && p.d.Has(dialect.ConcurrentIndex))
	err := s.create(dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx})), t.model.table, s.name)
	if err == nil {
		it.status = Created
		return nil
	}
	// Another process may have created it meanwhile.
	if found, rerr := readCatalog(ctx, db, p.d, t.model.table); rerr == nil && !db.DryRun {
		if e := lookup(found, s.name); e != nil && len(differences(s.wanted(p.d), e, p.d)) == 0 {
			it.status = Present
			return nil
		}
	}
	return &DDLError{Table: t.model.table, Index: s.name, Op: "create", Err: err}
}

// repair drops and re-creates a drifted index; on PostgreSQL and SQLite,
// whose DDL is transactional, both happen in one transaction unless the build
// is CONCURRENTLY.
func (p *planned) repair(ctx context.Context, db *gorm.DB, cfg config, t *plannedTable, it *item) error {
	s := *it.spec
	s.concurrently = s.concurrently || (cfg.concurrently && p.d.Has(dialect.ConcurrentIndex))
	table := t.model.table
	run := func(tx *gorm.DB) error {
		var err error
		if s.concurrently {
			// An index lives in its table's schema: qualify it as the table is,
			// or the search path could find a same-named index elsewhere.
			name := s.name
			if schema, _, ok := strings.Cut(table, "."); ok {
				name = schema + "." + s.name
			}
			err = tx.Exec("DROP INDEX CONCURRENTLY " + dialect.Quote(tx, name)).Error
		} else {
			err = tx.Table(table).Migrator().DropIndex(s.carrier(s.name), s.name)
		}
		if err != nil {
			return &DDLError{Table: table, Index: s.name, Op: "drop", Err: err}
		}
		if err := s.create(tx, table, s.name); err != nil {
			return &DDLError{Table: table, Index: s.name, Op: "create", Err: err}
		}
		return nil
	}
	base := dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx}))
	var err error
	if !s.concurrently && p.d.Has(dialect.AtomicIndexRebuild) {
		err = base.Transaction(run)
	} else {
		err = run(base)
	}
	if err == nil {
		it.status = Repaired
	}
	return err
}

func (p *planned) report() Report {
	var r Report
	for _, t := range p.tables {
		for _, it := range t.items {
			ir := Outcome{Table: t.model.table, Name: it.name, Status: it.status, Differences: it.diffs}
			if it.spec != nil {
				ir.Declared, ir.Source, ir.Warnings = it.spec.declared, it.spec.source, it.spec.warnings
			}
			r.Indexes = append(r.Indexes, ir)
		}
	}
	return r
}

// tableExists returns ErrNoTable when table does not exist, through GORM's
// Migrator, which reports failures as absence: a cancelled ctx is returned
// as itself. A DryRun session reads nothing and assumes the table. Like
// every catalog read that decides DDL, it goes to the primary when
// gorm.io/plugin/dbresolver routes reads to replicas, which may lag.
func tableExists(ctx context.Context, db *gorm.DB, table string) error {
	if db.DryRun || dialect.Primary(db.Session(&gorm.Session{NewDB: true, Context: ctx})).Migrator().HasTable(table) {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s", ErrNoTable, table)
}

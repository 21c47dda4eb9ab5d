package conformance

import (
	"time"

	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

// input is one awkward input: the tables, the rows seeded into both, how the
// caller scopes and conditions db, and which rows those conditions mean.
type input[T any] struct {
	name string
	// target is the table T's rows are read from and written to;
	// neighbour a table of the same shape, seeded alike, that no entry
	// point may write. prepare may rename the target (a qualified name).
	target, neighbour string
	// neighbourModel, when set, migrates the neighbour from this model (a
	// db.Model of another type) instead of from T.
	neighbourModel any
	seed           []T
	// prepare, when set, returns the handle to use and the target's name
	// (schema-qualified inputs); it runs after the test's database is open.
	prepare func(t *testing.T, db *dbtest.DB) (*gorm.DB, string)
	// scope applies the caller's Model/Table/Unscoped to db.
	scope func(db *gorm.DB, target string) *gorm.DB
	// where adds the caller's conditions; match is the same condition in Go.
	where func(db *gorm.DB) *gorm.DB
	match func(row *T) bool
	// whereOne selects exactly the row whose key is oneKey (updater.Update).
	whereOne func(db *gorm.DB) *gorm.DB
	oneKey   []any
	// keys are the key tuples given to UpdateKeys and UpdateRows.
	keys [][]any
	// rowsWhere gives UpdateRows the conditions too (they must be refused).
	rowsWhere bool
	// unscoped: the caller passed db.Unscoped(), soft-deleted rows count.
	unscoped bool
	// mismatch: db.Model names another table than T.
	mismatch bool
	// composite: T has a two-column key.
	composite bool
	// keysOnly: only the key-driven entry points apply.
	keysOnly bool
	// gscope and gscopeOne, when set, are the caller's conditions written
	// as gorm.G scopes and passed with each package's Scopes option instead
	// of on db (gscopeOne for the one-row entry points).
	gscope, gscopeOne func(*gorm.Statement)
}

func (in *input[T]) label() string { return in.name }

func plainScope(db *gorm.DB, target string) *gorm.DB { return db.Table(target) }

func statusIs(s string) func(db *gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB { return db.Where("status = ?", s) }
}

func idIs(id int64) func(db *gorm.DB) *gorm.DB {
	return func(db *gorm.DB) *gorm.DB { return db.Where("id = ?", id) }
}

// accounts is the plain seed: statuses new, closed, other, new, other, closed.
func accounts() []Account {
	st := []string{"new", "closed", "other", "new", "other", "closed"}
	rows := make([]Account, len(st))
	for i, s := range st {
		rows[i] = Account{ID: int64(i + 1), Status: s, Balance: int64(10 * (i + 1))}
	}
	return rows
}

var intKeys = [][]any{{int64(1)}, {int64(2)}, {int64(3)}, {int64(99)}}

// orInput is an Account input whose conditions are "new OR closed" written
// as where, and "id 3" written the same way as whereOne.
func orInput(name string, where, whereOne func(db *gorm.DB) *gorm.DB) runner {
	return &input[Account]{
		name: name, target: "accounts", neighbour: "twins", seed: accounts(),
		scope: plainScope, where: where,
		match:    func(r *Account) bool { return r.Status == "new" || r.Status == "closed" },
		whereOne: whereOne, oneKey: []any{int64(3)},
		keys: intKeys, rowsWhere: true,
	}
}

// gscopeInput is or-scope written the gorm.G way: the OR condition is a
// func(*gorm.Statement) given with batch.Scopes, updater.Scopes or
// chunk.Scopes, db carries none.
func gscopeInput() runner {
	in := orInput("or-gscope",
		func(db *gorm.DB) *gorm.DB { return db },
		func(db *gorm.DB) *gorm.DB { return db }).(*input[Account])
	in.gscope = func(s *gorm.Statement) { s.Where("status = ?", "new").Or("status = ?", "closed") }
	in.gscopeOne = func(s *gorm.Statement) { s.Where("status = ?", "zzz").Or("id = ?", 3) }
	return in
}

// inputs returns every input of the matrix for dialect.
func inputs(dialect string) []runner {
	rawOr := func(sep string) (func(*gorm.DB) *gorm.DB, func(*gorm.DB) *gorm.DB) {
		return func(db *gorm.DB) *gorm.DB { return db.Where("status = ?"+sep+"OR status = ?", "new", "closed") },
			func(db *gorm.DB) *gorm.DB { return db.Where("status = ?"+sep+"OR id = ?", "zzz", 3) }
	}
	nlWhere, nlOne := rawOr("\n")
	tabWhere, tabOne := rawOr("\t")
	isNew := func(s string) bool { return s == "new" }

	soft := func(name string, unscoped bool) runner {
		st := []string{"new", "closed", "other", "new", "other", "closed"}
		rows := make([]Soft, len(st))
		for i, s := range st {
			rows[i] = Soft{ID: int64(i + 1), Status: s, Balance: int64(10 * (i + 1))}
		}
		rows[1].DeletedAt = gorm.DeletedAt{Time: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), Valid: true}
		rows[3].DeletedAt = rows[1].DeletedAt
		scope := plainScope
		if unscoped {
			scope = func(db *gorm.DB, target string) *gorm.DB { return db.Unscoped().Table(target) }
		}
		return &input[Soft]{
			name: name, target: "softs", neighbour: "twins", seed: rows, scope: scope,
			where: func(db *gorm.DB) *gorm.DB { return db.Where("status IN ?", []string{"new", "closed"}) },
			match: func(r *Soft) bool { return r.Status == "new" || r.Status == "closed" },
			// Row 4 is soft-deleted: found only when unscoped.
			whereOne: idIs(4), oneKey: []any{int64(4)},
			keys: intKeys, unscoped: unscoped,
		}
	}

	// Keys the database calls equal to the stored "a" but Go does not.
	aKey, dupKey := "a", "a "
	if dialect == dbtest.MySQL {
		aKey, dupKey = "A", "A"
	} else if dialect == dbtest.Postgres {
		aKey = "a " // char(4) stores "a   "
	}
	codes := func() []Coded {
		st := []string{"new", "closed", "other", "new", "other", "closed"}
		rows := make([]Coded, len(st))
		for i, s := range st {
			rows[i] = Coded{Code: string(rune('a' + i)), Status: s, Balance: int64(10 * (i + 1))}
		}
		return rows
	}

	versioned := make([]Versioned, 6)
	aliased := make([]Aliased, 6)
	nullable := make([]Nullable, 6)
	composite := make([]Composite, 6)
	for i, s := range []string{"new", "closed", "other", "new", "other", "closed"} {
		id := int64(i + 1)
		versioned[i] = Versioned{ID: id, Status: s, Balance: 10 * id, Version: 2 * id}
		aliased[i] = Aliased{ID: id, Status: s, Balance: 10 * id, Version: 2 * id}
		composite[i] = Composite{Region: []string{"eu", "us"}[i%2], ID: int64(i/2 + 1), Status: s, Balance: 10 * id}
		nullable[i] = Nullable{ID: id, Balance: 10 * id}
		if ns := []string{"", "new", "other", "", "new", "closed"}[i]; ns != "" {
			nullable[i].Status = ptr(ns)
		}
		if i%2 == 1 {
			nullable[i].Version = ptr(id)
		}
	}

	return []runner{
		orInput("or-chained",
			func(db *gorm.DB) *gorm.DB { return db.Where("status = ?", "new").Or("status = ?", "closed") },
			func(db *gorm.DB) *gorm.DB { return db.Where("status = ?", "zzz").Or("id = ?", 3) }),
		// Scopes run only when the statement executes: a bound added to
		// the clauses before that cannot see them.
		orInput("or-scope",
			func(db *gorm.DB) *gorm.DB {
				return db.Scopes(func(d *gorm.DB) *gorm.DB { return d.Where("status = ?", "new").Or("status = ?", "closed") })
			},
			func(db *gorm.DB) *gorm.DB {
				return db.Scopes(func(d *gorm.DB) *gorm.DB { return d.Where("status = ?", "zzz").Or("id = ?", 3) })
			}),
		gscopeInput(),
		orInput("or-newline", nlWhere, nlOne),
		orInput("or-tab", tabWhere, tabOne),
		&input[Account]{
			name: "table-qualified", target: "accounts", neighbour: "accounts", seed: accounts(),
			prepare: qualified, scope: plainScope,
			where: statusIs("new"), match: func(r *Account) bool { return isNew(r.Status) },
			whereOne: idIs(1), oneKey: []any{int64(1)}, keys: intKeys,
		},
		&input[Account]{
			name: "model-mismatch", target: "accounts", neighbour: "others", neighbourModel: &Other{}, seed: accounts(),
			scope:    func(db *gorm.DB, _ string) *gorm.DB { return db.Model(&Other{}) },
			where:    statusIs("new"),
			match:    func(r *Account) bool { return isNew(r.Status) },
			whereOne: idIs(1), oneKey: []any{int64(1)}, keys: intKeys, mismatch: true,
		},
		&input[Versioned]{
			name: "version", target: "versioneds", neighbour: "twins", seed: versioned, scope: plainScope,
			where: statusIs("new"), match: func(r *Versioned) bool { return isNew(r.Status) },
			whereOne: idIs(1), oneKey: []any{int64(1)}, keys: intKeys,
		},
		// Names taken by UpdateRows' own aliases: the target is v, the
		// neighbour gormup_t, Balance's column gormup_n, Version's
		// gormup_expected_version.
		&input[Aliased]{
			name: "alias-collision", target: "v", neighbour: "gormup_t", seed: aliased, scope: plainScope,
			where: statusIs("new"), match: func(r *Aliased) bool { return isNew(r.Status) },
			whereOne: idIs(1), oneKey: []any{int64(1)}, keys: intKeys,
		},
		soft("soft-deleted", false),
		soft("soft-unscoped", true),
		&input[Composite]{
			name: "composite", target: "composites", neighbour: "twins", seed: composite, scope: plainScope,
			where: statusIs("new"), match: func(r *Composite) bool { return isNew(r.Status) },
			whereOne:  func(db *gorm.DB) *gorm.DB { return db.Where("region = ? AND id = ?", "us", 1) },
			oneKey:    []any{"us", int64(1)},
			keys:      [][]any{{"eu", int64(1)}, {"us", int64(2)}, {"eu", int64(3)}, {"eu", int64(9)}},
			composite: true,
		},
		&input[Coded]{
			name: "string-key", target: "codeds", neighbour: "twins", seed: codes(), scope: plainScope,
			where: statusIs("new"), match: func(r *Coded) bool { return isNew(r.Status) },
			whereOne: func(db *gorm.DB) *gorm.DB { return db.Where("code = ?", aKey) },
			oneKey:   []any{aKey},
			keys:     [][]any{{aKey}, {"b"}, {"zz"}},
		},
		&input[Coded]{
			name: "string-key-dup", target: "codeds", neighbour: "twins", seed: codes(), scope: plainScope,
			keys: [][]any{{"a"}, {dupKey}, {"c"}}, keysOnly: true,
		},
		&input[Nullable]{
			name: "nulls", target: "nullables", neighbour: "twins", seed: nullable, scope: plainScope,
			where: func(db *gorm.DB) *gorm.DB { return db.Where("status IS NULL OR status = ?", "new") },
			match: func(r *Nullable) bool { return r.Status == nil || *r.Status == "new" },
			// Row 1 has a NULL status and a NULL version.
			whereOne: func(db *gorm.DB) *gorm.DB { return db.Where("status IS NULL AND id = ?", 1) },
			oneKey:   []any{int64(1)}, keys: intKeys,
		},
	}
}

package index

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	gmodel "github.com/gormup/gormup/internal/model"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// Def declares one index in code, for models whose struct tags you cannot
// change. Pass it to On.
type Def struct {
	// Name is the index name. Empty means GORM's naming strategy applied to
	// the table and the key columns joined by "_" (idx_accounts_status_created_at
	// by default); a Def whose keys are all expressions must be named.
	Name string
	// Columns lists plain ascending key columns, by column or Go field name.
	// Use Keys instead for descending, expression or prefix keys; setting
	// both appends Keys after Columns.
	Columns []string
	// Keys lists key parts in order, each a column or an expression.
	Keys []Key
	// Unique makes a unique index.
	Unique bool
	// Where makes a partial index (SQL Server: a filtered index). It is
	// refused on MySQL and MariaDB, which have no partial indexes.
	Where string
	// Type is the index method, e.g. "btree", "hash", "gin" (PostgreSQL,
	// MySQL). Empty means the database's default.
	Type string
	// Option is appended to CREATE INDEX as GORM does for the option tag,
	// e.g. "WITH (fillfactor = 70)" on PostgreSQL. "CONCURRENTLY" is
	// recognised and handled as the Concurrently option.
	Option string
	// Comment is stored on MySQL and MariaDB and ignored elsewhere, with a
	// warning in the report.
	Comment string
}

// Key is one key part of a Def: a column or an expression.
type Key struct {
	// Column names the column, by column or Go field name.
	Column string
	// Expression is an SQL expression such as "lower(email)" (PostgreSQL and
	// SQLite only); when set, Column must be empty.
	Expression string
	// Desc sorts the key part in descending order.
	Desc bool
	// Length indexes only a prefix of the column (MySQL and MariaDB); on
	// other databases a non-unique index ignores it with a warning and a
	// unique one is refused.
	Length int
	// Collate sets the key part's collation (PostgreSQL and SQLite).
	Collate string
}

// Declared carries indexes declared in code for one model. It is built by On
// and passed to Ensure and Diff in place of, or next to, models.
type Declared struct {
	model any
	defs  []Def
}

// On declares defs on model's table, for Ensure and Diff. The returned value
// stands for the defs only: pass the model itself as well to also handle the
// indexes of its struct tags. Nothing is registered globally.
func On[T any](model *T, defs ...Def) Declared {
	return Declared{model: model, defs: defs}
}

// spec is one declared index, normalised from a tag or a Def.
type spec struct {
	table        string
	declared     string // name as declared
	name         string // name in the database (shortened when too long)
	source       string
	unique       bool
	class        string // FULLTEXT or SPATIAL; uniqueness is in unique
	typ          string
	where        string
	option       string // without CONCURRENTLY
	comment      string
	concurrently bool
	keys         []key
	warnings     []string
}

type key struct {
	column, expr, collate string
	desc                  bool
	length                int
}

// model is one table with its parsed schema and declarations.
type model struct {
	value  any
	schema *schema.Schema
	table  string
	specs  []*spec
}

// collect parses every model and Declared value into tables in first-seen
// order, merging the declarations of one table.
func collect(db *gorm.DB, values []any) ([]*model, error) {
	var out []*model
	byTable := map[string]*model{}
	for _, v := range values {
		var defs []Def
		tags := true
		if d, ok := v.(Declared); ok {
			v, defs, tags = d.model, d.defs, false
		}
		sch, table, err := parse(db, v)
		if err != nil {
			return nil, err
		}
		m := byTable[table]
		if m == nil {
			m = &model{value: v, schema: sch, table: table}
			byTable[table] = m
			out = append(out, m)
		}
		var specs []*spec
		if tags {
			for _, idx := range sch.ParseIndexes() {
				specs = append(specs, fromTag(table, idx))
			}
		}
		for _, d := range defs {
			s, err := fromDef(db, sch, table, d)
			if err != nil {
				return nil, err
			}
			specs = append(specs, s)
		}
		for _, s := range specs {
			if err := m.add(s); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// parse returns the schema and table of a model, honouring a Table() set on
// db; a table qualified with a schema or database keeps its qualifier.
func parse(db *gorm.DB, v any) (*schema.Schema, string, error) {
	if v == nil {
		return nil, "", &DefError{Reason: "nil model"}
	}
	table, err := gmodel.Table(db)
	if err != nil {
		return nil, "", &DefError{Reason: "db.Table must name one table, optionally qualified", Err: err}
	}
	stmt := &gorm.Statement{DB: db}
	if err := stmt.ParseWithSpecialTableName(v, table); err != nil {
		return nil, "", fmt.Errorf("index: parsing model %T: %w", v, err)
	}
	return stmt.Schema, stmt.Schema.Table, nil
}

// add merges s into m: the same name declared twice must agree.
func (m *model) add(s *spec) error {
	for _, old := range m.specs {
		if old.declared != s.declared {
			continue
		}
		if old.signature() != s.signature() {
			return &DefError{Table: m.table, Index: s.declared, Reason: "declared twice with different definitions"}
		}
		return nil
	}
	m.specs = append(m.specs, s)
	return nil
}

func (s *spec) signature() string {
	return fmt.Sprintf("%v|%s|%s|%s|%s|%s|%v|%+v", s.unique, s.class, s.typ, s.where, s.option, s.comment, s.concurrently, s.keys)
}

func fromTag(table string, idx *schema.Index) *spec {
	s := &spec{table: table, declared: idx.Name, source: SourceTag,
		typ: idx.Type, where: idx.Where, comment: idx.Comment}
	switch class := strings.ToUpper(strings.TrimSpace(idx.Class)); class {
	case "UNIQUE":
		s.unique = true
	case "":
	default:
		s.class = class
	}
	s.setOption(idx.Option)
	for _, f := range idx.Fields {
		k := key{expr: f.Expression, collate: f.Collate, length: f.Length, desc: strings.EqualFold(strings.TrimSpace(f.Sort), "desc")}
		if k.expr == "" {
			k.column = f.DBName
		}
		s.keys = append(s.keys, k)
	}
	return s
}

func fromDef(db *gorm.DB, sch *schema.Schema, table string, d Def) (*spec, error) {
	s := &spec{table: table, declared: d.Name, source: SourceCode, unique: d.Unique,
		typ: d.Type, where: d.Where, comment: d.Comment}
	s.setOption(d.Option)
	keys := make([]Key, 0, len(d.Columns)+len(d.Keys))
	for _, c := range d.Columns {
		keys = append(keys, Key{Column: c})
	}
	keys = append(keys, d.Keys...)
	var cols []string
	for _, k := range keys {
		switch {
		case k.Column != "" && k.Expression != "":
			return nil, &DefError{Table: table, Index: d.Name, Reason: "a key has both a column and an expression"}
		case k.Expression != "":
			s.keys = append(s.keys, key{expr: k.Expression, desc: k.Desc, collate: k.Collate})
		default:
			f := sch.LookUpField(k.Column)
			if f == nil || f.DBName == "" {
				return nil, &DefError{Table: table, Index: d.Name, Reason: fmt.Sprintf("unknown column %q", k.Column)}
			}
			cols = append(cols, f.DBName)
			s.keys = append(s.keys, key{column: f.DBName, desc: k.Desc, length: k.Length, collate: k.Collate})
		}
	}
	if len(s.keys) == 0 {
		return nil, &DefError{Table: table, Index: d.Name, Reason: "no key columns or expressions"}
	}
	if s.declared == "" {
		if len(cols) == 0 {
			return nil, &DefError{Table: table, Reason: "an index of expressions only needs a Name"}
		}
		s.declared = db.NamingStrategy.IndexName(table, strings.Join(cols, "_"))
	}
	return s, nil
}

// setOption records an option, recognising CONCURRENTLY.
func (s *spec) setOption(option string) {
	option = strings.TrimSpace(option)
	if strings.EqualFold(option, "CONCURRENTLY") {
		s.concurrently = true
		return
	}
	s.option = option
}

// hashLength is how many hex digits of SHA-256 a shortened name ends with.
const hashLength = 8

// shorten returns name unchanged when it fits in limit bytes (0: no limit),
// and otherwise its first bytes, "_" and the first hashLength hex digits of
// the SHA-256 of the full name: deterministic, so every run finds the index
// it created.
func shorten(name string, limit int) string {
	if limit <= 0 || len(name) <= limit {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	prefix := name[:limit-hashLength-1]
	// Do not cut a multi-byte character in half.
	for len(prefix) > 0 && prefix[len(prefix)-1]&0xC0 == 0x80 {
		prefix = prefix[:len(prefix)-1]
	}
	if len(prefix) > 0 && prefix[len(prefix)-1] >= 0xC0 {
		prefix = prefix[:len(prefix)-1]
	}
	return prefix + "_" + hex.EncodeToString(sum[:])[:hashLength]
}

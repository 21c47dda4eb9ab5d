package projection

import (
	"database/sql"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"
	"weak"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// TagName is the struct tag the package reads, next to gorm's own
// column:, embedded, embeddedPrefix: and "-" settings. Its settings, separated
// by ';', are:
//
//	table:NAME  read this field (or, on a nested struct, all its fields) from
//	            the joined table NAME: a relationship of the model by field
//	            name (the alias Joins("Owner") gives it) or by table name.
//	expr:SQL    select the raw SQL expression instead of a column, aliased
//	            as the field's column name; it must come last in the tag and
//	            runs to the end of it, so it may contain ';' and ':'.
const TagName = "projection"

// column is one item of the SELECT list and the DTO field it scans into.
type column struct {
	table  string // qualifier; "" for expressions
	name   string // column name, or the alias of an expression
	expr   string // raw SQL of a computed field
	field  string // path of the field in the DTO, for errors
	offset uintptr
	typ    reflect.Type
	ptr    func(unsafe.Pointer) any // scan destination at a field address
}

// mapping is a DTO type's SELECT list on one model, computed once.
type mapping struct {
	cols []column
}

// cacheKey identifies a mapping. The schema comes from the *gorm.DB's own
// schema cache, so it already stands for the naming strategy; the table is
// the query's (db.Table may rename it).
type cacheKey struct {
	schema weak.Pointer[schema.Schema]
	dto    reflect.Type
	table  string
}

// cache holds mappings weakly keyed by their model schema: entries vanish
// when the *gorm.DB (and with it its schema cache) is garbage collected.
var cache sync.Map // cacheKey -> *mapping

// target is the model, or a joined model, a field reads from.
type target struct {
	qualifier string
	schema    *schema.Schema
}

// modelOf parses the model of db with db's schema cache and returns its
// schema and the table name columns are qualified with.
func modelOf(db *gorm.DB) (*schema.Schema, string, error) {
	model := db.Statement.Model
	if model == nil {
		return nil, "", ErrNoModel
	}
	stmt := &gorm.Statement{DB: db, Table: db.Statement.Table}
	if err := stmt.Parse(model); err != nil {
		return nil, "", fmt.Errorf("projection: parsing model %T: %w", model, err)
	}
	return stmt.Schema, stmt.Table, nil
}

// mappingFor returns the cached mapping of dto on db's model.
func mappingFor(db *gorm.DB, dto reflect.Type) (*mapping, *schema.Schema, string, error) {
	s, table, err := modelOf(db)
	if err != nil {
		return nil, nil, "", err
	}
	if dto.Kind() != reflect.Struct {
		return nil, s, table, ErrNotStruct
	}
	key := cacheKey{schema: weak.Make(s), dto: dto, table: table}
	if m, ok := cache.Load(key); ok {
		return m.(*mapping), s, table, nil
	}
	b := builder{db: db, model: s, table: table, dto: dto}
	if err := b.walk(dto, 0, "", "", target{qualifier: table, schema: s}); err != nil {
		return nil, s, table, err
	}
	if len(b.cols) == 0 {
		return nil, s, table, ErrNoColumns
	}
	m := &mapping{cols: b.cols}
	if v, loaded := cache.LoadOrStore(key, m); loaded {
		return v.(*mapping), s, table, nil
	}
	runtime.AddCleanup(s, func(k cacheKey) { cache.Delete(k) }, key)
	return m, s, table, nil
}

// builder walks a DTO type and collects its columns.
type builder struct {
	db    *gorm.DB
	model *schema.Schema
	table string
	dto   reflect.Type
	cols  []column
}

var (
	scannerType = reflect.TypeFor[sql.Scanner]()
	timeType    = reflect.TypeFor[time.Time]()
)

// isLeaf reports whether values of t are scanned whole.
func isLeaf(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return true
	}
	return t == timeType || t.Implements(scannerType) || reflect.PointerTo(t).Implements(scannerType)
}

func (b *builder) fail(path, table, col, reason string, err error) error {
	return &FieldError{DTO: b.dto.Name(), Model: b.model.Name, Field: path, Column: col, Table: table, Reason: reason, Err: err}
}

// walk adds the columns of struct type t found at offset base; prefix is an
// embeddedPrefix and tgt the table its fields read from.
func (b *builder) walk(t reflect.Type, base uintptr, path, prefix string, tgt target) error {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		settings := schema.ParseTagSetting(f.Tag.Get("gorm"), ";")
		if _, ok := settings["-"]; ok {
			continue
		}
		fpath := f.Name
		if path != "" {
			fpath = path + "." + f.Name
		}
		ptable, expr, err := parseTag(f.Tag.Get(TagName))
		if err != nil {
			return b.fail(fpath, "", "", err.Error(), ErrUnsupportedField)
		}
		ftgt := tgt
		if ptable != "" {
			if ftgt, err = b.resolveTable(ptable); err != nil {
				return b.fail(fpath, ptable, "", "", err)
			}
		}
		if expr == "" && !isLeaf(f.Type) {
			_, embedded := settings["EMBEDDED"]
			if !f.Anonymous && !embedded && ptable == "" {
				return b.fail(fpath, "", "", "a nested struct must be embedded, tagged gorm:\"embedded\" or projection:\"table:NAME\"", ErrUnsupportedField)
			}
			if err := b.walkNested(f, base, fpath, prefix+settings["EMBEDDEDPREFIX"], ftgt); err != nil {
				return err
			}
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Pointer && f.Type.Elem().Kind() == reflect.Struct && !isLeaf(f.Type.Elem()) {
			return b.fail(fpath, "", "", "embedded pointers to structs are not supported; embed the struct by value", ErrUnsupportedField)
		}
		if !f.IsExported() {
			continue
		}
		if err := b.addLeaf(f, base, fpath, prefix, settings["COLUMN"], expr, ftgt); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) walkNested(f reflect.StructField, base uintptr, path, prefix string, tgt target) error {
	if f.Type.Kind() != reflect.Struct {
		return b.fail(path, "", "", "embedded pointers to structs are not supported; embed the struct by value", ErrUnsupportedField)
	}
	return b.walk(f.Type, base+f.Offset, path, prefix, tgt)
}

// addLeaf maps one scalar field to its column or expression.
func (b *builder) addLeaf(f reflect.StructField, base uintptr, path, prefix, tagColumn, expr string, tgt target) error {
	c := column{field: path, offset: base + f.Offset, typ: f.Type, ptr: pointerTo(f.Type)}
	if expr != "" {
		c.name = tagColumn
		if c.name == "" {
			c.name = b.db.NamingStrategy.ColumnName("", f.Name)
		}
		c.expr = expr
		b.cols = append(b.cols, c)
		return nil
	}
	name := prefix + tagColumn
	if tagColumn == "" {
		name = prefix + b.db.NamingStrategy.ColumnName("", f.Name)
		// A model field of the same Go name wins: it may rename its column.
		if prefix == "" {
			if mf := tgt.schema.FieldsByName[f.Name]; mf != nil && mf.DBName != "" {
				name = mf.DBName
			}
		}
	}
	if mf := tgt.schema.FieldsByDBName[name]; mf == nil {
		return b.fail(path, tgt.qualifier, name, "", ErrUnknownField)
	}
	c.table, c.name = tgt.qualifier, name
	b.cols = append(b.cols, c)
	return nil
}

// resolveTable finds the model or relationship a projection:"table:…" names.
func (b *builder) resolveTable(name string) (target, error) {
	if name == b.table || name == b.model.Table {
		return target{qualifier: b.table, schema: b.model}, nil
	}
	if rel, ok := b.model.Relationships.Relations[name]; ok {
		return target{qualifier: name, schema: rel.FieldSchema}, nil
	}
	for _, rel := range b.model.Relationships.Relations {
		if rel.FieldSchema != nil && rel.FieldSchema.Table == name {
			return target{qualifier: name, schema: rel.FieldSchema}, nil
		}
	}
	return target{}, ErrUnknownTable
}

// parseTag reads a projection tag: table:NAME and expr:SQL settings.
func parseTag(tag string) (table, expr string, err error) {
	for {
		tag = strings.TrimLeft(tag, "; ")
		if tag == "" {
			return table, expr, nil
		}
		if len(tag) >= 5 && strings.EqualFold(tag[:5], "expr:") {
			if expr = strings.TrimSpace(tag[5:]); expr == "" {
				return "", "", errTag("empty expr in projection tag")
			}
			return table, expr, nil
		}
		item, next, _ := strings.Cut(tag, ";")
		key, val, _ := strings.Cut(item, ":")
		if !strings.EqualFold(strings.TrimSpace(key), "table") {
			return "", "", errTag("unknown setting " + strconv.Quote(strings.TrimSpace(key)) + " in projection tag")
		}
		if table = strings.TrimSpace(val); table == "" {
			return "", "", errTag("empty table in projection tag")
		}
		tag = next
	}
}

type errTag string

func (e errTag) Error() string { return string(e) }

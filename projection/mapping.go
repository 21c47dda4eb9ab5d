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
	// ser is the DTO's field as GORM parses it, for a field with a
	// serializer: tag: scanned into ser.NewValuePool's value, then set
	// with ser.Set, as GORM's own Find does. nil for other fields.
	ser *schema.Field
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
	// physical is the table a Model-less db.Table query was checked against
	// ("archive.accounts" and "accounts" share table but not physical).
	physical string
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
// schema and the table name columns are qualified with. Without a Model, a
// query on db.Table(NAME) takes dto as its model, as GORM's Find(&dtos) does;
// dto nil (Pluck) or a table expression (a subquery, bound variables) is
// ErrNoModel.
func modelOf(db *gorm.DB, dto reflect.Type) (*schema.Schema, string, error) {
	model := db.Statement.Model
	if model == nil {
		if _, err := tableOnly(db); err != nil || dto == nil || dto.Kind() != reflect.Struct {
			if err == nil {
				err = ErrNoModel
			}
			return nil, "", err
		}
		model = reflect.New(dto).Interface()
	}
	stmt := &gorm.Statement{DB: db, Table: db.Statement.Table}
	if err := stmt.Parse(model); err != nil {
		return nil, "", fmt.Errorf("projection: parsing model %T: %w", model, err)
	}
	return stmt.Schema, stmt.Table, nil
}

// tableOnly returns the table a Model-less db.Table(NAME) query reads —
// NAME, schema.NAME, or either with an alias — so that the DTO's columns can
// be checked against the catalog before the query runs. A query with neither
// Model nor Table, or a Table that is an expression whose columns cannot be
// looked up (a subquery, bound variables), is ErrNoModel.
func tableOnly(db *gorm.DB) (string, error) {
	stmt := db.Statement
	if stmt.Table == "" && stmt.TableExpr == nil {
		return "", ErrNoModel
	}
	name := stmt.Table
	if e := stmt.TableExpr; e != nil {
		if len(e.Vars) > 0 || strings.ContainsAny(e.SQL, "()?") {
			return "", fmt.Errorf("%w: db.Table(%q) is an expression whose columns cannot be checked before the query; add db.Model(&X{}) naming the model its columns come from", ErrNoModel, e.SQL)
		}
		name, _, _ = strings.Cut(strings.TrimSpace(e.SQL), " ")
		name = strings.NewReplacer("`", "", `"`, "", "[", "", "]", "").Replace(name)
	}
	return name, nil
}

// checkCatalog makes sure every column m reads from the model's own table
// exists on table, the physical table of a Model-less db.Table query, reading
// the catalog (no query on the table's rows). In DryRun nothing is read.
func checkCatalog(db *gorm.DB, m *mapping, dto reflect.Type, qualifier, table string) error {
	if db.DryRun {
		return nil
	}
	types, err := db.Session(&gorm.Session{NewDB: true}).Migrator().ColumnTypes(table)
	if err != nil {
		return fmt.Errorf("projection: reading the columns of %s: %w", table, err)
	}
	have := make(map[string]bool, len(types))
	for _, t := range types {
		have[strings.ToLower(t.Name())] = true
	}
	for _, c := range m.cols {
		if c.expr == "" && c.table == qualifier && !have[strings.ToLower(c.name)] {
			return &FieldError{DTO: dto.Name(), Model: dto.Name(), Field: c.field, Column: c.name, Table: table, Err: ErrUnknownField}
		}
	}
	return nil
}

// mappingFor returns the cached mapping of dto on db's model.
func mappingFor(db *gorm.DB, dto reflect.Type) (*mapping, *schema.Schema, string, error) {
	s, table, err := modelOf(db, dto)
	if err != nil {
		return nil, nil, "", err
	}
	if dto.Kind() != reflect.Struct {
		return nil, s, table, ErrNotStruct
	}
	key := cacheKey{schema: weak.Make(s), dto: dto, table: table}
	if db.Statement.Model == nil {
		key.physical, _ = tableOnly(db) // modelOf checked it
	}
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
	if db.Statement.Model == nil {
		if err := checkCatalog(db, m, dto, table, key.physical); err != nil {
			return nil, s, table, err
		}
	}
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
	// dtoSchema is the DTO parsed by GORM, on the first serializer field.
	dtoSchema *schema.Schema
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
		if name := serializerName(settings); name != "" && expr == "" {
			if err := b.addSerialized(f, base, fpath, prefix, settings["COLUMN"], name, ftgt); err != nil {
				return err
			}
			continue
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

// serializerName returns the serializer a gorm tag names (serializer:NAME,
// or GORM's older json:NAME spelling), "" if none.
func serializerName(settings map[string]string) string {
	if name := settings["JSON"]; name != "" {
		return name
	}
	return settings["SERIALIZER"]
}

// addSerialized maps a field with a serializer: tag to its column. GORM's
// parse of the DTO supplies the field's Set and value pool, so the value is
// decoded exactly as GORM's Select + Find decodes it. An unregistered
// serializer, or a serializer field GORM's parse does not reach (inside a
// projection:"table:…" struct), is refused before any SQL.
func (b *builder) addSerialized(f reflect.StructField, base uintptr, path, prefix, tagColumn, name string, tgt target) error {
	if _, ok := schema.GetSerializer(name); !ok {
		return b.fail(path, "", "", "serializer "+strconv.Quote(name)+" is not registered (schema.RegisterSerializer)", ErrUnsupportedField)
	}
	if tgt.schema != b.model {
		return b.fail(path, "", "", "a serializer field must sit on the DTO's top level or in an embedded struct, not in a projection:\"table:…\" struct", ErrUnsupportedField)
	}
	if b.dtoSchema == nil {
		stmt := &gorm.Statement{DB: b.db}
		if err := stmt.Parse(reflect.New(b.dto).Interface()); err != nil {
			return b.fail(path, "", "", "GORM cannot parse the DTO for its serializer fields: "+err.Error(), ErrUnsupportedField)
		}
		b.dtoSchema = stmt.Schema
	}
	sf := b.dtoSchema.FieldsByName[f.Name]
	if sf == nil || sf.Serializer == nil || sf.StructField.Type != f.Type || !sameOffset(b.dto, sf.StructField.Index, base+f.Offset) {
		return b.fail(path, "", "", "a serializer field must sit on the DTO's top level or in an embedded struct", ErrUnsupportedField)
	}
	if err := b.addLeaf(f, base, path, prefix, tagColumn, "", tgt); err != nil {
		return err
	}
	b.cols[len(b.cols)-1].ser = sf
	return nil
}

// sameOffset reports whether the field at index path of t sits at offset.
func sameOffset(t reflect.Type, index []int, offset uintptr) bool {
	var at uintptr
	for _, i := range index {
		if t.Kind() != reflect.Struct {
			return false
		}
		f := t.Field(i)
		at += f.Offset
		t = f.Type
	}
	return at == offset
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

package index

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"gorm.io/gorm"
)

// carrier returns a value of a struct type built at run time whose fields
// carry s as GORM index tags, so that db.Migrator().CreateIndex(carrier, name)
// renders s exactly as GORM renders a tagged model, under name and with the
// settings validate left out removed. GORM caches the parsed type per
// *gorm.DB; reflect.StructOf returns one type per distinct declaration.
func (s *spec) carrier(name string) any {
	fields := make([]reflect.StructField, len(s.keys))
	for i, k := range s.keys {
		column := k.column
		if k.expr != "" {
			column = fmt.Sprintf("gormup_expression_%d", i)
		}
		settings := []string{name, "priority:" + strconv.Itoa(i+1)}
		add := func(k, v string) {
			if v != "" {
				settings = append(settings, k+":"+strings.ReplaceAll(v, ",", `\,`))
			}
		}
		if i == 0 {
			if s.unique {
				add("class", "UNIQUE")
			} else {
				add("class", s.class)
			}
			add("type", s.typ)
			add("where", s.where)
			add("comment", s.comment)
			if s.concurrently {
				add("option", "CONCURRENTLY")
			} else {
				add("option", s.option)
			}
		}
		add("expression", k.expr)
		add("collate", k.collate)
		if k.desc {
			add("sort", "DESC")
		}
		if k.length > 0 {
			add("length", strconv.Itoa(k.length))
		}
		tag := "column:" + column + ";index:" + strings.Join(settings, ",")
		fields[i] = reflect.StructField{
			Name: fmt.Sprintf("K%d", i),
			Type: reflect.TypeFor[string](),
			Tag:  reflect.StructTag(`gorm:` + strconv.Quote(tag)),
		}
	}
	return reflect.New(reflect.StructOf(fields)).Interface()
}

// create builds the index through GORM's Migrator on table, under name.
func (s *spec) create(db *gorm.DB, table, name string) error {
	return db.Table(table).Migrator().CreateIndex(s.carrier(name), name)
}

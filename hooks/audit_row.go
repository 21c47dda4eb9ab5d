package hooks

import (
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// AuditRow is a row of the audit table, for reading the trail back:
//
//	var trail []hooks.AuditRow
//	db.Table(hooks.DefaultAuditTable).Where("table_name = ? AND row_key = ?", "accounts", "42").Order("id").Find(&trail)
//
// Values are stored as text: strings as they are, numbers and booleans in
// Go's formatting, times in RFC 3339 with nanoseconds (UTC), []byte as text
// when it is valid UTF-8 and as 0x-prefixed hex otherwise, driver.Valuer
// values through their Value, GORM expressions (gorm.Expr) as SQL with their
// variables inlined, and anything else with fmt's %v. nil is NULL.
type AuditRow struct {
	// ID orders the rows: within a statement, in the order of its changes.
	ID int64 `gorm:"primaryKey;autoIncrement"`
	// Table is the table written.
	Table string `gorm:"column:table_name;size:128;not null"`
	// RowKey is the primary key of the row written: its single value as
	// text, a JSON array of texts for a composite key, "" for a set-based
	// write (see WhereSQL).
	RowKey string `gorm:"size:255;index"`
	// WhereSQL is the condition of a set-based write (batch.Update); "" for a
	// keyed one.
	WhereSQL string
	// Column is the column written.
	Column string `gorm:"column:column_name;size:128;not null"`
	// OldValue is the value before the write; NULL when unknown (OldKnown
	// false) or NULL.
	OldValue *string
	// OldKnown says whether OldValue holds the old value.
	OldKnown bool
	// NewValue is the value written, or the SQL expression that computed it.
	NewValue *string
	// Actor is who made the change (WithActor); "" if unknown.
	Actor string `gorm:"size:255"`
	// RowsAffected is the RowsAffected of the statement.
	RowsAffected int64
	// ChangedAt is when the statement ran, in UTC.
	ChangedAt time.Time `gorm:"not null"`
}

// auditColumns is the number of bind parameters of one AuditRow insert.
const auditColumns = 10

// auditRowOf renders r as a row of the audit table.
func auditRowOf(db *gorm.DB, r Record) AuditRow {
	row := AuditRow{
		Table:        r.Table,
		RowKey:       keyText(db, r.Key),
		WhereSQL:     r.Where,
		Column:       r.Column,
		OldKnown:     r.OldKnown,
		NewValue:     valueText(db, r.New),
		Actor:        r.Actor,
		RowsAffected: r.Rows,
		ChangedAt:    r.At,
	}
	if r.OldKnown {
		row.OldValue = valueText(db, r.Old)
	}
	return row
}

// keyText renders a primary key: one value as text, several as a JSON array
// of texts (NULL parts as null), none as "".
func keyText(db *gorm.DB, key []any) string {
	switch len(key) {
	case 0:
		return ""
	case 1:
		if s := valueText(db, key[0]); s != nil {
			return *s
		}
		return ""
	}
	parts := make([]*string, len(key))
	for i, k := range key {
		parts[i] = valueText(db, k)
	}
	b, err := json.Marshal(parts)
	if err != nil { // cannot happen for []*string
		return fmt.Sprint(key)
	}
	return string(b)
}

// valueText renders v as AuditRow documents; nil for NULL.
func valueText(db *gorm.DB, v any) *string {
	text := func(s string) *string { return &s }
	for range 8 { // unwrap pointers and Valuers, a bounded number of times
		if v == nil {
			return nil
		}
		rv := reflect.ValueOf(v)
		_, isValuer := v.(driver.Valuer)
		if rv.Kind() == reflect.Pointer {
			if rv.IsNil() {
				return nil
			}
			if _, isExpr := v.(clause.Expression); !isValuer && !isExpr {
				v = rv.Elem().Interface()
				continue
			}
		}
		switch x := v.(type) {
		case clause.Expression:
			return text(exprText(db, x))
		case string:
			return text(x)
		case time.Time:
			return text(x.UTC().Format(time.RFC3339Nano))
		}
		if isValuer {
			dv, err := v.(driver.Valuer).Value()
			if err != nil {
				return text(fmt.Sprintf("%v", v))
			}
			v = dv
			continue
		}
		if rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 {
			if b := rv.Bytes(); utf8.Valid(b) {
				return text(string(b))
			}
			return text("0x" + hex.EncodeToString(rv.Bytes()))
		}
		return text(fmt.Sprintf("%v", v))
	}
	return text(fmt.Sprintf("%v", v))
}

// exprText renders a GORM expression as SQL with its variables inlined, as
// GORM's logger shows statements.
func exprText(db *gorm.DB, e clause.Expression) string {
	stmt := &gorm.Statement{DB: db, Clauses: map[string]clause.Clause{}}
	e.Build(stmt)
	return db.Dialector.Explain(stmt.SQL.String(), stmt.Vars...)
}

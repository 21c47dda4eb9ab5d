package batch

import (
	"database/sql/driver"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gormup/gormup/internal/dialect"
	"gorm.io/gorm/schema"
)

// valueKind is how a derived column's values travel in the JSON document of
// a MySQL/MariaDB chunk (dialect.BulkJSONTable), and the JSON_TABLE type
// that reads them back: the type go-sql-driver gives the same Go value as a
// bind parameter, so the assignment to the column converts exactly as
// GORM's own UPDATE does.
type valueKind uint8

const (
	kindText  valueKind = iota // JSON string; LONGTEXT in the column's character set and collation
	kindInt                    // JSON number; BIGINT (bools as 1 and 0)
	kindUint                   // JSON number; BIGINT UNSIGNED
	kindFloat                  // JSON number; DOUBLE
	kindTime                   // JSON string in the driver's time format and zone; LONGTEXT ASCII
	kindHex                    // hex JSON string; LONGTEXT ASCII, decoded with UNHEX where used
)

// jsonCol is one JSON_TABLE column: how its values are encoded and the
// SQL type it is declared with.
type jsonCol struct {
	kind valueKind
	typ  string
	name string // column name for errors
}

// newJSONCol picks the encoding of field f written to a column whose
// character set is cs (zero for non-string columns or when unknown).
func newJSONCol(f *schema.Field, cs dialect.Charset, known bool) jsonCol {
	c := jsonCol{name: f.DBName}
	switch {
	case cs.Binary || f.GORMDataType == schema.Bytes:
		c.kind = kindHex
	case f.GORMDataType == schema.Bool || f.GORMDataType == schema.Int:
		c.kind = kindInt
	case f.GORMDataType == schema.Uint:
		c.kind = kindUint
	case f.GORMDataType == schema.Float:
		c.kind = kindFloat
	case f.GORMDataType == schema.Time:
		c.kind = kindTime
	case f.GORMDataType == schema.String:
		c.kind = kindText
	default:
		// Custom types (Valuers, serializers): their driver value's bytes,
		// as a binary string parameter would carry them.
		c.kind = kindHex
	}
	switch c.kind {
	case kindInt:
		c.typ = "BIGINT"
	case kindUint:
		c.typ = "BIGINT UNSIGNED"
	case kindFloat:
		c.typ = "DOUBLE"
	case kindText:
		c.typ = "LONGTEXT CHARACTER SET utf8mb4"
		if known && cs.Name != "" {
			c.typ = "LONGTEXT CHARACTER SET " + cs.Name + " COLLATE " + cs.Collation
		}
	default:
		c.typ = "LONGTEXT CHARACTER SET ascii"
	}
	return c
}

// writeJSONTable writes JSON_TABLE(?, '$[*]' COLUMNS ([gormup_n FOR
// ORDINALITY, ]name TYPE PATH '$[i]', ..)), reading one chunk's JSON array
// of row arrays; numbered adds the ordinal column the read-back statements
// report rows by.
func (s *rowsStmt) writeJSONTable(b *strings.Builder, numbered bool) {
	b.WriteString("JSON_TABLE(?, '$[*]' COLUMNS (")
	if numbered {
		b.WriteString(s.quote(s.as.ordinal) + " FOR ORDINALITY, ")
	}
	for i, n := range s.derivedNames() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.quote(n) + " " + s.json[i].typ + " PATH '$[" + strconv.Itoa(i) + "]'")
	}
	b.WriteString("))")
}

// appendJSONDoc appends a chunk's rows as a JSON array of row arrays.
func (s *rowsStmt) appendJSONDoc(buf []byte, rows [][]any) ([]byte, error) {
	buf = append(buf, '[')
	var err error
	for i, row := range rows {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, '[')
		for j, v := range row {
			if j > 0 {
				buf = append(buf, ',')
			}
			if buf, err = s.json[j].append(buf, v, s.loc); err != nil {
				return buf, err
			}
		}
		buf = append(buf, ']')
	}
	return append(buf, ']'), nil
}

// driverValue converts v as database/sql converts a bind parameter
// (Valuers called, pointers followed, named types to their base), keeping
// uint64 values above math.MaxInt64 as go-sql-driver does.
func driverValue(v any) (driver.Value, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []byte:
		if x == nil {
			return nil, nil // go-sql-driver sends a nil []byte as NULL
		}
		return x, nil
	case string, int64, float64, bool, time.Time:
		return x, nil
	case uint64:
		return x, nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Uint64 || rv.Kind() == reflect.Uint {
		return rv.Uint(), nil
	}
	return driver.DefaultParameterConverter.ConvertValue(v)
}

// append encodes v for this column.
func (c jsonCol) append(buf []byte, v any, loc *time.Location) ([]byte, error) {
	dv, err := driverValue(v)
	if err != nil {
		return buf, &ColumnError{Column: c.name, Model: "", Err: fmt.Errorf("%w: %w", ErrBadValue, err)}
	}
	bad := func(why string) ([]byte, error) {
		return buf, &ColumnError{Column: c.name, Err: fmt.Errorf("%w: %s", ErrBadValue, why)}
	}
	if dv == nil {
		return append(buf, "null"...), nil
	}
	switch c.kind {
	case kindInt, kindUint, kindFloat:
		switch x := dv.(type) {
		case int64:
			return strconv.AppendInt(buf, x, 10), nil
		case uint64:
			return strconv.AppendUint(buf, x, 10), nil
		case bool:
			if x {
				return append(buf, '1'), nil
			}
			return append(buf, '0'), nil
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return bad("NaN or infinite float")
			}
			if c.kind != kindFloat {
				return bad(fmt.Sprintf("float %v for an integer column", x))
			}
			return strconv.AppendFloat(buf, x, 'g', -1, 64), nil
		}
		return bad(fmt.Sprintf("%T for a numeric column", dv))
	case kindTime:
		if t, ok := dv.(time.Time); ok {
			buf = append(buf, '"')
			buf = appendDriverTime(buf, t, loc)
			return append(buf, '"'), nil
		}
	case kindHex:
		buf = append(buf, '"')
		raw := textOf(dv, loc)
		buf = hex.AppendEncode(buf, raw)
		return append(buf, '"'), nil
	}
	if str, ok := dv.(string); ok {
		if !utf8.ValidString(str) {
			return bad("text that is not valid UTF-8")
		}
		return appendJSONString(buf, str), nil
	}
	raw := textOf(dv, loc)
	if !utf8.Valid(raw) {
		return bad("text that is not valid UTF-8")
	}
	return appendJSONString(buf, raw), nil
}

// textOf is the bytes a driver value is sent as in a text protocol.
func textOf(dv driver.Value, loc *time.Location) []byte {
	switch x := dv.(type) {
	case []byte:
		return x
	case string:
		return []byte(x)
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case uint64:
		return strconv.AppendUint(nil, x, 10)
	case float64:
		return strconv.AppendFloat(nil, x, 'g', -1, 64)
	case bool:
		if x {
			return []byte{'1'}
		}
		return []byte{'0'}
	case time.Time:
		return appendDriverTime(nil, x, loc)
	}
	return fmt.Append(nil, dv)
}

// appendDriverTime formats t as go-sql-driver sends a time.Time parameter:
// in the connection's zone, "0000-00-00" for the zero time, fractional
// seconds to the nanosecond without trailing zeros.
func appendDriverTime(buf []byte, t time.Time, loc *time.Location) []byte {
	if t.IsZero() {
		return append(buf, "0000-00-00"...)
	}
	t = t.In(loc)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0 {
		return t.AppendFormat(buf, time.DateOnly)
	}
	return t.AppendFormat(buf, "2006-01-02 15:04:05.999999999")
}

// appendJSONString appends raw (valid UTF-8) as a JSON string.
func appendJSONString[S string | []byte](buf []byte, raw S) []byte {
	const hexDigits = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := range len(raw) {
		c := raw[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		buf = append(buf, raw[start:i]...)
		switch c {
		case '"', '\\':
			buf = append(buf, '\\', c)
		default:
			buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	buf = append(buf, raw[start:]...)
	return append(buf, '"')
}

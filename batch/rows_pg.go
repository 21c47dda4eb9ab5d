package batch

import (
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// PostgreSQL chunks (dialect.BulkUnnest) carry one text array literal per
// derived column, cast to the column's type:
//
//	UPDATE t SET c = v.c FROM unnest(CAST($1 AS text)::bigint[], CAST($2 AS text)::text[])
//	AS v (id, c) WHERE t.id = v.id
//
// Each element is written in the text form the server parses to the value
// pgx would have sent for the same Go value: times truncated to the
// microsecond (with their zone for timestamptz, as wall clock for
// timestamp), bytea as \x hex, floats in shortest round-trip form.

// appendPGArray appends the array literal of column j's values in rows.
func appendPGArray(b []byte, rows [][]any, j int, cast string) ([]byte, error) {
	b = append(b, '{')
	for i, row := range rows {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendPGElem(b, row[j], cast); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

// appendPGElem appends one array element: NULL, or the value's text quoted.
func appendPGElem(b []byte, v any, cast string) ([]byte, error) {
	dv, err := driverValue(v)
	if err != nil {
		return b, fmt.Errorf("%w: %w", ErrBadValue, err)
	}
	switch x := dv.(type) {
	case nil:
		return append(b, "NULL"...), nil
	case string:
		return appendPGQuoted(b, x), nil
	case int64:
		b = append(b, '"')
		return append(strconv.AppendInt(b, x, 10), '"'), nil
	case time.Time:
		return appendPGQuoted(b, pgTime(x, cast)), nil
	case []byte:
		if cast == "bytea" {
			b = append(b, '"', '\\', '\\', 'x')
			return append(hex.AppendEncode(b, x), '"'), nil
		}
		return appendPGQuoted(b, x), nil
	case float64:
		b = append(b, '"')
		switch {
		case math.IsNaN(x):
			b = append(b, "NaN"...)
		case math.IsInf(x, 1):
			b = append(b, "Infinity"...)
		case math.IsInf(x, -1):
			b = append(b, "-Infinity"...)
		default:
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		}
		return append(b, '"'), nil
	case bool:
		if x {
			return append(b, `"t"`...), nil
		}
		return append(b, `"f"`...), nil
	}
	return appendPGQuoted(b, textOf(dv, time.UTC)), nil
}

// appendPGQuoted appends s as a double-quoted array element, backslashes
// and double quotes escaped.
func appendPGQuoted[S string | []byte](b []byte, s S) []byte {
	b = append(b, '"')
	start := 0
	for i := range len(s) {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', c)
			start = i + 1
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// pgTime formats t as pgx encodes it for a column of type cast: truncated
// to the microsecond; a timestamp (without time zone) or date keeps t's
// wall clock and drops its zone; years before 1 are written BC.
func pgTime(t time.Time, cast string) []byte {
	t = t.Truncate(time.Microsecond)
	layout := "-01-02 15:04:05.999999Z07:00"
	switch {
	case cast == "date":
		layout = "-01-02"
	case strings.HasPrefix(cast, "timestamp") && !strings.HasPrefix(cast, "timestamptz") && !strings.Contains(cast, "with time zone"):
		layout = "-01-02 15:04:05.999999"
	}
	year := t.Year()
	bc := year < 1
	if bc {
		year = 1 - year
	}
	out := fmt.Appendf(nil, "%04d", year)
	out = t.AppendFormat(out, layout)
	if bc {
		out = append(out, " BC"...)
	}
	return out
}

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
	var s []byte
	switch x := dv.(type) {
	case nil:
		return append(b, "NULL"...), nil
	case time.Time:
		s = pgTime(x, cast)
	case []byte:
		if cast == "bytea" {
			s = hex.AppendEncode([]byte(`\x`), x)
		} else {
			s = x
		}
	case float64:
		switch {
		case math.IsNaN(x):
			s = []byte("NaN")
		case math.IsInf(x, 1):
			s = []byte("Infinity")
		case math.IsInf(x, -1):
			s = []byte("-Infinity")
		default:
			s = strconv.AppendFloat(nil, x, 'g', -1, 64)
		}
	case bool:
		if x {
			s = []byte{'t'}
		} else {
			s = []byte{'f'}
		}
	default:
		s = textOf(dv, time.UTC)
	}
	b = append(b, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, c)
	}
	return append(b, '"'), nil
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

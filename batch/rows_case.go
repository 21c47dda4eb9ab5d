package batch

import "strings"

// buildCase writes SET c = CASE WHEN key = ? THEN ? ... ELSE c END and picks
// the rows with (key = ? [AND version = ?]) OR ..., for SQLite before 3.33.
func (s *rowsStmt) buildCase(rows [][]any, autoVals []any) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, len(rows)*s.perRow()+len(autoVals))
	nk := len(s.keys)
	rowMatch := func(row []any, withVersion bool) {
		if nk > 1 || withVersion {
			b.WriteByte('(')
		}
		for j, k := range s.keys {
			if j > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(s.quote(k) + " = ?")
			args = append(args, row[j])
		}
		if withVersion {
			b.WriteString(" AND " + s.notDistinct(s.quote(s.version), "?"))
			args = append(args, row[len(row)-1])
		}
		if nk > 1 || withVersion {
			b.WriteByte(')')
		}
	}
	b.WriteString("UPDATE " + s.table + " SET ")
	for j, c := range s.cols {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString(s.quote(c) + " = CASE")
		for _, row := range rows {
			b.WriteString(" WHEN ")
			rowMatch(row, false)
			b.WriteString(" THEN ?")
			args = append(args, row[nk+j])
		}
		b.WriteString(" ELSE " + s.quote(c) + " END")
	}
	for _, c := range s.auto {
		b.WriteString(", " + s.quote(c) + " = ?")
	}
	args = append(args, autoVals...)
	if s.bump != "" {
		b.WriteString(", " + s.quote(s.bump) + " = COALESCE(" + s.quote(s.bump) + ", 0) + 1")
	}
	b.WriteString(" WHERE ")
	if s.deleted != "" {
		b.WriteString(s.quote(s.deleted) + " IS NULL AND (")
	}
	if nk == 1 && s.version == "" {
		b.WriteString(s.quote(s.keys[0]) + " IN " + openParen)
		for i, row := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
			args = append(args, row[0])
		}
		b.WriteByte(')')
	} else {
		for i, row := range rows {
			if i > 0 {
				b.WriteString(" OR ")
			}
			rowMatch(row, s.version != "")
		}
	}
	if s.deleted != "" {
		b.WriteByte(')')
	}
	return b.String(), args
}

package batch

import (
	"strconv"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
)

// expectedVersionAlias names the derived-table column carrying each row's
// expected version under CheckVersion.
const expectedVersionAlias = "gormup_expected_version"

// openParen opens every parenthesis that a placeholder follows. GORM's Exec
// expands a slice bound right after "(" into a list (for IN (?)), which
// would turn a []byte value into one parameter per byte; the space keeps
// each value one parameter.
const openParen = "( "

// rowsStmt holds what every chunk statement of one UpdateRows shares: quoted
// names, casts and the fixed assignments.
type rowsStmt struct {
	strategy dialect.BulkStrategy
	quote    func(string) string
	table    string   // quoted table
	keys     []string // unquoted key columns
	cols     []string // unquoted written columns
	version  string   // unquoted version column, or ""
	casts    []string // PostgreSQL: one cast per derived column (keys, cols, version)
	binary   []bool   // MySQL: derived columns to CAST(? AS BINARY), so bytes are not read as text
	auto     []string // unquoted autoUpdateTime columns set to a fixed value
	autoCast []string // PostgreSQL casts of auto
}

// width is the number of values per input row.
func (s *rowsStmt) width() int {
	w := len(s.keys) + len(s.cols)
	if s.version != "" {
		w++
	}
	return w
}

// perRow is the number of bind parameters one input row takes.
func (s *rowsStmt) perRow() int {
	if s.strategy == dialect.BulkCase {
		n := len(s.cols)*(len(s.keys)+1) + len(s.keys)
		if s.version != "" {
			n++
		}
		return n
	}
	return s.width()
}

// derivedNames lists the derived table's column names.
func (s *rowsStmt) derivedNames() []string {
	names := make([]string, 0, s.width())
	names = append(names, s.keys...)
	names = append(names, s.cols...)
	if s.version != "" {
		names = append(names, expectedVersionAlias)
	}
	return names
}

// ref returns how the statement refers to derived column i.
func (s *rowsStmt) ref(i int) string {
	if s.strategy == dialect.BulkValuesColumnN {
		return s.quote("v") + ".column" + strconv.Itoa(i+1)
	}
	return s.quote("v") + "." + s.quote(s.derivedNames()[i])
}

// build returns one chunk's statement and its arguments. rows hold, per input
// row, the key values, the column values and (CheckVersion) the expected
// version; autoVals the values of s.auto.
func (s *rowsStmt) build(rows [][]any, autoVals []any) (string, []any) {
	if s.strategy == dialect.BulkCase {
		return s.buildCase(rows, autoVals)
	}
	var b strings.Builder
	b.Grow(128 + len(rows)*s.width()*12)
	args := make([]any, 0, len(rows)*s.width()+len(autoVals))
	nk := len(s.keys)
	mysql := s.strategy == dialect.BulkJoinUnion
	qualify := mysql // MySQL's multi-table UPDATE needs qualified SET targets

	writeSet := func() {
		b.WriteString(" SET ")
		for j, c := range s.cols {
			if j > 0 {
				b.WriteString(", ")
			}
			if qualify {
				b.WriteString(s.table + ".")
			}
			b.WriteString(s.quote(c) + " = " + s.ref(nk+j))
		}
		for j, c := range s.auto {
			b.WriteString(", ")
			if qualify {
				b.WriteString(s.table + ".")
			}
			b.WriteString(s.quote(c) + " = ?")
			if s.autoCast != nil {
				b.WriteString("::" + s.autoCast[j])
			}
		}
		if s.version != "" {
			b.WriteString(", ")
			if qualify {
				b.WriteString(s.table + ".")
			}
			v := s.quote(s.version)
			b.WriteString(v + " = " + s.table + "." + v + " + 1")
		}
	}
	writeOn := func() {
		for j, k := range s.keys {
			if j > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString(s.table + "." + s.quote(k) + " = " + s.ref(j))
		}
		if s.version != "" {
			b.WriteString(" AND " + s.table + "." + s.quote(s.version) + " = " + s.ref(s.width()-1))
		}
	}
	writeValues := func() {
		for i, row := range rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(openParen)
			for j := range row {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('?')
				if s.casts != nil {
					b.WriteString("::" + s.casts[j])
				}
			}
			b.WriteByte(')')
			args = append(args, row...)
		}
	}

	switch s.strategy {
	case dialect.BulkJoinUnion:
		b.WriteString("UPDATE " + s.table + " JOIN (")
		names := s.derivedNames()
		for i, row := range rows {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			b.WriteString("SELECT ")
			for j := range row {
				if j > 0 {
					b.WriteString(", ")
				}
				if s.binary != nil && s.binary[j] {
					b.WriteString("CAST" + openParen + "? AS BINARY)")
				} else {
					b.WriteByte('?')
				}
				if i == 0 {
					b.WriteString(" AS " + s.quote(names[j]))
				}
			}
			args = append(args, row...)
		}
		b.WriteString(") AS " + s.quote("v") + " ON ")
		writeOn()
		writeSet()
		args = append(args, autoVals...)
	case dialect.BulkJoinValues:
		b.WriteString("UPDATE " + s.table)
		writeSet()
		args = append(args, autoVals...)
		b.WriteString(" FROM " + s.table + " JOIN (VALUES ")
		writeValues()
		b.WriteString(") AS " + s.quote("v") + " (" + s.quotedList(s.derivedNames()) + ") ON ")
		writeOn()
	case dialect.BulkValuesColumnN:
		b.WriteString("UPDATE " + s.table)
		writeSet()
		args = append(args, autoVals...)
		b.WriteString(" FROM (VALUES ")
		writeValues()
		b.WriteString(") AS " + s.quote("v") + " WHERE ")
		writeOn()
	default: // BulkValuesCast
		b.WriteString("UPDATE " + s.table)
		writeSet()
		args = append(args, autoVals...)
		b.WriteString(" FROM (VALUES ")
		writeValues()
		b.WriteString(") AS " + s.quote("v") + " (" + s.quotedList(s.derivedNames()) + ") WHERE ")
		writeOn()
	}
	return b.String(), args
}

func (s *rowsStmt) quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = s.quote(n)
	}
	return strings.Join(q, ", ")
}

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
			b.WriteString(" AND " + s.quote(s.version) + " = ?")
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
	if s.version != "" {
		v := s.quote(s.version)
		b.WriteString(", " + v + " = " + v + " + 1")
	}
	b.WriteString(" WHERE ")
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
		return b.String(), args
	}
	for i, row := range rows {
		if i > 0 {
			b.WriteString(" OR ")
		}
		rowMatch(row, s.version != "")
	}
	return b.String(), args
}

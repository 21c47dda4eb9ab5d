package batch

import (
	"strconv"
	"strings"
	"time"

	"github.com/gormup/gormup/internal/dialect"
)

// aliases are the names the statements give what is not the target's own:
// the derived table (v), the target in the statements that read a chunk's
// rows back (gormup_t), and the derived-table columns numbering the chunk's
// rows (gormup_n, from 1) and carrying each row's expected version under
// CheckVersion (gormup_expected_version). Each is its default unless the
// target's table name or one of the statement's columns takes it (compared
// case-insensitively, as MySQL does), then the default with _2, _3…
// appended: a table named v, or a column named gormup_n, is written as any
// other.
type aliases struct {
	v, target, ordinal, expected string
}

// newAliases returns the aliases of statements on table (unquoted, maybe
// schema-qualified) naming columns.
func newAliases(table string, columns []string) aliases {
	taken := map[string]bool{}
	take := func(n string) { taken[strings.ToLower(n)] = true }
	free := func(base string) string {
		n := base
		for i := 2; taken[strings.ToLower(n)]; i++ {
			n = base + "_" + strconv.Itoa(i)
		}
		take(n)
		return n
	}
	take(table[strings.LastIndexByte(table, '.')+1:])
	var a aliases
	a.v, a.target = free("v"), free("gormup_t")
	for _, c := range columns {
		take(c)
	}
	a.ordinal, a.expected = free("gormup_n"), free("gormup_expected_version")
	return a
}

// openParen opens every parenthesis that a placeholder follows. GORM's Exec
// expands a slice bound right after "(" into a list (for IN (?)), which
// would turn a []byte value into one parameter per byte; the space keeps
// each value one parameter.
const openParen = "( "

// rowsStmt holds what every chunk statement of one UpdateRows shares: quoted
// names, casts and the fixed assignments.
type rowsStmt struct {
	strategy dialect.BulkStrategy
	d        *dialect.Dialect
	quote    func(string) string
	table    string   // quoted table
	keys     []string // unquoted key columns
	cols     []string // unquoted written columns
	version  string   // CheckVersion: unquoted version column matched against the expected version, or ""
	bump     string   // unquoted version column incremented on every written row, or ""
	deleted  string   // unquoted soft-delete column: rows with it set are skipped; "" when none or Unscoped
	casts    []string // PostgreSQL: one cast per derived column (keys, cols, version)
	json     []jsonCol
	loc      *time.Location // MySQL: the driver's time zone for time.Time values
	auto     []string       // unquoted autoUpdateTime columns set to a fixed value
	autoCast []string       // PostgreSQL casts of auto
	load     string         // BulkLoad's quoted load table (derivedNames, s.as.ordinal), joined instead of the rows; or ""
	full     fullText       // a full chunk's UPDATE without load, built once (prepare)
	as       aliases        // the statements' own names for the derived table, target, ordinal and version
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
	switch s.strategy {
	case dialect.BulkCase:
		n := len(s.cols)*(len(s.keys)+1) + len(s.keys)
		if s.version != "" {
			n++
		}
		return n
	case dialect.BulkJSONTable, dialect.BulkUnnest:
		return 0 // one JSON document or one array per column per chunk
	}
	return s.width()
}

// derivedNames lists the derived table's column names.
func (s *rowsStmt) derivedNames() []string {
	names := make([]string, 0, s.width())
	names = append(names, s.keys...)
	names = append(names, s.cols...)
	if s.version != "" {
		names = append(names, s.as.expected)
	}
	return names
}

// ref returns how the statement refers to derived column i: bytes travel
// hex-encoded in JSON and are decoded where they are used.
func (s *rowsStmt) ref(i int) string {
	if s.strategy == dialect.BulkValuesColumnN {
		return s.quote(s.as.v) + ".column" + strconv.Itoa(i+1)
	}
	r := s.quote(s.as.v) + "." + s.quote(s.derivedNames()[i])
	if s.json != nil && s.json[i].kind == kindHex {
		return "UNHEX(" + r + ")"
	}
	return r
}

// notDistinct is the dialect's null-safe equality: a stored NULL version
// matches an expected NULL.
func (s *rowsStmt) notDistinct(a, b string) string {
	return s.d.NullSafeEqual(a, b)
}

// bumpExpr is the version increment of every gormup write:
// COALESCE(version, 0) + 1 (model.VersionIncrement), so NULL becomes 1.
func (s *rowsStmt) bumpExpr(target string) string {
	return "COALESCE(" + target + "." + s.quote(s.bump) + ", 0) + 1"
}

// writeMatch writes the condition joining target (a quoted table or alias)
// to the derived table: keys equal, the version null-safe equal under
// CheckVersion, and not soft-deleted.
func (s *rowsStmt) writeMatch(b *strings.Builder, target string) {
	for j, k := range s.keys {
		if j > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(target + "." + s.quote(k) + " = " + s.ref(j))
	}
	if s.version != "" {
		b.WriteString(" AND " + s.notDistinct(target+"."+s.quote(s.version), s.ref(s.width()-1)))
	}
	if s.deleted != "" {
		b.WriteString(" AND " + target + "." + s.quote(s.deleted) + " IS NULL")
	}
}

// buildInto returns one chunk's UPDATE statement and its arguments. rows
// hold, per input row, the key values, the column values and (CheckVersion)
// the expected version; autoVals the values of s.auto. The arguments and
// encoded values are written into cb's buffers, which the next chunk reuses:
// the statement text of a full chunk is built once (prepare), and only its
// arguments per chunk. A value JSON cannot carry exactly is a *ColumnError
// wrapping ErrBadValue.
func (s *rowsStmt) buildInto(cb *chunkBuf, rows [][]any, autoVals []any) (string, []any, error) {
	if s.strategy == dialect.BulkCase {
		q, args := s.buildCase(rows, autoVals)
		return q, args, nil
	}
	args := cb.args[:0]
	if s.load != "" {
		// The rows are in the load table: only the autoUpdateTime values
		// bind, and the statement is built here, never the cached full
		// chunk's (which joins the rows themselves).
		cb.args = append(args, autoVals...)
		return s.writeText(len(rows)), cb.args, nil
	}
	var err error
	switch s.strategy {
	case dialect.BulkUnnest:
		args = append(args, autoVals...)
		first := len(args)
		if args, err = s.unnestArgs(cb, args, rows); err != nil {
			return "", nil, err
		}
		args = append(args, args[first])
	case dialect.BulkJSONTable:
		if cb.text, err = s.appendJSONDoc(cb.text[:0], rows); err != nil {
			return "", nil, err
		}
		args = append(args, string(cb.text))
		args = append(args, autoVals...)
	default: // BulkJoinValues, BulkValuesColumnN
		args = appendRows(append(args, autoVals...), rows)
	}
	cb.args = args
	return s.text(len(rows)), args, nil
}

// chunkBuf holds the buffers a chunk statement reuses from the previous
// one: its arguments and the bytes of its JSON document or array literal.
type chunkBuf struct {
	args []any
	text []byte
}

// fullText is the statement text of a full chunk, built once.
type fullText struct {
	rows int
	sql  string
}

// text returns the UPDATE statement of a chunk of n rows: the one built
// for a full chunk when it fits (any n for the JSON and array forms, whose
// text does not depend on the row count).
func (s *rowsStmt) text(n int) string {
	if f := s.full; f.sql != "" && (f.rows == n || s.perRow() == 0) {
		return f.sql
	}
	return s.writeText(n)
}

// writeText builds the UPDATE statement of a chunk of n rows, or with
// s.load, of every row in the load table.
func (s *rowsStmt) writeText(n int) string {
	var b strings.Builder
	nk := len(s.keys)
	qualify := s.strategy == dialect.BulkJSONTable // MySQL's multi-table UPDATE needs qualified SET targets

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
		if s.bump != "" {
			b.WriteString(", ")
			if qualify {
				b.WriteString(s.table + ".")
			}
			b.WriteString(s.quote(s.bump) + " = " + s.bumpExpr(s.table))
		}
	}
	writeOn := func() { s.writeMatch(&b, s.table) }

	switch s.strategy {
	case dialect.BulkUnnest:
		b.WriteString("UPDATE " + s.table)
		writeSet()
		b.WriteString(" FROM ")
		if s.load != "" {
			b.WriteString(s.load + " AS " + s.quote(s.as.v) + " WHERE ")
			writeOn()
			break
		}
		s.writeUnnest(&b)
		b.WriteString(" AS " + s.quote(s.as.v) + " (" + s.quotedList(s.derivedNames()) + ") WHERE ")
		writeOn()
		// The leading key again as = ANY(array): the planner then reads the
		// chunk's rows through the key's index instead of hashing a
		// sequential scan of the whole table (4x faster per 2000-row chunk
		// of a 100,000-row table).
		b.WriteString(" AND " + s.table + "." + s.quote(s.keys[0]) + " = ANY(CAST(? AS text)::" + s.casts[0] + "[])")
	case dialect.BulkJSONTable:
		b.WriteString("UPDATE " + s.table + " JOIN ")
		if s.load != "" {
			b.WriteString(s.load + " AS " + s.quote(s.as.v) + " ON ")
			writeOn()
			writeSet()
			break
		}
		s.writeJSONTable(&b, false)
		b.WriteString(" AS " + s.quote(s.as.v) + " ON ")
		writeOn()
		writeSet()
	case dialect.BulkJoinValues:
		b.WriteString("UPDATE " + s.table)
		writeSet()
		b.WriteString(" FROM " + s.table + " JOIN (VALUES ")
		s.writeValues(&b, n, false)
		b.WriteString(") AS " + s.quote(s.as.v) + " (" + s.quotedList(s.derivedNames()) + ") ON ")
		writeOn()
	default: // BulkValuesColumnN
		b.WriteString("UPDATE " + s.table)
		writeSet()
		b.WriteString(" FROM (VALUES ")
		s.writeValues(&b, n, false)
		b.WriteString(") AS " + s.quote(s.as.v) + " WHERE ")
		writeOn()
	}
	return b.String()
}

// writeValues writes n VALUES rows of placeholders, each preceded by its
// 1-based ordinal when numbered.
func (s *rowsStmt) writeValues(b *strings.Builder, n int, numbered bool) {
	width := s.width()
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(openParen)
		if numbered {
			b.WriteString(strconv.Itoa(i+1) + ", ")
		}
		for j := range width {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteByte('?')
		}
		b.WriteByte(')')
	}
}

// writeUnnest writes unnest(CAST(? AS text)::type[], ..): one text array
// literal argument per derived column (unnestArgs).
func (s *rowsStmt) writeUnnest(b *strings.Builder) {
	b.WriteString("unnest(")
	for j := range s.width() {
		if j > 0 {
			b.WriteString(", ")
		}
		b.WriteString("CAST(? AS text)::" + s.casts[j] + "[]")
	}
	b.WriteString(")")
}

// unnestArgs appends writeUnnest's arguments, one array literal per derived
// column, encoded in cb.text.
func (s *rowsStmt) unnestArgs(cb *chunkBuf, args []any, rows [][]any) ([]any, error) {
	for j := range s.width() {
		var err error
		if cb.text, err = appendPGArray(cb.text[:0], rows, j, s.casts[j]); err != nil {
			return nil, &ColumnError{Column: s.derivedNames()[j], Err: err}
		}
		args = append(args, string(cb.text))
	}
	return args, nil
}

// appendRows appends every value of rows, row after row.
func appendRows(args []any, rows [][]any) []any {
	for _, row := range rows {
		args = append(args, row...)
	}
	return args
}

func (s *rowsStmt) quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = s.quote(n)
	}
	return strings.Join(q, ", ")
}

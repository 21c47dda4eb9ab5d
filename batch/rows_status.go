package batch

import (
	"strconv"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
)

// buildStatus returns the statement that reads, for every input row of the
// chunk found in the table (by the server's equality, soft-deleted rows
// excluded), its ordinal and whether its stored version equals the expected
// one (1) or not (0); 1 without CheckVersion. Rows absent from the answer
// are missing. With lock the found rows are locked for update (SQL Server
// UPDLOCK; SQLite's write lock is taken by the caller).
//
//	SELECT v.gormup_n, CASE WHEN t.version IS NOT DISTINCT FROM v.gormup_expected_version THEN 1 ELSE 0 END
//	FROM (VALUES (1, $1::bigint, $2::bigint), ..) AS v (gormup_n, id, gormup_expected_version)
//	JOIN accounts AS gormup_t ON gormup_t.id = v.id FOR UPDATE OF gormup_t
func (s *rowsStmt) buildStatus(rows [][]any, lock bool) (string, []any, error) {
	var b strings.Builder
	if s.load != "" {
		rows = nil // they are in the load table
	}
	args := make([]any, 0, len(rows)*s.width()+1)
	t := s.quote(s.as.target)
	v := s.quote(s.as.v)
	b.WriteString("SELECT " + v + "." + s.quote(s.as.ordinal) + ", ")
	if s.version != "" {
		b.WriteString("CASE WHEN " + s.notDistinct(t+"."+s.quote(s.version), s.statusRef(s.width()-1)) + " THEN 1 ELSE 0 END")
	} else {
		b.WriteString("1")
	}
	b.WriteString(" FROM ")
	names := append([]string{s.as.ordinal}, s.derivedNames()...)
	switch {
	case s.load != "":
		b.WriteString(s.load)
		names = append(names[1:], s.as.ordinal)
	case s.strategy == dialect.BulkUnnest:
		s.writeUnnest(&b)
		var err error
		if args, err = s.unnestArgs(&chunkBuf{}, args, rows); err != nil {
			return "", nil, err
		}
		b.WriteString(" WITH ORDINALITY")
		names = append(names[1:], s.as.ordinal)
	case s.strategy == dialect.BulkJSONTable:
		s.writeJSONTable(&b, true)
		doc, err := s.appendJSONDoc(nil, rows)
		if err != nil {
			return "", nil, err
		}
		args = append(args, string(doc))
	case !s.d.Has(dialect.ValuesTable):
		// MySQL and MariaDB without JSON_TABLE: the keys and versions of a
		// chunk, numbered, in a UNION ALL.
		b.WriteString("(")
		for i, row := range rows {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			b.WriteString("SELECT " + strconv.Itoa(i+1))
			if i == 0 {
				b.WriteString(" AS " + s.quote(s.as.ordinal))
			}
			for j := range row {
				b.WriteString(", ?")
				if i == 0 {
					b.WriteString(" AS " + s.quote(names[j+1]))
				}
			}
			args = append(args, row...)
		}
		b.WriteString(")")
	case s.d.Has(dialect.ValuesColumnN):
		b.WriteString("(SELECT ")
		for j, n := range names {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("column" + strconv.Itoa(j+1) + " AS " + s.quote(n))
		}
		b.WriteString(" FROM (VALUES ")
		s.writeValues(&b, len(rows), true)
		args = appendRows(args, rows)
		b.WriteString("))")
	default:
		b.WriteString("(VALUES ")
		s.writeValues(&b, len(rows), true)
		args = appendRows(args, rows)
		b.WriteString(")")
	}
	b.WriteString(" AS " + v)
	if s.strategy != dialect.BulkJSONTable && s.d.Has(dialect.ColumnAliasList) {
		// PostgreSQL and SQL Server name the derived table's columns after
		// its alias (unnest's ordinality column comes last).
		b.WriteString(" (" + s.quotedList(names) + ")")
	}
	b.WriteString(" JOIN " + s.table + " AS " + t)
	if lock {
		b.WriteString(s.d.LockTableHint())
	}
	b.WriteString(" ON ")
	for j, k := range s.keys {
		if j > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(t + "." + s.quote(k) + " = " + s.statusRef(j))
	}
	if s.deleted != "" {
		b.WriteString(" AND " + t + "." + s.quote(s.deleted) + " IS NULL")
	}
	if lock {
		b.WriteString(s.d.LockSuffix(t))
	}
	return b.String(), args, nil
}

// statusRef refers to derived column i in buildStatus, whose derived table
// names its columns on every dialect.
func (s *rowsStmt) statusRef(i int) string {
	r := s.quote(s.as.v) + "." + s.quote(s.derivedNames()[i])
	if s.json != nil && s.json[i].kind == kindHex {
		return "UNHEX(" + r + ")"
	}
	return r
}

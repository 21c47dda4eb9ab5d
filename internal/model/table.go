package model

import (
	"fmt"
	"strings"

	"gorm.io/gorm"
)

// Table returns the table db.Table names, with its schema or database
// qualifier, parts joined by "." ("archive.accounts"); "" when db has no
// Table. GORM keeps db.Table("archive.accounts") as Table "accounts" plus a
// quoted TableExpr; the qualifier is read back from that expression, whose
// parts may be bare or quoted with "…", `…` or […]. Anything else (an alias,
// a subquery, arguments, a quoted part holding a dot or a quote) is
// ErrTable: a write must name exactly one table.
func Table(db *gorm.DB) (string, error) {
	e := db.Statement.TableExpr
	if e == nil {
		return db.Statement.Table, nil
	}
	if len(e.Vars) > 0 {
		return "", fmt.Errorf("%w: %q has arguments", ErrTable, e.SQL)
	}
	parts, ok := splitQualified(e.SQL)
	if !ok {
		return "", fmt.Errorf("%w: got %q", ErrTable, e.SQL)
	}
	return strings.Join(parts, "."), nil
}

// splitQualified splits a dotted, optionally quoted identifier into its
// unquoted parts; ok is false for anything else or for a part that
// db.Table could not name again (empty, or holding a dot, a quote or a
// space).
func splitQualified(s string) (parts []string, ok bool) {
	for {
		if s == "" {
			return nil, false
		}
		var part string
		switch open := s[0]; open {
		case '"', '`', '[':
			closing := open
			if open == '[' {
				closing = ']'
			}
			end := strings.IndexByte(s[1:], closing)
			if end < 0 {
				return nil, false
			}
			part, s = s[1:1+end], s[2+end:]
			if strings.HasPrefix(s, string(closing)) { // a doubled (escaped) quote
				return nil, false
			}
		default:
			end := strings.IndexByte(s, '.')
			if end < 0 {
				end = len(s)
			}
			part, s = s[:end], s[end:]
		}
		if part == "" || strings.ContainsAny(part, ".\"`[] \t\r\n(),;'") {
			return nil, false
		}
		parts = append(parts, part)
		if s == "" {
			return parts, true
		}
		if s[0] != '.' {
			return nil, false
		}
		s = s[1:]
	}
}

package batch

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"
)

// matchedVar is the session variable an UPDATE on MySQL/MariaDB counts its
// matched rows in when RowsAffected counts changed rows.
const matchedVar = "@gormup_matched"

// countingAssign returns assign plus one assignment that makes the UPDATE
// count the rows it matches, changed or not, in matchedVar, and false when
// that cannot be done (then the caller counts with a query first). MySQL and
// MariaDB report changed rows unless the connection set CLIENT_FOUND_ROWS,
// which is fixed per connection, and go-sql-driver/mysql does not expose the
// OK packet's "Rows matched" text (go-sql-driver/mysql#180, #641). The
// assignment sets the first primary key to itself,
//
//	`id` = IF((@gormup_matched := @gormup_matched + 1) IS NULL, `id`, `id`)
//
// which the server evaluates once per matched row and which never changes a
// row (both branches are the column itself, so its type and collation are
// kept). Compared with counting first (SELECT COUNT(*) … FOR UPDATE) it saves
// a second pass over the matching rows, for two one-row round trips (reset
// and read, resetMatched and readMatched). MySQL 8 warns (1287) that
// assigning a variable inside an expression is deprecated; MariaDB does not.
//
// It is refused when q restricts the written columns (db.Select or Omit:
// GORM would drop the extra assignment) or when assign writes the key.
func countingAssign(q *gorm.DB, s *schema.Schema, assign map[string]any) (map[string]any, bool) {
	if len(s.PrimaryFields) == 0 || len(q.Statement.Selects) > 0 || len(q.Statement.Omits) > 0 {
		return nil, false
	}
	pk := s.PrimaryFields[0]
	if _, ok := assign[pk.DBName]; ok {
		return nil, false
	}
	if _, ok := assign[pk.Name]; ok {
		return nil, false
	}
	out := make(map[string]any, len(assign)+1)
	for k, v := range assign {
		out[k] = v
	}
	c := clause.Column{Table: clause.CurrentTable, Name: pk.DBName}
	out[pk.DBName] = clause.Expr{
		SQL:  "IF((" + matchedVar + " := " + matchedVar + " + 1) IS NULL, ?, ?)",
		Vars: []any{c, c},
	}
	return out, true
}

// resetMatched sets matchedVar to 0 on tx's connection.
func resetMatched(tx *gorm.DB) error {
	return tx.Session(&gorm.Session{NewDB: true, SkipDefaultTransaction: true}).Exec("SET " + matchedVar + " = 0").Error
}

// readMatched returns the count the UPDATE left in matchedVar.
func readMatched(tx *gorm.DB) (int64, error) {
	var n int64
	if tx.DryRun {
		return 0, nil // nothing ran
	}
	err := tx.Session(&gorm.Session{NewDB: true, SkipDefaultTransaction: true}).Raw("SELECT " + matchedVar).Row().Scan(&n)
	return n, err
}

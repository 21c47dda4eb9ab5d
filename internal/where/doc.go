// Package where proves that an UPDATE or DELETE bounds the rows it writes. It
// is the one place gormup answers that question: batch.Update refuses
// unbounded writes with it and hooks.Guard blocks them with it.
//
//	if err := where.Check(db.Where("1 = 1").Statement); err != nil {
//		var e *where.Error; errors.As(err, &e) // e.Reason == where.NoBound
//	}
//
// The reader proves boundedness instead of disproving it: a statement passes
// only when a shape listed under Reason restricts a column of the table it
// writes. Everything else — a condition on another table, an always-true
// condition of any form, text it cannot read, a write wrapped in a statement
// it cannot follow — is refused with a Reason that says so. SQL text is read
// with internal/sqltext, the lexer of the statement's database family.
package where

// Package where decides whether the WHERE clause of a GORM statement bounds
// the rows it touches. It is the one place gormup answers that question:
// batch.Update refuses unbounded writes with it and the hooks guard blocks
// them with it.
//
//	if err := where.Check(db.Where("1 = 1").Statement); err != nil {
//		var e *where.Error; errors.As(err, &e) // e.Reason == where.Tautology
//	}
//
// A condition does not bound the rows when it is missing — including a
// struct or map condition whose every field GORM dropped as a zero value —,
// always true (1=1, TRUE, 1, 'a'='a', x = x, NOT FALSE, x LIKE '%'), only
// requires a non-NULL primary key (what GORM renders for Not("id", []int{})),
// or only filters soft-deleted rows (deleted_at IS NULL). AND and OR combine
// these as logic says: "1=1 AND status = ?" is bounded, "1=1 OR status = ?"
// is not. Anything Check cannot prove vacuous counts as bounded.
package where

package dialect

import (
	"strings"

	"gorm.io/gorm"
)

// Quote quotes an identifier (a column or table name, optionally qualified
// with dots) through the dialector's own QuoteTo, exactly as GORM would.
func Quote(db *gorm.DB, name string) string {
	var b strings.Builder
	b.Grow(len(name) + 4)
	db.Dialector.QuoteTo(&b, name)
	return b.String()
}

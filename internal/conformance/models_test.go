package conformance

import "gorm.io/gorm"

// The shapes the matrix writes. Every shape has a Balance the entry points
// raise by delta, and a Status the conditions select on.

// Account is the plain shape: one integer key.
type Account struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16"`
	Balance int64
}

// Other has Account's shape and a table of its own, for db.Model/T mismatches.
type Other struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16"`
	Balance int64
}

// Versioned carries a gormup version field.
type Versioned struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16"`
	Balance int64
	Version int64 `gormup:"version"`
}

// Soft carries GORM's soft-delete field.
type Soft struct {
	ID        int64  `gorm:"primaryKey;autoIncrement:false"`
	Status    string `gorm:"size:16"`
	Balance   int64
	DeletedAt gorm.DeletedAt `gorm:"index"`
}

// Aliased is written to a table named v, next to one named gormup_t: the
// aliases UpdateRows' statements give the derived table and the target.
// Its Balance and Version columns are named like the statements' ordinal
// and expected-version columns.
type Aliased struct {
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16"`
	Balance int64  `gorm:"column:gormup_n"`
	Version int64  `gorm:"column:gormup_expected_version" gormup:"version"`
}

// Composite has a two-column primary key.
type Composite struct {
	Region  string `gorm:"primaryKey;size:8"`
	ID      int64  `gorm:"primaryKey;autoIncrement:false"`
	Status  string `gorm:"size:16"`
	Balance int64
}

// Coded has a char(4) string key: MariaDB's default collation compares it
// case-insensitively and, like PostgreSQL's char(n), ignores trailing spaces.
type Coded struct {
	Code    string `gorm:"primaryKey;type:char(4)"`
	Status  string `gorm:"size:16"`
	Balance int64
}

// Nullable has a nullable status and a nullable version.
type Nullable struct {
	ID      int64   `gorm:"primaryKey;autoIncrement:false"`
	Status  *string `gorm:"size:16"`
	Balance int64
	Version *int64 `gormup:"version"`
}

// delta is what every entry point adds to the Balance of each row it writes.
const delta = 1000

func ptr[V any](v V) *V { return &v }

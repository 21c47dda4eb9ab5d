package updater

import (
	"database/sql"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

type plainStatus string

type PlainInner struct{ Note string }

type plainRow struct {
	ID     int64 `gorm:"primaryKey"`
	Name   string
	Status plainStatus
	Score  float64
	Seen   time.Time
	Nick   *string
	Blob   []byte
	Null   sql.NullString
	Tags   []string `gorm:"serializer:json"`
	Del    gorm.DeletedAt
	PlainInner
	*Ptr
}

type Ptr struct{ Deep string }

// TestPlainField pins which fields are compared in place from the row's
// shallow copy: only values that cannot change through it.
func TestPlainField(t *testing.T) {
	sch, err := schema.Parse(&plainRow{}, &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"ID": true, "Name": true, "Status": true, "Score": true, "Seen": true, "Note": true,
		"Nick": false, "Blob": false, "Null": false, "Tags": false, "Del": false, "Deep": false,
	}
	for name, w := range want {
		f := sch.LookUpField(name)
		if f == nil {
			t.Fatalf("no field %s", name)
		}
		if got := plainField(f); got != w {
			t.Errorf("plainField(%s) = %v, want %v", name, got, w)
		}
	}
}

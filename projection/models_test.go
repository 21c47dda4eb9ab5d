package projection_test

import (
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
)

// Owner is the related model Account belongs to; its name column clashes
// with Account's on purpose.
type Owner struct {
	ID   int64 `gorm:"primaryKey"`
	Name string
}

// Contact is embedded in Account with the prefix contact_.
type Contact struct {
	Phone string
	City  string
}

// Account is the model every test projects from.
type Account struct {
	ID       int64 `gorm:"primaryKey"`
	Email    string
	Name     string
	Status   string
	Balance  int64
	Score    float64
	Active   bool
	Nickname *string
	Label    string `gorm:"column:label_text"`
	ClosedAt *time.Time
	OwnerID  int64
	Owner    Owner
	Contact  Contact `gorm:"embedded;embeddedPrefix:contact_"`
}

// closedAt is account 2's ClosedAt.
var closedAt = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// seed creates owners and three accounts:
//
//	1 a1@x Ann active 100 1.5 true  nick=NULL  owner 1 Olga  555-1 Oslo
//	2 b2@x Bob trial  200 2.5 false nick=bobby owner 2 Piet  555-2 Rome closed 2024-01-02 03:04:05 UTC
//	3 c3@x Cid active 300 3.5 true  nick=NULL  owner 1 Olga  555-3 Oslo
func seed(t *testing.T, db *dbtest.DB) {
	t.Helper()
	dbtest.Migrate(t, db, &Owner{}, &Account{})
	dbtest.Seed(t, db.DB, []Owner{{ID: 1, Name: "Olga"}, {ID: 2, Name: "Piet"}})
	dbtest.Seed(t, db.DB.Omit("Owner"), []Account{
		{ID: 1, Email: "a1@x", Name: "Ann", Status: "active", Balance: 100, Score: 1.5, Active: true, Label: "L1", OwnerID: 1, Contact: Contact{"555-1", "Oslo"}},
		{ID: 2, Email: "b2@x", Name: "Bob", Status: "trial", Balance: 200, Score: 2.5, Active: false, Nickname: ptr("bobby"), Label: "L2", ClosedAt: ptr(closedAt), OwnerID: 2, Contact: Contact{"555-2", "Rome"}},
		{ID: 3, Email: "c3@x", Name: "Cid", Status: "active", Balance: 300, Score: 3.5, Active: true, Label: "L3", OwnerID: 1, Contact: Contact{"555-3", "Oslo"}},
	})
}

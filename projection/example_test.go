package projection_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/projection"
	"gorm.io/gorm"
)

// Team is a model Member belongs to.
type Team struct {
	ID   int64 `gorm:"primaryKey"`
	Name string
}

// Member is the model of the examples.
type Member struct {
	ID      int64 `gorm:"primaryKey"`
	Email   string
	Name    string
	Active  bool
	Balance int64
	TeamID  int64
	Team    Team
}

// MemberBrief is the DTO most examples load.
type MemberBrief struct {
	ID    int64
	Email string
	Owner string `gorm:"column:name"`
}

// openExample opens an in-memory SQLite database with two teams and three
// members; done closes it.
func openExample() (db *gorm.DB, done func()) {
	db = dbtest.Memory(&Team{}, &Member{})
	if err := db.Create([]Team{{ID: 1, Name: "Core"}, {ID: 2, Name: "Docs"}}).Error; err != nil {
		panic(err)
	}
	err := db.Omit("Team").Create([]Member{
		{ID: 1, Email: "ann@example.com", Name: "Ann", Active: true, Balance: 100, TeamID: 1},
		{ID: 2, Email: "bob@example.com", Name: "Bob", Active: false, Balance: 50, TeamID: 2},
		{ID: 3, Email: "cid@example.com", Name: "Cid", Active: true, Balance: 75, TeamID: 1},
	}).Error
	if err != nil {
		panic(err)
	}
	return db, func() {
		if sqlDB, err := db.DB(); err == nil {
			sqlDB.Close()
		}
	}
}

func ExampleFind() {
	db, done := openExample()
	defer done()
	ctx := context.Background()
	rows, err := projection.Find[MemberBrief](ctx, db.Model(&Member{}).Where("active").Order("id"))
	if err != nil {
		panic(err)
	}
	for _, r := range rows {
		fmt.Println(r.ID, r.Email, r.Owner)
	}
	// Output:
	// 1 ann@example.com Ann
	// 3 cid@example.com Cid
}

// A field can read a joined table: here the member's and the team's name
// columns, which share a name, land in the right fields.
func ExampleFind_joins() {
	db, done := openExample()
	defer done()
	type MemberTeam struct {
		Name string
		Team string `projection:"table:Team" gorm:"column:name"`
	}
	rows, err := projection.Find[MemberTeam](context.Background(), db.Model(&Member{}).Joins("Team").Order("members.id"))
	if err != nil {
		panic(err)
	}
	fmt.Println(rows)
	// Output:
	// [{Ann Core} {Bob Docs} {Cid Core}]
}

// Computed fields declare their SQL with projection:"expr:…".
func ExampleFind_computed() {
	db, done := openExample()
	defer done()
	type TeamTotal struct {
		TeamID  int64
		Members int64 `projection:"expr:COUNT(*)"`
		Balance int64 `projection:"expr:SUM(balance)"`
	}
	totals, err := projection.Find[TeamTotal](context.Background(), db.Model(&Member{}).Group("team_id").Order("team_id"))
	if err != nil {
		panic(err)
	}
	fmt.Println(totals)
	// Output:
	// [{1 2 175} {2 1 50}]
}

func ExampleFirst() {
	db, done := openExample()
	defer done()
	ctx := context.Background()
	one, err := projection.First[MemberBrief](ctx, db.Model(&Member{}).Where("email = ?", "bob@example.com"))
	if err != nil {
		panic(err)
	}
	fmt.Println(one.ID, one.Owner)
	_, err = projection.First[MemberBrief](ctx, db.Model(&Member{}).Where("id = ?", 42))
	fmt.Println(errors.Is(err, gorm.ErrRecordNotFound))
	// Output:
	// 2 Bob
	// true
}

func ExampleEach() {
	db, done := openExample()
	defer done()
	for row, err := range projection.Each[MemberBrief](context.Background(), db.Model(&Member{}).Order("id")) {
		if err != nil {
			panic(err)
		}
		fmt.Println(row.Email)
		if row.ID == 2 {
			break // closes the rows
		}
	}
	// Output:
	// ann@example.com
	// bob@example.com
}

func ExampleColumns() {
	db, done := openExample()
	defer done()
	cols, err := projection.Columns[MemberBrief](db.Model(&Member{}))
	fmt.Println(cols, err)
	// Output:
	// [`members`.`id` `members`.`email` `members`.`name`] <nil>
}

// Apply hands the projected query back for running it another way; here
// only its SQL is shown.
func ExampleApply() {
	db, done := openExample()
	defer done()
	sql := db.ToSQL(func(tx *gorm.DB) *gorm.DB {
		q, err := projection.Apply[MemberBrief](tx.Model(&Member{}).Where("active"))
		if err != nil {
			panic(err)
		}
		return q.Find(&[]MemberBrief{})
	})
	fmt.Println(sql)
	// Output:
	// SELECT `members`.`id`,`members`.`email`,`members`.`name` FROM `members` WHERE active
}

func ExamplePluck() {
	db, done := openExample()
	defer done()
	ctx := context.Background()
	emails, err := projection.Pluck[string](ctx, db.Model(&Member{}).Where("active").Order("id"), "email")
	if err != nil {
		panic(err)
	}
	balances, err := projection.Pluck[int64](ctx, db.Model(&Member{}).Order("id"), "Balance")
	if err != nil {
		panic(err)
	}
	fmt.Println(emails, balances)
	// Output:
	// [ann@example.com cid@example.com] [100 50 75]
}

// A DTO field with no column is refused before any SQL is sent.
func ExampleFieldError() {
	db, done := openExample()
	defer done()
	type Bad struct {
		ID    int64
		Phone string
	}
	_, err := projection.Find[Bad](context.Background(), db.Model(&Member{}))
	var fe *projection.FieldError
	fmt.Println(errors.Is(err, projection.ErrUnknownField), errors.As(err, &fe) && fe.Field == "Phone")
	fmt.Println(err)
	// Output:
	// true true
	// projection: DTO field has no matching column: Bad.Phone (column "phone") on model Member (table "members")
}

package projection_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gormup/gormup/internal/dbtest"
	"github.com/gormup/gormup/projection"
	"gorm.io/gorm"
)

// accountBrief maps by naming strategy (ID, Email), by column override
// (Owner) and through the model's own column rename (Label -> label_text).
type accountBrief struct {
	ID    int64
	Email string
	Owner string `gorm:"column:name"`
	Label string
}

func TestFindMapsFieldsToModelColumns(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		cdb, rec := dbtest.Capture(db.DB)
		got, err := projection.Find[accountBrief](context.Background(), cdb.Model(&Account{}).Where("status = ?", "active").Order("id"))
		if err != nil {
			t.Fatal(err)
		}
		want := []accountBrief{{1, "a1@x", "Ann", "L1"}, {3, "c3@x", "Cid", "L3"}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		cols, err := projection.Columns[accountBrief](db.Model(&Account{}))
		if err != nil {
			t.Fatal(err)
		}
		stmts := rec.Statements()
		if len(stmts) != 1 || !strings.HasPrefix(stmts[0], "SELECT "+strings.Join(cols, ",")+" FROM ") {
			t.Fatalf("statements %q; want one SELECT of %q", stmts, cols)
		}
		if len(cols) != 4 || !strings.Contains(cols[3], "label_text") {
			t.Fatalf("columns %q; want 4 ending in label_text", cols)
		}
	})
}

func TestFindReturnsEmptySliceWhenNothingMatches(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		got, err := projection.Find[accountBrief](context.Background(), db.Model(&Account{}).Where("status = ?", "none"))
		if err != nil || got == nil || len(got) != 0 {
			t.Fatalf("got %#v, %v; want an empty non-nil slice", got, err)
		}
	})
}

type accountKey struct {
	ID int64
}

// embeddedDTO flattens an anonymous struct and a gorm:"embedded" one with a
// prefix, and ignores dashed and unexported fields.
type embeddedDTO struct {
	accountKey
	Contact struct {
		Phone string
		City  string
	} `gorm:"embedded;embeddedPrefix:contact_"`
	Skipped string `gorm:"-"`
	note    string // unexported: must be ignored
}

func TestFindFlattensEmbeddedStructsAndIgnoresDashedFields(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		got, err := projection.Find[embeddedDTO](context.Background(), db.Model(&Account{}).Order("id"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("got %d rows, want 3", len(got))
		}
		for i, city := range []string{"Oslo", "Rome", "Oslo"} {
			g := got[i]
			if g.ID != int64(i+1) || g.Contact.City != city || g.Contact.Phone != "555-"+string(rune('1'+i)) || g.Skipped != "" || g.note != "" {
				t.Fatalf("row %d = %+v", i, g)
			}
		}
		cols, err := projection.Columns[embeddedDTO](db.Model(&Account{}))
		if err != nil || len(cols) != 3 || !strings.Contains(cols[1], "contact_phone") || !strings.Contains(cols[2], "contact_city") {
			t.Fatalf("columns %q, %v", cols, err)
		}
	})
}

// computedDTO declares expressions; Twice gets its alias from the column tag.
type computedDTO struct {
	ID    int64
	Upper string `projection:"expr:UPPER(name)"`
	Twice int64  `gorm:"column:twice" projection:"expr:balance * 2"`
}

type statusTotal struct {
	Status   string
	Accounts int64 `projection:"expr:COUNT(*)"`
	Total    int64 `projection:"expr:COALESCE(SUM(balance), 0)"`
}

func TestFindComputedFields(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		ctx := context.Background()
		got, err := projection.Find[computedDTO](ctx, db.Model(&Account{}).Where("id < ?", 3).Order("twice DESC"))
		if err != nil {
			t.Fatal(err)
		}
		if want := []computedDTO{{2, "BOB", 400}, {1, "ANN", 200}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("got %+v, want %+v", got, want)
		}
		totals, err := projection.Find[statusTotal](ctx, db.Model(&Account{}).Group("status").Order("status"))
		if err != nil {
			t.Fatal(err)
		}
		if want := []statusTotal{{"active", 2, 400}, {"trial", 1, 200}}; !reflect.DeepEqual(totals, want) {
			t.Fatalf("got %+v, want %+v", totals, want)
		}
	})
}

// joinedDTO reads two same-named columns: the account's and its owner's.
type joinedDTO struct {
	ID        int64
	Name      string
	OwnerName string `projection:"table:Owner" gorm:"column:name"`
}

// nestedJoinDTO reads a whole nested struct from a hand-joined table.
type nestedJoinDTO struct {
	ID    int64
	Name  string
	Owner struct {
		ID   int64
		Name string
	} `projection:"table:owners"`
}

func TestJoinsQualifyColumnsWithTheirTable(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		ctx := context.Background()
		got, err := projection.Find[joinedDTO](ctx, db.Model(&Account{}).Joins("Owner").Order("accounts.id"))
		if err != nil {
			t.Fatal(err)
		}
		if want := []joinedDTO{{1, "Ann", "Olga"}, {2, "Bob", "Piet"}, {3, "Cid", "Olga"}}; !reflect.DeepEqual(got, want) {
			t.Fatalf("Joins(Owner): got %+v, want %+v", got, want)
		}
		nested, err := projection.Find[nestedJoinDTO](ctx, db.Model(&Account{}).
			Joins("JOIN owners ON owners.id = accounts.owner_id").Where("owners.name = ?", "Piet"))
		if err != nil {
			t.Fatal(err)
		}
		if len(nested) != 1 || nested[0].ID != 2 || nested[0].Name != "Bob" || nested[0].Owner.ID != 2 || nested[0].Owner.Name != "Piet" {
			t.Fatalf("hand-written join: got %+v", nested)
		}
	})
}

type nullableDTO struct {
	ID       int64
	ClosedAt *time.Time
	Nickname *string
	Nick     sql.NullString `gorm:"column:nickname"`
	Score    *float64
	Balance  sql.NullInt64
}

func TestNullIntoPointersAndNullTypes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		ctx := context.Background()
		got, err := projection.Find[nullableDTO](ctx, db.Model(&Account{}).Where("id IN ?", []int{1, 2}).Order("id"))
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Nickname != nil || got[0].Nick.Valid || got[0].Score == nil || *got[0].Score != 1.5 ||
			got[1].Nickname == nil || *got[1].Nickname != "bobby" || got[1].Nick != (sql.NullString{String: "bobby", Valid: true}) ||
			got[1].Balance != (sql.NullInt64{Int64: 200, Valid: true}) ||
			got[0].ClosedAt != nil || got[1].ClosedAt == nil || !got[1].ClosedAt.Equal(closedAt) {
			t.Fatalf("got %+v", got)
		}
		// A NULL into a plain string is an error naming the column.
		type plain struct{ Nickname string }
		_, err = projection.Find[plain](ctx, db.Model(&Account{}).Where("id = ?", 1))
		if err == nil || !strings.Contains(err.Error(), "nickname") || !strings.Contains(err.Error(), "plain") {
			t.Fatalf("NULL into string: err = %v; want a scan error naming nickname and the DTO", err)
		}
	})
}

func TestFirst(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		ctx := context.Background()
		cdb, rec := dbtest.Capture(db.DB)
		got, err := projection.First[accountBrief](ctx, cdb.Model(&Account{}).Where("status = ?", "active"))
		if err != nil || got != (accountBrief{1, "a1@x", "Ann", "L1"}) {
			t.Fatalf("got %+v, %v", got, err)
		}
		if s := rec.Statements(); len(s) != 1 || !strings.Contains(s[0], "ORDER BY") || !strings.Contains(s[0], "id") {
			t.Fatalf("statements %q; want one ordered by the primary key", s)
		}
		got, err = projection.First[accountBrief](ctx, db.Model(&Account{}).Order("id DESC"))
		if err != nil || got.ID != 3 {
			t.Fatalf("with Order: got %+v, %v; want id 3", got, err)
		}
		got, err = projection.First[accountBrief](ctx, db.Model(&Account{}).Where("id = ?", 99))
		if !errors.Is(err, gorm.ErrRecordNotFound) || got != (accountBrief{}) {
			t.Fatalf("no row: got %+v, %v; want gorm.ErrRecordNotFound", got, err)
		}
	})
}

func activeOnly(db *gorm.DB) *gorm.DB { return db.Where("active = ?", true) }

var errRollback = errors.New("roll back")

func TestWorksInTransactionsWithScopesLimitOffset(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		ctx := context.Background()
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Omit("Owner").Create(&Account{ID: 4, Email: "d4@x", Name: "Dan", Active: true, OwnerID: 2, Label: "L4"}).Error; err != nil {
				return err
			}
			got, err := projection.Find[accountBrief](ctx, tx.Model(&Account{}).Scopes(activeOnly).Order("id").Limit(2).Offset(1))
			if err != nil {
				return err
			}
			if want := []accountBrief{{3, "c3@x", "Cid", "L3"}, {4, "d4@x", "Dan", "L4"}}; !reflect.DeepEqual(got, want) {
				t.Errorf("in transaction: got %+v, want %+v", got, want)
			}
			return errRollback
		})
		if !errors.Is(err, errRollback) {
			t.Fatal(err)
		}
		ids, err := projection.Pluck[int64](ctx, db.Model(&Account{}).Order("id"), "id")
		if err != nil || !reflect.DeepEqual(ids, []int64{1, 2, 3}) {
			t.Fatalf("after rollback: ids %v, %v", ids, err)
		}
	})
}

func TestPluckSeveralTypes(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		seed(t, db)
		ctx := context.Background()
		q := func() *gorm.DB { return db.Model(&Account{}).Order("id") }
		emails, err := projection.Pluck[string](ctx, q(), "Email")
		if err != nil || !reflect.DeepEqual(emails, []string{"a1@x", "b2@x", "c3@x"}) {
			t.Fatalf("emails %v, %v", emails, err)
		}
		balances, err := projection.Pluck[int64](ctx, q(), "balance")
		if err != nil || !reflect.DeepEqual(balances, []int64{100, 200, 300}) {
			t.Fatalf("balances %v, %v", balances, err)
		}
		scores, err := projection.Pluck[float64](ctx, q(), "score")
		if err != nil || !reflect.DeepEqual(scores, []float64{1.5, 2.5, 3.5}) {
			t.Fatalf("scores %v, %v", scores, err)
		}
		active, err := projection.Pluck[bool](ctx, q(), "Active")
		if err != nil || !reflect.DeepEqual(active, []bool{true, false, true}) {
			t.Fatalf("active %v, %v", active, err)
		}
		nicks, err := projection.Pluck[*string](ctx, q(), "nickname")
		if err != nil || len(nicks) != 3 || nicks[0] != nil || nicks[1] == nil || *nicks[1] != "bobby" || nicks[2] != nil {
			t.Fatalf("nicknames %v, %v", nicks, err)
		}
		nulls, err := projection.Pluck[sql.NullString](ctx, q(), "nickname")
		if err != nil || !reflect.DeepEqual(nulls, []sql.NullString{{}, {String: "bobby", Valid: true}, {}}) {
			t.Fatalf("null strings %v, %v", nulls, err)
		}
		closed, err := projection.Pluck[time.Time](ctx, q().Where("id = ?", 2), "closed_at")
		if err != nil || len(closed) != 1 || !closed[0].Equal(closedAt) {
			t.Fatalf("closed_at %v, %v", closed, err)
		}
		labels, err := projection.Pluck[string](ctx, db.Model(&Account{}).Distinct().Where("owner_id = ?", 1).Order("label_text"), "Label")
		if err != nil || !reflect.DeepEqual(labels, []string{"L1", "L3"}) {
			t.Fatalf("labels %v, %v", labels, err)
		}
	})
}

// Ticket has soft deletes: GORM's query clauses still apply to projections.
type Ticket struct {
	ID        int64 `gorm:"primaryKey"`
	Title     string
	DeletedAt gorm.DeletedAt
}

func TestSoftDeletedRowsStayHiddenUnlessUnscoped(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, db *dbtest.DB) {
		dbtest.Migrate(t, db, &Ticket{})
		dbtest.Seed(t, db.DB, []Ticket{{ID: 1, Title: "open"}, {ID: 2, Title: "gone"}})
		if err := db.Delete(&Ticket{ID: 2}).Error; err != nil {
			t.Fatal(err)
		}
		type title struct{ Title string }
		ctx := context.Background()
		got, err := projection.Find[title](ctx, db.Model(&Ticket{}).Order("id"))
		if err != nil || !reflect.DeepEqual(got, []title{{"open"}}) {
			t.Fatalf("scoped: got %v, %v", got, err)
		}
		got, err = projection.Find[title](ctx, db.Unscoped().Model(&Ticket{}).Order("id"))
		if err != nil || !reflect.DeepEqual(got, []title{{"open"}, {"gone"}}) {
			t.Fatalf("unscoped: got %v, %v", got, err)
		}
	})
}

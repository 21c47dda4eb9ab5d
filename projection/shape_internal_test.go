package projection

import (
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
)

type shapeItem struct {
	Code   string `gorm:"primaryKey"`
	Region string `gorm:"primaryKey"`
	Price  int64
}

type shapeItemBrief struct {
	Code  string
	Price int64
}

func firstSQL(t *testing.T, db *gorm.DB) string {
	t.Helper()
	q, err := Apply[shapeItemBrief](db)
	if err != nil {
		t.Fatal(err)
	}
	if q, err = firstQuery[shapeItemBrief](q); err != nil {
		t.Fatal(err)
	}
	var sink []shapeItemBrief
	return q.Find(&sink).Statement.SQL.String()
}

// First orders by every primary key column unless the query has an order.
func TestShapeFirst(t *testing.T) {
	want := map[string][2]string{
		dbtest.Postgres: {
			`SELECT "shape_items"."code","shape_items"."price" FROM "shape_items" WHERE price > $1 ORDER BY "shape_items"."code","shape_items"."region" LIMIT $2`,
			`SELECT "shape_items"."code","shape_items"."price" FROM "shape_items" ORDER BY price DESC LIMIT $1`,
		},
		dbtest.MySQL: {
			"SELECT `shape_items`.`code`,`shape_items`.`price` FROM `shape_items` WHERE price > ? ORDER BY `shape_items`.`code`,`shape_items`.`region` LIMIT ?",
			"SELECT `shape_items`.`code`,`shape_items`.`price` FROM `shape_items` ORDER BY price DESC LIMIT ?",
		},
		dbtest.MariaDB: {
			"SELECT `shape_items`.`code`,`shape_items`.`price` FROM `shape_items` WHERE price > ? ORDER BY `shape_items`.`code`,`shape_items`.`region` LIMIT ?",
			"SELECT `shape_items`.`code`,`shape_items`.`price` FROM `shape_items` ORDER BY price DESC LIMIT ?",
		},
		dbtest.SQLite: {
			"SELECT `shape_items`.`code`,`shape_items`.`price` FROM `shape_items` WHERE price > ? ORDER BY `shape_items`.`code`,`shape_items`.`region` LIMIT 1",
			"SELECT `shape_items`.`code`,`shape_items`.`price` FROM `shape_items` ORDER BY price DESC LIMIT 1",
		},
		dbtest.SQLServer: {
			`SELECT "shape_items"."code","shape_items"."price" FROM "shape_items" WHERE price > @p1 ORDER BY "shape_items"."code","shape_items"."region" OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY`,
			`SELECT "shape_items"."code","shape_items"."price" FROM "shape_items" ORDER BY price DESC OFFSET 0 ROW FETCH NEXT 1 ROWS ONLY`,
		},
	}
	for _, d := range dbtest.DryRunDialects {
		dry := dbtest.DryRun(t, d)
		if got := firstSQL(t, dry.Model(&shapeItem{}).Where("price > ?", 1)); got != want[d][0] {
			t.Errorf("%s by key:\n got %s\nwant %s", d, got, want[d][0])
		}
		if got := firstSQL(t, dry.Model(&shapeItem{}).Order("price DESC")); got != want[d][1] {
			t.Errorf("%s ordered:\n got %s\nwant %s", d, got, want[d][1])
		}
	}
}

func TestShapePluck(t *testing.T) {
	want := map[string]string{
		dbtest.Postgres:  `SELECT DISTINCT "shape_items"."region" FROM "shape_items" WHERE price < $1`,
		dbtest.MySQL:     "SELECT DISTINCT `shape_items`.`region` FROM `shape_items` WHERE price < ?",
		dbtest.MariaDB:   "SELECT DISTINCT `shape_items`.`region` FROM `shape_items` WHERE price < ?",
		dbtest.SQLite:    "SELECT DISTINCT `shape_items`.`region` FROM `shape_items` WHERE price < ?",
		dbtest.SQLServer: `SELECT DISTINCT "shape_items"."region" FROM "shape_items" WHERE price < @p1`,
	}
	for _, d := range dbtest.DryRunDialects {
		q, err := pluckQuery[string](dbtest.DryRun(t, d).Model(&shapeItem{}).Distinct().Where("price < ?", 9), "Region")
		if err != nil {
			t.Fatal(err)
		}
		var sink []string
		if got := q.Find(&sink).Statement.SQL.String(); got != want[d] {
			t.Errorf("%s:\n got %s\nwant %s", d, got, want[d])
		}
	}
}

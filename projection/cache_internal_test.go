package projection

import (
	"reflect"
	"runtime"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm/schema"
)

// cached counts the cache entries of dto.
func cached(dto reflect.Type) int {
	n := 0
	cache.Range(func(k, _ any) bool {
		if k.(cacheKey).dto == dto {
			n++
		}
		return true
	})
	return n
}

// The mapping is computed once per DTO type, model schema and table.
func TestMappingIsCachedPerModelAndTable(t *testing.T) {
	db := dbtest.DryRun(t, dbtest.SQLite)
	dto := reflect.TypeFor[shapeItemBrief]()
	m1, _, _, err := mappingFor(db.Model(&shapeItem{}), dto)
	if err != nil {
		t.Fatal(err)
	}
	m2, _, _, err := mappingFor(db.Model(&shapeItem{}).Where("price > 1"), dto)
	if err != nil {
		t.Fatal(err)
	}
	if m1 != m2 {
		t.Fatal("second call on the same model computed a new mapping")
	}
	m3, _, _, err := mappingFor(db.Model(&shapeItem{}).Table("items_2024"), dto)
	if err != nil {
		t.Fatal(err)
	}
	if m3 == m1 || m3.cols[0].table != "items_2024" || m1.cols[0].table != "shape_items" {
		t.Fatalf("db.Table shares the model's mapping: %+v vs %+v", m3.cols[0], m1.cols[0])
	}
}

// DTO fields are named by the *gorm.DB's own naming strategy, and a second
// database with another strategy gets a mapping of its own.
func TestMappingFollowsTheNamingStrategy(t *testing.T) {
	plain := dbtest.DryRun(t, dbtest.SQLite)
	custom := dbtest.DryRun(t, dbtest.SQLite)
	custom.NamingStrategy = schema.NamingStrategy{TablePrefix: "app_", SingularTable: true, NoLowerCase: true}
	got, err := Columns[shapeItemBrief](custom.Model(&shapeItem{}))
	if want := []string{"`app_shapeItem`.`Code`", "`app_shapeItem`.`Price`"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("custom naming: got %q, %v; want %q", got, err, want)
	}
	got, err = Columns[shapeItemBrief](plain.Model(&shapeItem{}))
	if want := []string{"`shape_items`.`code`", "`shape_items`.`price`"}; err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("default naming: got %q, %v; want %q", got, err, want)
	}
}

// The cache holds no database alive: once a *gorm.DB and its schema cache
// are garbage collected, their mappings are dropped.
func TestMappingCacheForgetsCollectedDatabases(t *testing.T) {
	type gcItem struct {
		ID   int64
		Name string
	}
	type gcBrief struct{ Name string }
	dto := reflect.TypeFor[gcBrief]()
	func() {
		db := dbtest.DryRun(t, dbtest.SQLite)
		if _, err := Columns[gcBrief](db.Model(&gcItem{})); err != nil {
			t.Fatal(err)
		}
	}()
	if n := cached(dto); n != 1 {
		t.Fatalf("cache has %d entries for the DTO after one mapping, want 1", n)
	}
	for i := 0; i < 200 && cached(dto) > 0; i++ {
		runtime.GC()
		runtime.Gosched()
	}
	if n := cached(dto); n != 0 {
		t.Fatalf("cache still has %d entries for the DTO after the database was collected, want 0", n)
	}
}

package dialect

import (
	"strings"
	"testing"
)

// TestCapabilities pins the capability matrix: one line per capability,
// the families that have it, in Postgres, MySQL, MariaDB, SQLite,
// SQLServer order (MariaDB at 10.11; DescendingIndex also at 10.6).
func TestCapabilities(t *testing.T) {
	fams := []Family{Postgres, MySQL, MariaDB, SQLite, SQLServer}
	want := map[Capability]string{
		PartialIndex:             "postgres sqlite sqlserver",
		ExpressionIndex:          "postgres sqlite",
		FulltextIndex:            "mysql mariadb",
		IndexMethod:              "postgres mysql mariadb",
		HashIndexIsBtree:         "mysql mariadb",
		IndexComment:             "mysql mariadb",
		IndexOption:              "postgres mysql mariadb sqlserver",
		IndexPrefixLength:        "mysql mariadb",
		IndexKeyCollation:        "postgres sqlite",
		DescendingIndex:          "postgres mysql mariadb sqlite sqlserver",
		ConcurrentIndex:          "postgres",
		TransactionalDDL:         "postgres sqlite sqlserver",
		AtomicIndexRebuild:       "postgres sqlite",
		IndexDefinitionRendering: "postgres",
		ParenthesisedFilters:     "sqlserver",
		DriverCachesStatements:   "postgres sqlserver",
		NativePlaceholders:       "mysql mariadb sqlite",
		ValuesTable:              "postgres sqlite sqlserver",
		ValuesColumnN:            "sqlite",
		ColumnAliasList:          "postgres sqlserver",
	}
	for c := PartialIndex; c <= ColumnAliasList; c++ {
		var has []string
		for _, f := range fams {
			d := &Dialect{family: f}
			if f == MariaDB {
				d.version = Version{10, 11, 0}
			}
			if d.Has(c) {
				has = append(has, string(f))
			}
		}
		if got := strings.Join(has, " "); got != want[c] {
			t.Errorf("capability %d: got %q, want %q", c, got, want[c])
		}
	}
	if (&Dialect{family: MariaDB, version: Version{10, 6, 0}}).Has(DescendingIndex) {
		t.Error("MariaDB 10.6 has DescendingIndex; it ignores DESC before 10.8")
	}
	if (&Dialect{family: Postgres}).Has(0) {
		t.Error("the zero Capability is had")
	}
}

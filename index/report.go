package index

import (
	"fmt"
	"strings"
)

// Status is what Ensure or Diff found, or did, for one index.
type Status string

// The statuses of an Outcome.
const (
	// Missing: declared, not in the database (Diff only; Ensure creates it).
	Missing Status = "missing"
	// Created: Ensure created it.
	Created Status = "created"
	// Present: exists and matches its declaration.
	Present Status = "present"
	// Drifted: exists under the declared name but differs; see Differences.
	// Ensure leaves it alone unless called with Repair.
	Drifted Status = "drifted"
	// Repaired: was drifted; Ensure dropped and re-created it (Repair).
	Repaired Status = "repaired"
	// Undeclared: exists on a declared table with a name in GORM's "idx_"
	// style, but nothing declares it. It is never dropped.
	Undeclared Status = "undeclared"
)

// Kind is one way an existing index differs from its declaration: one of
// the Kind constants below.
type Kind string

// The kinds of a Difference.
const (
	// KindColumns: the key columns or expressions differ, or come in another order.
	KindColumns Kind = "columns"
	// KindSort: the same keys, with another ascending/descending direction.
	KindSort Kind = "sort"
	// KindUnique: one is unique and the other is not.
	KindUnique Kind = "unique"
	// KindWhere: the partial-index condition differs, or only one is partial.
	KindWhere Kind = "where"
	// KindType: the index method differs (e.g. btree vs hash).
	KindType Kind = "type"
	// KindLength: a key's prefix length differs (MySQL, MariaDB).
	KindLength Kind = "length"
	// KindInvalid: PostgreSQL marked the index invalid, as a failed
	// CREATE INDEX CONCURRENTLY leaves it; it is not used by queries.
	KindInvalid Kind = "invalid"
)

// Difference is one way an existing index differs from its declaration,
// with both sides rendered for people.
type Difference struct {
	// Kind says what differs: the columns, the sort order, uniqueness...
	Kind Kind
	// Want is the declared side, Got the database's.
	Want, Got string
}

// String renders the difference for people, as
// "<kind>: want <Want>, got <Got>", e.g. "unique: want true, got false".
func (d Difference) String() string {
	return fmt.Sprintf("%s: want %s, got %s", d.Kind, d.Want, d.Got)
}

// Values of Outcome.Source: where an index was declared.
const (
	// SourceTag: declared by a struct tag (gorm:"index", gorm:"uniqueIndex").
	SourceTag = "tag"
	// SourceCode: declared in code, by a Def passed with On.
	SourceCode = "code"
)

// Outcome is what Ensure or Diff found, or did, for one index.
type Outcome struct {
	// Table is the table the index belongs to.
	Table string
	// Name is the index name in the database: the declared name, shortened
	// when it exceeds the database's identifier length.
	Name string
	// Declared is the name as declared by the tag or Def.
	Declared string
	// Source is SourceTag for a struct tag, SourceCode for a Def, "" for
	// Undeclared.
	Source string
	// Status is what was found or done.
	Status Status
	// Differences lists how a Drifted (or Repaired) index differed.
	Differences []Difference
	// Warnings lists declared settings the database ignores, which were
	// left out of the SQL, and shortened names.
	Warnings []string
}

// Report is the outcome of Ensure or Diff: one entry per declared index, in
// declaration order per table, followed by the table's Undeclared indexes.
type Report struct {
	// Indexes holds one Outcome per index, in the order described
	// above. Count, Find, Drifted and String read it.
	Indexes []Outcome
}

// Count returns how many indexes have status s.
func (r Report) Count(s Status) int {
	n := 0
	for _, ix := range r.Indexes {
		if ix.Status == s {
			n++
		}
	}
	return n
}

// Find returns the Outcome of the index declared (or named) name on table.
func (r Report) Find(table, name string) (Outcome, bool) {
	for _, ix := range r.Indexes {
		if ix.Table == table && (ix.Declared == name || ix.Name == name) {
			return ix, true
		}
	}
	return Outcome{}, false
}

// Drifted returns the Outcomes whose status is Drifted.
func (r Report) Drifted() []Outcome {
	var out []Outcome
	for _, ix := range r.Indexes {
		if ix.Status == Drifted {
			out = append(out, ix)
		}
	}
	return out
}

// String renders one line per index, e.g.
// "accounts.idx_accounts_status: drifted (unique: want true, got false)".
func (r Report) String() string {
	var b strings.Builder
	for _, ix := range r.Indexes {
		fmt.Fprintf(&b, "%s.%s: %s", ix.Table, ix.Name, ix.Status)
		if len(ix.Differences) > 0 {
			parts := make([]string, len(ix.Differences))
			for i, d := range ix.Differences {
				parts[i] = d.String()
			}
			fmt.Fprintf(&b, " (%s)", strings.Join(parts, "; "))
		}
		b.WriteByte('\n')
	}
	return b.String()
}

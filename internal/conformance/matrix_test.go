package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gormup/gormup/batch"
	"github.com/gormup/gormup/internal/dbtest"
	"gorm.io/gorm"
	"gorm.io/gorm/schema"
)

// runner is an input of any shape.
type runner interface {
	label() string
	// run runs entry e on a fresh database of dialect and returns the
	// matrix cell: "ok", "·" (the combination does not apply) or "FAIL".
	run(t *testing.T, dialect string, e entry) string
}

// callTimeout bounds one entry point's call; chunkCap stops loops sooner.
const callTimeout = 30 * time.Second

// TestConformance runs every entry point over every input on every
// configured database and reads back the exact rows of the target and of
// its neighbour.
func TestConformance(t *testing.T) {
	for _, dialect := range dbtest.Dialects {
		t.Run(dialect, func(t *testing.T) {
			if env := dbtest.EnvVar(dialect); env != "" && os.Getenv(env) == "" {
				t.Skipf("%s not set: skipping %s", env, dialect)
			}
			ins := inputs(dialect)
			cells := make([][]string, len(ins))
			for i, in := range ins {
				cells[i] = make([]string, len(entries))
				for j, e := range entries {
					cells[i][j] = "skip"
					t.Run(in.label()+"/"+e.name, func(t *testing.T) {
						defer func() {
							if t.Failed() {
								cells[i][j] = "FAIL"
							}
						}()
						cells[i][j] = in.run(t, dialect, e)
					})
				}
			}
			t.Log("\n" + matrix(ins, cells))
		})
	}
}

// matrix renders one line per input and one column per entry point.
func matrix(ins []runner, cells [][]string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-16s", "")
	for _, e := range entries {
		fmt.Fprintf(&b, " %-*s", max(len(e.name), 4), e.name)
	}
	b.WriteString("\n")
	for i, in := range ins {
		fmt.Fprintf(&b, "%-16s", in.label())
		for j, e := range entries {
			fmt.Fprintf(&b, " %-*s", max(len(e.name), 4), cells[i][j])
		}
		b.WriteString("\n")
	}
	return b.String()
}

// expectation is what an entry point must do with an input.
type expectation struct {
	na          string          // why the combination does not apply
	err         error           // the refusal; nothing written
	touched     map[string]bool // folded keys of the rows written, each once
	conflictAt  int             // index into keys of the CheckVersion conflict, -1 for none
	n, missing  int64
	missingKeys []string // folded, sorted; UpdateRows only
	conflicts   int
}

func (in *input[T]) expect(dialect string, e entry, s *schema.Schema) expectation {
	x := expectation{touched: map[string]bool{}, conflictAt: -1}
	switch {
	case in.keysOnly && (e.kind == kOne || e.kind == kCond):
		x.na = "keys only"
	case e.checkVersion && !hasVersion(new(T)):
		x.na = "no version field"
	case in.mismatch && !e.generic:
		x.na = "no type argument"
	case in.mismatch:
		x.err = batch.ErrModelMismatch
	case in.composite && (e.kind == kKeys || e.name == "Chunked" || e.name == "UpdateSized"):
		x.err = batch.ErrNoPrimaryKey
	case e.kind == kRows && in.rowsWhere:
		x.err = batch.ErrConditions
	}
	if x.na != "" || x.err != nil {
		return x
	}
	live := map[string]*T{} // folded key → seed row the caller's scope can see
	for i := range in.seed {
		if r := &in.seed[i]; in.unscoped || !deleted(r) {
			live[foldKey(dialect, keyOf(s, r))] = r
		}
	}
	switch e.kind {
	case kOne:
		k := foldKey(dialect, in.oneKey)
		if live[k] == nil {
			x.err = gorm.ErrRecordNotFound
			return x
		}
		x.touched[k] = true
	case kCond:
		for k, r := range live {
			if in.match(r) {
				x.touched[k] = true
			}
		}
	case kKeys:
		seen := map[string]bool{}
		for _, key := range in.keys {
			k := foldKey(dialect, key)
			if seen[k] {
				// Keys the database calls equal are refused, as by UpdateRows.
				x.err = batch.ErrDuplicateKey
				return x
			}
			seen[k] = true
			if r := live[k]; r != nil && (in.match == nil || in.match(r)) {
				x.touched[k] = true
			}
		}
	case kRows:
		seen := map[string]bool{}
		for i, key := range in.keys {
			k := foldKey(dialect, key)
			if seen[k] {
				x.err = batch.ErrDuplicateKey
				return x
			}
			seen[k] = true
			switch {
			case live[k] == nil:
				x.missing++
				x.missingKeys = append(x.missingKeys, k)
			case e.checkVersion && i == 1:
				x.conflictAt, x.conflicts = i, 1
			default:
				x.touched[k] = true
			}
		}
	}
	x.n = int64(len(x.touched))
	if e.kind == kRows {
		x.missingKeys = append([]string{}, x.missingKeys...)
		sort.Strings(x.missingKeys)
	}
	return x
}

// wanted returns the target's rows after the entry point did what x says.
func (in *input[T]) wanted(dialect string, e entry, s *schema.Schema, x expectation) []string {
	rows := clone(in.seed)
	if x.err != nil {
		return formatAll(rows)
	}
	if e.deletes {
		kept := rows[:0]
		for i := range rows {
			if !x.touched[foldKey(dialect, keyOf(s, &rows[i]))] || (!in.unscoped && markDeleted(&rows[i])) {
				kept = append(kept, rows[i])
			}
		}
		return formatAll(kept)
	}
	for i := range rows {
		if x.touched[foldKey(dialect, keyOf(s, &rows[i]))] {
			addBalance(&rows[i], delta)
			if e.versions && hasVersion(&rows[i]) {
				bumpVersion(&rows[i])
			}
		}
	}
	return formatAll(rows)
}

// inputRows returns the rows UpdateRows is given: the seed row of each key
// (found with the database's equality), carrying the key as given, its
// Balance raised by delta and, at conflictAt, a version the row does not
// have; a missing key gets a zero row.
func (in *input[T]) inputRows(dialect string, s *schema.Schema, conflictAt int) []T {
	out := make([]T, len(in.keys))
	for i, key := range in.keys {
		for j := range in.seed {
			if foldKey(dialect, keyOf(s, &in.seed[j])) == foldKey(dialect, key) {
				out[i] = in.seed[j]
			}
		}
		setKey(s, &out[i], key)
		addBalance(&out[i], delta)
		if i == conflictAt {
			wrongVersion(&out[i])
		}
	}
	return out
}

func (in *input[T]) run(t *testing.T, dialect string, e entry) string {
	s, err := schema.Parse(new(T), &sync.Map{}, schema.NamingStrategy{})
	if err != nil {
		t.Fatal(err)
	}
	x := in.expect(dialect, e, s)
	if x.na != "" {
		return "·"
	}
	db := dbtest.Open(t, dialect)
	h, target := db.DB, in.target
	if in.prepare != nil {
		h, target = in.prepare(t, db)
	}
	var neighbourModel any = new(T)
	if in.neighbourModel != nil {
		neighbourModel = in.neighbourModel
	}
	for _, m := range []struct {
		table string
		model any
	}{{target, new(T)}, {in.neighbour, neighbourModel}} {
		if err := h.Table(m.table).AutoMigrate(m.model); err != nil {
			t.Fatalf("migrating %s: %v", m.table, err)
		}
		if err := h.Table(m.table).Create(clone(in.seed)).Error; err != nil {
			t.Fatalf("seeding %s: %v", m.table, err)
		}
	}
	seeded := formatAll(in.seed)

	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	base := h.WithContext(ctx)
	q := in.scope(base, target)
	switch {
	case e.name == "Transaction":
		q = base
	case e.kind == kOne:
		q = in.whereOne(q)
	case in.where != nil && (e.kind != kRows || in.rowsWhere):
		q = in.where(q)
	}
	if !e.generic && q.Statement.Model == nil {
		q = q.Model(new(T))
	}
	got := call(ctx, cancel, dialect, e, q, in, s, target, in.inputRows(dialect, s, x.conflictAt))

	var problems []string
	switch {
	case x.err != nil && !errors.Is(got.err, x.err):
		problems = append(problems, fmt.Sprintf("returned %v, want an error wrapping %q (nothing written)", got, x.err))
	case x.err == nil && got.err != nil:
		problems = append(problems, fmt.Sprintf("returned %v, want no error", got))
	case x.err == nil && (got.n != x.n || got.missing != x.missing || got.conflicts != x.conflicts ||
		!slices.Equal(got.missingKeys, x.missingKeys)):
		problems = append(problems, fmt.Sprintf("returned %v, want n=%d missing=%d %v conflicts=%d",
			got, x.n, x.missing, x.missingKeys, x.conflicts))
	}
	if g, w := readBack[T](t, h, target), in.wanted(dialect, e, s, x); !slices.Equal(g, w) {
		problems = append(problems, fmt.Sprintf("target %s rows\n\t\tgot  %v\n\t\twant %v", target, g, w))
	}
	if g := readBack[T](t, h, in.neighbour); !slices.Equal(g, seeded) {
		problems = append(problems, fmt.Sprintf("neighbour %s rows\n\t\tgot  %v\n\t\twant %v", in.neighbour, g, seeded))
	}
	if len(problems) > 0 {
		t.Errorf("%s × %s on %s:\n\t%s", in.name, e.name, dialect, strings.Join(problems, "\n\t"))
		return "FAIL"
	}
	return "ok"
}

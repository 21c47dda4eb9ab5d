package index

import (
	"errors"
	"fmt"
	"strings"

	"github.com/gormup/gormup/internal/dialect"
)

// validate checks every declaration against the database before anything is
// written: features the database lacks are errors when they change what the
// index covers or enforces, and warnings (the setting is left out of the SQL)
// when they do not. It also sets each spec's name in the database.
func validate(d *dialect.Dialect, models []*model) error {
	var errs []error
	for _, m := range models {
		for _, s := range m.specs {
			s.name = shorten(s.declared, d.MaxIdentifierLength())
			s.warnings = nil
			if s.name != s.declared {
				s.warn(fmt.Sprintf("name is longer than %d bytes: created as %s", d.MaxIdentifierLength(), s.name))
			}
			errs = append(errs, s.validate(d)...)
		}
	}
	return errors.Join(errs...)
}

func (s *spec) warn(msg string) { s.warnings = append(s.warnings, msg) }

func (s *spec) unsupported(d *dialect.Dialect, feature, reason string) error {
	return &UnsupportedError{Table: s.table, Index: s.declared, Feature: feature, Dialect: d.Name(), Reason: reason}
}

func (s *spec) validate(d *dialect.Dialect) []error {
	var errs []error
	invalid := func(reason string) { errs = append(errs, &DefError{Table: s.table, Index: s.declared, Reason: reason}) }
	if len(s.keys) == 0 {
		invalid("no key columns or expressions")
	}
	for _, v := range []string{s.where, s.option, s.comment, s.typ} {
		if strings.ContainsAny(v, ";\\") {
			invalid(fmt.Sprintf("%q holds ';' or '\\', which GORM's tag syntax cannot carry", v))
		}
	}
	if strings.Contains(s.comment, "'") {
		invalid("a comment cannot hold a quote: GORM writes it unescaped")
	}
	if s.where != "" && !d.Has(dialect.PartialIndex) {
		errs = append(errs, s.unsupported(d, "where", "MySQL and MariaDB have no partial indexes; GORM would create a full index"))
	}
	switch s.class {
	case "":
	case "FULLTEXT", "SPATIAL":
		if !d.Has(dialect.FulltextIndex) {
			errs = append(errs, s.unsupported(d, "class", s.class+" indexes exist only on MySQL and MariaDB"))
		}
	default:
		invalid(fmt.Sprintf("unknown class %q", s.class))
	}
	if s.typ != "" && !d.Has(dialect.IndexMethod) {
		if strings.EqualFold(s.typ, "btree") {
			s.warn("type btree left out: it is the only index type " + d.Name() + " builds")
			s.typ = ""
		} else {
			errs = append(errs, s.unsupported(d, "type", "only btree indexes exist here; GORM would write invalid SQL or ignore it"))
		}
	}
	if d.Has(dialect.HashIndexIsBtree) && strings.EqualFold(s.typ, "hash") {
		s.warn("type hash: InnoDB builds a btree index instead; the type is not compared")
	}
	if s.comment != "" && !d.Has(dialect.IndexComment) {
		s.warn("comment left out: only MySQL and MariaDB store index comments")
		s.comment = ""
	}
	if s.option != "" && !d.Has(dialect.IndexOption) {
		s.warn(fmt.Sprintf("option %q left out: SQLite has no index options", s.option))
		s.option = ""
	}
	if s.concurrently && !d.Has(dialect.ConcurrentIndex) {
		s.warn("CONCURRENTLY left out: it is a PostgreSQL option")
		s.concurrently = false
	}
	for i := range s.keys {
		k := &s.keys[i]
		name := k.column
		if k.expr != "" {
			name = k.expr
			if strings.ContainsAny(k.expr, ";\\") {
				invalid(fmt.Sprintf("expression %q holds ';' or '\\', which GORM's tag syntax cannot carry", k.expr))
			}
			if !d.Has(dialect.ExpressionIndex) {
				errs = append(errs, s.unsupported(d, "expression", "expression keys are supported on PostgreSQL and SQLite only"))
			}
		}
		if k.length > 0 && !d.Has(dialect.IndexPrefixLength) {
			if s.unique {
				errs = append(errs, s.unsupported(d, "length", "a prefix length would make the unique index enforce uniqueness of the whole column"))
			} else {
				s.warn(fmt.Sprintf("length of %s left out: %s indexes whole columns", name, d.Name()))
				k.length = 0
			}
		}
		if k.collate != "" && !d.Has(dialect.IndexKeyCollation) {
			errs = append(errs, s.unsupported(d, "collate", "index keys take the column's collation here"))
		}
		if k.desc && !d.Has(dialect.DescendingIndex) {
			s.warn(fmt.Sprintf("%s DESC is parsed but ignored by MariaDB before 10.8", name))
		}
	}
	return errs
}

package where

import (
	"strings"

	"github.com/gormup/gormup/internal/sqltext"
)

// reference reads a possibly qualified name at toks[i]: its lower-cased
// parts and the index after it.
func reference(toks []token, i int) ([]string, int) {
	var parts []string
	for i < len(toks) && (toks[i].Kind == sqltext.Word || toks[i].Kind == sqltext.Ident) {
		parts = append(parts, strings.ToLower(toks[i].Text))
		if i+2 < len(toks) && toks[i+1].IsPunct(".") {
			i += 2
			continue
		}
		i++
		break
	}
	return parts, i
}

// column reports whether toks is exactly one column of the written table,
// and its lower-cased name. strict refuses a bare column when other tables
// could own it.
func (s *scope) column(toks []token, strict bool) (string, bool) {
	toks = stripParens(toks)
	if len(toks) == 0 || (toks[0].Kind != sqltext.Word && toks[0].Kind != sqltext.Ident) {
		return "", false
	}
	parts, n := reference(toks, 0)
	if n != len(toks) {
		return "", false
	}
	name := parts[len(parts)-1]
	if len(parts) == 1 {
		t := toks[0]
		if t.Kind == sqltext.Word && keywordValue[strings.ToUpper(t.Text)] {
			return "", false
		}
		if s.cols != nil {
			return name, s.cols[name]
		}
		if t.Kind == sqltext.Ident && t.Quote == '"' && s.fam == sqltext.SQLite {
			return "", false // SQLite reads "x" as a string when no column x exists
		}
		return name, !strict || !s.hasOthers()
	}
	q := strings.Join(parts[:len(parts)-1], ".")
	if !s.targets[q] || (s.cols != nil && !s.cols[name]) {
		return "", false
	}
	return name, true
}

// keywordValue are the words that are values, not columns.
var keywordValue = wordSet("NULL TRUE FALSE UNKNOWN DEFAULT CURRENT_TIMESTAMP CURRENT_DATE CURRENT_TIME " +
	"LOCALTIME LOCALTIMESTAMP CURRENT_USER SESSION_USER USER SYSTEM_USER CURRENT_ROLE CURRENT_SCHEMA " +
	"CURRENT_CATALOG UTC_TIMESTAMP UTC_DATE UTC_TIME")

// operatorWords may appear in a value expression.
var operatorWords = wordSet("AND OR NOT IS IN LIKE ILIKE BETWEEN CASE WHEN THEN ELSE END DISTINCT FROM ESCAPE " +
	"ARRAY BINARY DIV MOD XOR AT AS")

// lowerPrecedence are the operator words that bind less tightly than a
// comparison: outside parentheses they would make the comparison an operand.
var lowerPrecedence = wordSet("IS IN LIKE ILIKE BETWEEN NOT AND OR XOR DISTINCT FROM ESCAPE SIMILAR REGEXP RLIKE GLOB MATCH ISNULL NOTNULL")

// literalPrefixes open a typed literal when a string or number follows.
var literalPrefixes = wordSet("DATE TIME TIMESTAMP INTERVAL")

// units follow an interval's number or string.
var units = wordSet("YEAR YEARS MONTH MONTHS WEEK WEEKS DAY DAYS HOUR HOURS MINUTE MINUTES SECOND SECONDS " +
	"MICROSECOND MICROSECONDS QUARTER")

// typeWords continue a type name after its first word.
var typeWords = wordSet("WITH WITHOUT TIME ZONE PRECISION VARYING")

func wordSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// value reports whether toks is an expression that reads no column of the
// written row (see Reason). plain also refuses subqueries and other tables'
// columns.
func (s *scope) value(toks []token, plain bool) bool {
	if len(toks) == 0 {
		return false
	}
	typeName := false // the previous word named a type
	depth := 0        // parentheses, brackets and CASE ... END
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		wasType := typeName
		typeName = false
		switch t.Kind {
		case sqltext.Op:
			if depth == 0 {
				return false // id = 1 = 1, id = 1 <> 0: the comparison would not be the one read
			}
			continue
		case sqltext.Other:
			if depth == 0 && s.fam == sqltext.MySQL && (t.Text == "||" || t.Text == "&" && i+1 < len(toks) && toks[i+1].Text == "&") {
				return false // MySQL's || and && are OR and AND
			}
			continue
		case sqltext.Number, sqltext.String, sqltext.Param:
			continue
		case sqltext.Punct:
			switch t.Text {
			case "(":
				if i+1 < len(toks) && isQuery(toks[i+1]) {
					if plain {
						return false
					}
					j := closing(toks, i)
					if j < 0 || !s.subquery(toks[i+1:j]) {
						return false
					}
					i = j // a subquery: trusted
					continue
				}
				depth++
				continue
			case "[":
				depth++
				continue
			case ")", "]":
				depth--
				continue
			case ",":
				continue
			}
			return false
		}
		if t.Is("CASE") {
			depth++
			continue
		}
		if t.Is("END") {
			depth--
			continue
		}
		if depth == 0 && t.Kind == sqltext.Word && lowerPrecedence[strings.ToUpper(t.Text)] {
			return false // id = 1 IS NOT NULL reads (id = 1) IS NOT NULL
		}
		parts, n := reference(toks, i)
		if n < len(toks) && toks[n].IsPunct("(") {
			if f := strings.ToUpper(parts[len(parts)-1]); f == "ALL" || f == "SOME" {
				return false // x <> ALL (empty) holds for every row
			}
			i = n - 1
			continue
		}
		if len(parts) == 1 {
			if t.Kind != sqltext.Word {
				return false // "x" may be a column of the written row
			}
			w := strings.ToUpper(t.Text)
			prev, next := token{}, token{}
			if i > 0 {
				prev = toks[i-1]
			}
			if i+1 < len(toks) {
				next = toks[i+1]
			}
			switch {
			case keywordValue[w], operatorWords[w] && w != "AS":
			case w == "AS" || w == "COLLATE" || prev.Text == "::" || prev.Is("AS") || prev.Is("COLLATE"):
				typeName = true
			case wasType && typeWords[w]:
				typeName = true
			case literalPrefixes[w] && (next.Kind == sqltext.String || next.Kind == sqltext.Number || next.Kind == sqltext.Param):
			case units[w] && (prev.Kind == sqltext.String || prev.Kind == sqltext.Number || prev.Kind == sqltext.Param):
			default:
				return false // a bare word may be a column of the written row
			}
			continue
		}
		q := strings.Join(parts[:len(parts)-1], ".")
		if plain || s.targets[q] || s.tainted[q] || !s.others[q] {
			return false
		}
		i = n - 1
	}
	return true
}

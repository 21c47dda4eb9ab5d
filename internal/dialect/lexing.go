package dialect

// Lexing says how the dialect's SQL text is split into tokens where dialects
// disagree, for code that reads raw SQL (hooks.Guard checking Exec
// statements).
type Lexing struct {
	// HashComments: '#' starts a comment running to the end of the line
	// (MySQL, MariaDB). Elsewhere '#' is an operator (PostgreSQL XOR).
	HashComments bool
	// BackslashEscapes: inside '...' a backslash escapes the next character
	// (MySQL and MariaDB, unless sql_mode has NO_BACKSLASH_ESCAPES).
	BackslashEscapes bool
	// DollarQuotes: $tag$ ... $tag$ delimits a string, E'...' is a string with
	// backslash escapes, and block comments nest (PostgreSQL).
	DollarQuotes bool
}

// Lexing returns the lexical rules of the dialect's SQL that differ from the
// common core ('...' strings with doubled quotes, "..." identifiers, -- and /* */
// comments): see Lexing. SQLite and SQL Server need none of them.
func (d *Dialect) Lexing() Lexing {
	switch d.family {
	case MySQL, MariaDB:
		return Lexing{HashComments: true, BackslashEscapes: true}
	case Postgres:
		return Lexing{DollarQuotes: true}
	}
	return Lexing{}
}

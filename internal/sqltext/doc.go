// Package sqltext splits SQL text into tokens the way each database family
// reads it. It is the one SQL lexer of gormup: hooks.Guard and batch.Update
// (through internal/where) and index use it.
//
//	toks, err := sqltext.Lex(`UPDATE t SET a = "x" WHERE id = 1`, sqltext.MySQL)
//	// toks[5] is the string x: MySQL reads "..." as a string.
//
// Each family follows its server's documented lexical rules:
//
//   - PostgreSQL: '...' strings with doubled quotes; E'...' strings with
//     backslash escapes; U&'...', B'...', X'...' strings; $tag$...$tag$
//     dollar quotes (tags may hold any letter, non-ASCII included); "..."
//     identifiers; nested /* */ comments; ARRAY[...] brackets are
//     punctuation.
//   - MySQL and MariaDB (default sql_mode): '...' and "..." are strings with
//     backslash escapes; `...` identifiers; # and "-- " comments (-- followed
//     by anything but a space or control character is two minus signs);
//     /*! ... */ and /*M! ... */ are executed, not comments; a versioned
//     executable comment (/*!50100 ... */) is refused, since whether it runs
//     depends on the server's version.
//   - SQLite: "..." and `...` and [...] identifiers; a /* comment left open
//     runs to the end of the text.
//   - SQL Server: [...] identifiers with ]] for ], "..." identifiers (the
//     default QUOTED_IDENTIFIER ON), N'...' strings, nested /* */ comments.
//
// Each family assumes the server's default settings: PostgreSQL's
// standard_conforming_strings on, MySQL's sql_mode without ANSI_QUOTES or
// NO_BACKSLASH_ESCAPES.
//
// Text Lex cannot read — an unterminated string, identifier or comment (where
// the server would not accept it either) — is an *Error saying where.
package sqltext

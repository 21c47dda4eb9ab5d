package dialect

// Bind-parameter limits per statement.
const (
	postgresMaxParams     = 65535
	mysqlMaxParams        = 65535
	sqliteMaxParams       = 32766
	sqliteLegacyMaxParams = 999 // SQLite before 3.32
	sqlServerMaxParams    = 2100
	// sqliteFastParams: SQLite drivers bind each parameter of a statement
	// at a cost that grows with the statement's parameter count (the pure-Go
	// driver looks each one up among all the arguments), so large
	// multi-row statements run slower per row than ones of about a
	// thousand parameters.
	sqliteFastParams = 1000
)

// MaxParams returns the number of bind parameters one statement may carry.
func (d *Dialect) MaxParams() int {
	switch d.family {
	case Postgres:
		return postgresMaxParams
	case MySQL, MariaDB:
		return mysqlMaxParams
	case SQLite:
		if d.version.AtLeast(3, 32) {
			return sqliteMaxParams
		}
		return sqliteLegacyMaxParams
	case SQLServer:
		return sqlServerMaxParams
	}
	return sqliteLegacyMaxParams
}

// FastParams returns how many bind parameters a multi-row statement should
// carry at most to write its rows at the best cost per row: 1,000 on
// SQLite, MaxParams elsewhere.
func (d *Dialect) FastParams() int {
	if d.family == SQLite {
		return min(sqliteFastParams, d.MaxParams())
	}
	return d.MaxParams()
}

// ChunkSize returns how many items of perItem bind parameters each fit in one
// statement that also carries fixed parameters of its own. It is at least 1
// when perItem+fixed fits at all, and 0 when even one item does not.
func (d *Dialect) ChunkSize(perItem, fixed int) int {
	if perItem <= 0 {
		perItem = 1
	}
	room := d.MaxParams() - fixed
	if room < perItem {
		return 0
	}
	return room / perItem
}

// Split divides n items into consecutive [start, end) ranges of at most size
// items each. It returns nil for n <= 0 and panics for size <= 0.
func Split(n, size int) [][2]int {
	if size <= 0 {
		panic("dialect: Split size must be positive")
	}
	if n <= 0 {
		return nil
	}
	out := make([][2]int, 0, (n+size-1)/size)
	for start := 0; start < n; start += size {
		out = append(out, [2]int{start, min(start+size, n)})
	}
	return out
}

// MaxIdentifierLength returns the longest identifier the dialect accepts, in
// bytes; 0 means no practical limit (SQLite).
func (d *Dialect) MaxIdentifierLength() int {
	switch d.family {
	case Postgres:
		return 63
	case MySQL, MariaDB:
		return 64
	case SQLServer:
		return 128
	}
	return 0
}

package dialect

import (
	"errors"
	"testing"
)

func TestVersionGates(t *testing.T) {
	skip := Lock{Strength: ForUpdate, Wait: SkipLocked}
	noWait := Lock{Strength: ForUpdate, Wait: NoWait}
	tests := []struct {
		name    string
		d       *Dialect
		lock    Lock
		wantErr bool
	}{
		{"MariaDB 10.5 SKIP LOCKED", &Dialect{family: MariaDB, version: Version{10, 5, 0}}, skip, true},
		{"MariaDB 10.6 SKIP LOCKED", &Dialect{family: MariaDB, version: Version{10, 6, 0}}, skip, false},
		{"MariaDB 10.2 NOWAIT", &Dialect{family: MariaDB, version: Version{10, 2, 0}}, noWait, true},
		{"MySQL 5.7 NOWAIT", &Dialect{family: MySQL, version: Version{5, 7, 40}}, noWait, true},
		{"MySQL 8.0 NOWAIT", &Dialect{family: MySQL, version: Version{8, 0, 36}}, noWait, false},
	}
	for _, tt := range tests {
		err := tt.d.CheckLock(tt.lock)
		if got := errors.Is(err, ErrLockUnsupported); got != tt.wantErr {
			t.Errorf("%s: CheckLock = %v, want unsupported=%v", tt.name, err, tt.wantErr)
		}
	}

	oldSQLite := &Dialect{family: SQLite, version: Version{3, 31, 1}}
	if oldSQLite.SupportsUpdateFrom() || oldSQLite.SupportsReturning() {
		t.Error("SQLite 3.31 reports UPDATE FROM or RETURNING support")
	}
	if got := oldSQLite.MaxParams(); got != 999 {
		t.Errorf("SQLite 3.31 MaxParams = %d, want 999", got)
	}
	if got := oldSQLite.FastParams(); got != 999 {
		t.Errorf("SQLite 3.31 FastParams = %d, want 999", got)
	}
	if got := (&Dialect{family: SQLite, version: Version{3, 34, 0}}).SupportsReturning(); got {
		t.Error("SQLite 3.34 reports RETURNING support")
	}
}

func TestParseVersion(t *testing.T) {
	tests := map[string]Version{
		"10.11.19-MariaDB-0+deb12u1":         {10, 11, 19},
		"15.20 (Debian 15.20-0+deb12u1)":     {15, 20, 0},
		"3.45.1":                             {3, 45, 1},
		"8.0.36":                             {8, 0, 36},
		"16.0.1000.6":                        {16, 0, 1000},
		"5.7.44-log":                         {5, 7, 44},
		"":                                   {},
		"PostgreSQL 15.4 on x86_64-pc-linux": {},
	}
	for in, want := range tests {
		if got := parseVersion(in); got != want {
			t.Errorf("parseVersion(%q) = %v, want %v", in, got, want)
		}
	}
}

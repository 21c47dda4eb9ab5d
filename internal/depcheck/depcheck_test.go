package depcheck

import (
	"os/exec"
	"strings"
	"testing"
)

// libraryPackages are the packages applications import.
var libraryPackages = []string{"updater", "batch", "chunk", "lock", "hooks", "projection", "index", "internal/throttle", "internal/chunker", "internal/catalog"}

// forbidden are packages no library package may depend on: cgo drivers and
// drivers' Open entry points (GORM dialectors).
var forbidden = []string{
	"github.com/mattn/go-sqlite3",
	"gorm.io/driver/sqlite",
	"gorm.io/driver/postgres",
	"gorm.io/driver/sqlserver",
	"github.com/jackc/pgx/v5/stdlib",
}

// deps returns "importpath [cgo]" lines for pkg and everything it imports;
// standard-library packages (net's optional cgo resolver) are never marked.
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	path := "github.com/gormup/gormup/" + pkg
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{if and .CgoFiles (not .Standard)}}cgo{{end}}", path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", path, err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 5 {
		t.Fatalf("go list -deps %s returned %d packages, want the full graph", path, len(lines))
	}
	return lines
}

func TestLibraryPackagesHaveNoCgoOrDriverDependency(t *testing.T) {
	for _, pkg := range libraryPackages {
		t.Run(pkg, func(t *testing.T) {
			for _, line := range deps(t, pkg) {
				name, cgo, _ := strings.Cut(line, " ")
				if cgo == "cgo" {
					t.Errorf("%s depends on %s, which has cgo files", pkg, name)
				}
				for _, f := range forbidden {
					if name == f {
						t.Errorf("%s depends on %s", pkg, f)
					}
				}
			}
		})
	}
}

// The check must be able to fail: the test harness opens drivers, so it must
// be reported.
func TestCheckDetectsCgoDriver(t *testing.T) {
	found := false
	for _, line := range deps(t, "internal/dbtest") {
		if line == "github.com/mattn/go-sqlite3 cgo" {
			found = true
		}
	}
	if !found {
		t.Fatal("go list -deps internal/dbtest does not report github.com/mattn/go-sqlite3 as cgo")
	}
}

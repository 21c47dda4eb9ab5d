package dbtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gormup/gormup/internal/dbtest"
)

// envNested marks the go test this test starts, so that it does not start
// another.
const envNested = "GORMUP_TEST_NESTED_PUREGO"

// In a -race build, dbtest.Run skips its sqlite-purego subtests (the race
// detector makes translated SQLite too slow); this test runs all of them —
// every package's — in one `go test` without -race, so that every SQLite
// test still runs on both drivers in the README's test command. In a build
// without -race the subtests run in place and this test has nothing to do.
func TestPureGoSQLiteWithoutRace(t *testing.T) {
	if !dbtest.RaceEnabled {
		t.Skip("built without -race: the sqlite-purego subtests run in place")
	}
	if os.Getenv(envNested) != "" {
		t.Skip("already the nested run")
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "test", "-count=1", "-timeout=9m", "-run=/^"+dbtest.SQLitePureGo+"$", "./...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), envNested+"=1")
	for _, v := range []string{dbtest.EnvPostgres, dbtest.EnvMySQL, dbtest.EnvSQLServer} {
		cmd.Env = append(cmd.Env, v+"=") // servers are the -race run's business
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go test -run /%s ./... (no -race): %v\n%s", dbtest.SQLitePureGo, err, out)
	}
	if ok := regexp.MustCompile(`(?m)^ok\s`).FindAllIndex(out, -1); len(ok) < 5 || strings.Contains(string(out), "FAIL") {
		t.Fatalf("nested run:\n%s", out)
	}
}

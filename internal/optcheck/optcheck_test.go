// Package optcheck proves that gormup's options are checked at compile time:
// testdata/misuse gives options where they mean nothing, and every such line
// must be a compile error.
package optcheck

import (
	"bufio"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestOptionMisuseDoesNotCompile builds testdata/misuse and checks that the
// compiler reports exactly the lines marked "want": each misuse fails, and
// the line that uses options correctly compiles.
func TestOptionMisuseDoesNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a package")
	}
	f, err := os.Open("testdata/misuse/main.go")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	want := map[int]string{} // line → why it must not compile
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		if _, why, ok := strings.Cut(sc.Text(), "// want: "); ok {
			want[n] = why
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("go", "build", "-gcflags=-e", "-o", os.DevNull, "./testdata/misuse").CombinedOutput()
	if err == nil {
		t.Fatalf("testdata/misuse compiled; want %d errors", len(want))
	}
	got := map[int]bool{}
	for _, m := range regexp.MustCompile(`main\.go:(\d+):\d+: `).FindAllStringSubmatch(string(out), -1) {
		n, _ := strconv.Atoi(m[1])
		got[n] = true
	}
	for n, why := range want {
		if !got[n] {
			t.Errorf("line %d compiled (%s)", n, why)
		}
	}
	for n := range got {
		if _, ok := want[n]; !ok {
			t.Errorf("line %d does not compile but is not marked want:\n%s", n, out)
		}
	}
}

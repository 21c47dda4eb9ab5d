package docs

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	// code is a fenced block or an inline code span: not links.
	code = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")
)

// Every relative link in the Markdown files resolves to a file in the
// repository.
func TestMarkdownLinksResolve(t *testing.T) {
	for _, page := range []string{"../README.md", "../CONTRIBUTING.md", "../CHANGELOG.md", "design.md", "benchmarks.md"} {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		prose := code.ReplaceAllString(string(text), "")
		for _, m := range mdLink.FindAllStringSubmatch(prose, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "#") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			if _, err := os.Stat(filepath.Join(filepath.Dir(page), target)); err != nil {
				t.Errorf("%s links to %s, which does not exist", page, m[1])
			}
		}
	}
}

// No file points at design notes that live outside the repository.
func TestNoReferenceOutsideTheRepository(t *testing.T) {
	stale := []string{"DESIGN.md", "STYLE.md", "../shared"}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != ".." {
			return filepath.SkipDir
		}
		if d.IsDir() || !(strings.HasSuffix(path, ".go") || strings.HasSuffix(path, ".md")) || filepath.Base(path) == "docs_test.go" {
			return nil
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range stale {
			if strings.Contains(string(text), s) {
				t.Errorf("%s mentions %s, which is not in the repository (docs/design.md is)", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The README keeps its install line and, on a line of its own, the test
// command .ci/run runs.
func TestReadmeFirstScreen(t *testing.T) {
	text, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(text), "\n")
	if len(lines) > 60 {
		lines = lines[:60]
	}
	first := strings.Join(lines, "\n")
	for _, want := range []string{
		"go get github.com/gormup/gormup\n",
		"\ngo run ./examples/quickstart ",
		"\ngo test -race -count=1 ./... ",
		"updater.Update(", "batch.UpdateRows(", "projection.Find[",
	} {
		if !strings.Contains(first, want) {
			t.Errorf("the README's first 60 lines lack %q", want)
		}
	}
	ci, err := os.ReadFile("../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(ci), "\ngo test -race -count=1 ./...\n") {
		t.Error(".ci/run no longer runs the README's test command")
	}
}

package depcheck

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gormup/gormup/"

// allowed lists, for every package of the module outside examples/, the
// packages of the module it may import directly. Data flows one way:
// updater builds on batch and chunk; batch on chunk (for chunk.Progress);
// chunk and everything else on the internal packages and the leaf lock.
// A package missing from the table fails the test until its place in the
// layering is written down here.
var allowed = map[string][]string{
	"lock":       {},
	"projection": {"internal/dialect"},
	"index":      {"internal/catalog", "internal/dialect", "internal/model", "internal/sqltext"},
	"hooks":      {"internal/dialect", "internal/model", "internal/sqltext", "internal/where"},
	"chunk":      {"internal/catalog", "internal/chunker", "internal/dialect", "internal/model", "internal/throttle", "internal/txn", "internal/where", "lock"},
	"batch":      {"chunk", "hooks", "internal/chunker", "internal/dialect", "internal/model", "internal/txn", "internal/where"},
	"updater":    {"batch", "chunk", "hooks", "internal/dialect", "internal/model", "internal/txn", "lock"},

	"internal/catalog":                {"internal/dialect"},
	"internal/chunker":                {"internal/txn"},
	"internal/txn":                    {"internal/dialect"},
	"internal/dialect":                {"lock"},
	"internal/model":                  {},
	"internal/sqltext":                {},
	"internal/where":                  {"internal/sqltext"},
	"internal/throttle":               {"internal/dialect"},
	"internal/baseline":               {"internal/dialect"},
	"internal/dbtest":                 {},
	"internal/depcheck":               {},
	"internal/clustertest":            {},
	"internal/conformance":            {},
	"internal/optcheck":               {},
	"internal/model/modeltest":        {"internal/dbtest"},
	"updater/internal/optimisticlock": {},
	"docs":                            {},
}

// never lists imports that no edit of allowed may permit, each with why.
var never = []struct{ pkg, imp, why string }{
	{"chunk", "index", "catalog reads go through internal/catalog, which index uses too"},
}

// violations returns one line per import the table does not allow, given
// each package's module-local imports (paths relative to the module).
func violations(graph map[string][]string) []string {
	var out []string
	for _, n := range never {
		if slices.Contains(allowed[n.pkg], n.imp) {
			out = append(out, "allowed lets "+n.pkg+" import "+n.imp+": never ("+n.why+")")
		}
	}
	for pkg, imports := range graph {
		example := pkg == "examples" || strings.HasPrefix(pkg, "examples/")
		ok, listed := allowed[pkg]
		if !example && !listed {
			out = append(out, pkg+": not in the layering table")
			continue
		}
		for _, imp := range imports {
			switch {
			case strings.HasPrefix(imp, "examples/") && !example:
				out = append(out, pkg+" imports "+imp+": nothing imports examples")
			case example:
				// Examples use any package, as an application would.
			case !slices.Contains(ok, imp):
				out = append(out, pkg+" imports "+imp+": not allowed")
			}
		}
	}
	slices.Sort(out)
	return out
}

// moduleGraph lists every package of the module with its module-local
// imports (tests excluded: test helpers may reach across).
func moduleGraph(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", module+"...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	graph := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := strings.TrimPrefix(fields[0], module)
		graph[pkg] = []string{}
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, module) {
				graph[pkg] = append(graph[pkg], strings.TrimPrefix(imp, module))
			}
		}
	}
	if len(graph) < 10 {
		t.Fatalf("go list found %d packages, want the whole module", len(graph))
	}
	return graph
}

func TestLayering(t *testing.T) {
	for _, v := range violations(moduleGraph(t)) {
		t.Error(v)
	}
}

// The check must be able to fail: an upward import, an import of examples
// and an unlisted package are each reported.
func TestLayeringDetectsViolations(t *testing.T) {
	graph := moduleGraph(t)
	graph["chunk"] = append(graph["chunk"], "batch", "index")
	graph["batch"] = append(graph["batch"], "updater")
	graph["hooks"] = append(graph["hooks"], "examples/internal/exampledb")
	graph["newpkg"] = nil
	got := violations(graph)
	want := []string{
		"batch imports updater: not allowed",
		"chunk imports batch: not allowed",
		"chunk imports index: not allowed",
		"hooks imports examples/internal/exampledb: nothing imports examples",
		"newpkg: not in the layering table",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("violations\n got %q\nwant %q", got, want)
	}
}

// A never rule holds even when allowed is edited to permit the import.
func TestLayeringNeverRules(t *testing.T) {
	saved := allowed["chunk"]
	t.Cleanup(func() { allowed["chunk"] = saved })
	allowed["chunk"] = append(slices.Clone(saved), "index")
	graph := moduleGraph(t)
	graph["chunk"] = append(graph["chunk"], "index")
	got := violations(graph)
	want := []string{"allowed lets chunk import index: never (" + never[0].why + ")"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations\n got %q\nwant %q", got, want)
	}
}

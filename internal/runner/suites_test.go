package runner

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The suite's package (suites/) holds the specs and no state of the run:
// its one handle on the run is `run`, made by New when the package is
// initialised and never replaced; any other package-level variable is a
// table the specs read (never assigned, incremented or lent out by
// address, and of no type that is changed through its methods).
func TestSuitesHoldNoMutableState(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "suites", "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Go files in suites/ (%v)", err)
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	vars := map[string]*ast.ValueSpec{}
	sources := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = string(b)
		file, err := parser.ParseFile(fset, f, b, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, file)
		for _, d := range file.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				for _, spec := range g.Specs {
					vs := spec.(*ast.ValueSpec)
					for _, n := range vs.Names {
						if n.Name != "_" {
							vars[n.Name] = vs
						}
					}
				}
			}
		}
	}
	src := func(n ast.Node) string {
		from, to := fset.Position(n.Pos()), fset.Position(n.End())
		return sources[from.Filename][from.Offset:to.Offset]
	}
	for name, vs := range vars {
		text := src(vs)
		if name == "run" {
			if !strings.Contains(text, "runner.New(") {
				t.Errorf("suites: run is %q; want the run's one handle, made by runner.New", text)
			}
			continue
		}
		if what := mutableIn(vs); what != "" {
			t.Errorf("suites: package-level %s (%s) holds %s: state of the run belongs in the Run (internal/runner)", name, fset.Position(vs.Pos()), what)
		}
	}
	// pkgVar reports whether e's root is a package-level variable, not a
	// local of the same name.
	pkgVar := func(e ast.Expr) (string, bool) {
		for {
			switch x := e.(type) {
			case *ast.SelectorExpr:
				e = x.X
			case *ast.IndexExpr:
				e = x.X
			case *ast.StarExpr:
				e = x.X
			case *ast.ParenExpr:
				e = x.X
			case *ast.Ident:
				vs, ok := vars[x.Name]
				if !ok {
					return "", false
				}
				if x.Obj != nil && x.Obj.Decl != vs {
					return "", false // a local that shadows it
				}
				return x.Name, true
			default:
				return "", false
			}
		}
	}
	for _, file := range parsed {
		ast.Inspect(file, func(n ast.Node) bool {
			var targets []ast.Expr
			switch x := n.(type) {
			case *ast.AssignStmt:
				targets = x.Lhs
			case *ast.IncDecStmt:
				targets = []ast.Expr{x.X}
			case *ast.UnaryExpr:
				if x.Op == token.AND {
					targets = []ast.Expr{x.X}
				}
			case *ast.RangeStmt:
				targets = []ast.Expr{x.Key, x.Value}
			}
			for _, e := range targets {
				if e == nil {
					continue
				}
				if name, ok := pkgVar(e); ok {
					t.Errorf("%s: the package-level %s is changed or lent out after its declaration: state of the run belongs in the Run (internal/runner)", fset.Position(e.Pos()), name)
				}
			}
			return true
		})
	}
}

// mutableIn names what in a variable's type or initial value is state
// changed in place (a sync or atomic value, a map, a pointer to a value
// made for it); "" when there is none. Functions in a table are code, not
// state: their bodies are not looked into.
func mutableIn(vs *ast.ValueSpec) string {
	what := ""
	visit := func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.SelectorExpr:
			if pkg, ok := x.X.(*ast.Ident); ok && (pkg.Name == "sync" || pkg.Name == "atomic") {
				what = "a value of package " + pkg.Name
			}
		case *ast.MapType:
			what = "a map"
		case *ast.UnaryExpr:
			if x.Op == token.AND {
				what = "a pointer"
			}
		case *ast.CallExpr:
			if f, ok := x.Fun.(*ast.Ident); ok && (f.Name == "new" || f.Name == "make") {
				what = "a value of " + f.Name
			}
		}
		return what == ""
	}
	if vs.Type != nil {
		ast.Inspect(vs.Type, visit)
	}
	for _, v := range vs.Values {
		ast.Inspect(v, visit)
	}
	return what
}

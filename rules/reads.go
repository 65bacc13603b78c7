package rules

import (
	"slices"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// dataReads is what an attribute reads of an event's data: some top-level keys, or all
// of it. Deriving decodes only the keys that the attributes of an event's type read
// (NewEventEnvKeys), which spares decoding the rest of every event on its way in.
type dataReads struct {
	all  bool
	keys []string
}

// DataKeys says what Match reads of an event's data: the top-level keys (sorted), or
// all of data when the attribute's condition uses data as a whole (`"x" in data`, a
// computed key, `$env`).
func (a *CompiledAttr) DataKeys() (keys []string, all bool) {
	return a.reads.keys, a.reads.all
}

// addPath records the top-level keys that lookup(data, p) may read: p itself and each
// part before a dot ("a.b.c": "a.b.c", "a", "a.b").
func (r *dataReads) addPath(p string) {
	r.add(p)
	for i := range len(p) {
		if p[i] == '.' {
			r.add(p[:i])
		}
	}
}

func (r *dataReads) add(key string) {
	if i, found := slices.BinarySearch(r.keys, key); !found {
		r.keys = slices.Insert(r.keys, i, key)
	}
}

// addExpr records what an expr condition reads of data. Only member accesses with a
// constant key (data.queue, data["Past Due Amount"], event.data.queue) name keys; any
// other use of data, of event as a whole, or of $env reads all of it.
func (r *dataReads) addExpr(src string) {
	tree, err := parser.Parse(src)
	if err != nil {
		r.all = true
		return
	}
	v := &readsVisitor{r: r, bases: map[ast.Node]bool{}}
	ast.Walk(&tree.Node, v)
	v.check = true
	ast.Walk(&tree.Node, v)
}

// readsVisitor walks a condition twice: first it records the keys of constant member
// accesses and marks the nodes they account for (bases), then it finds uses of data,
// event or $env that no such access accounts for.
type readsVisitor struct {
	r     *dataReads
	bases map[ast.Node]bool
	check bool
}

func (v *readsVisitor) Visit(node *ast.Node) {
	if v.check {
		switch n := (*node).(type) {
		case *ast.IdentifierNode:
			if (n.Value == "data" || n.Value == "event" || n.Value == "$env") && !v.bases[n] {
				v.r.all = true
			}
		case *ast.MemberNode:
			if isMember(n, "event", "data") && !v.bases[n] {
				v.r.all = true // event.data as a whole
			}
		}
		return
	}
	m, ok := (*node).(*ast.MemberNode)
	if !ok {
		return
	}
	key, ok := m.Property.(*ast.StringNode)
	if !ok {
		return
	}
	switch base := m.Node.(type) {
	case *ast.IdentifierNode:
		switch base.Value {
		case "data":
			v.r.add(key.Value)
			v.bases[base] = true
		case "event":
			v.bases[base] = true // event.<attribute>; event.data is checked on its own
		}
	case *ast.MemberNode:
		if isMember(base, "event", "data") {
			v.r.add(key.Value)
			v.bases[base] = true
		}
	}
}

// isMember reports whether m is ident.prop with a constant prop.
func isMember(m *ast.MemberNode, ident, prop string) bool {
	id, ok := m.Node.(*ast.IdentifierNode)
	p, ok2 := m.Property.(*ast.StringNode)
	return ok && ok2 && id.Value == ident && p.Value == prop
}

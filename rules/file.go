package rules

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/openjds/jds/internal/strict"
)

// ParseTemplateJSON decodes a template posted to the API, strictly (unknown keys,
// duplicate keys and wrong types are errors; a "source" member, read-only, is
// ignored), validates and compiles it, and returns it normalised. The error joins one
// [*Error] per problem, each naming its JSON path:
//
//	attributes[0].aggregationMode: must be one of Value, Count, Sum, Min, Max, Average, Distinct, got "Total"
func ParseTemplateJSON(raw []byte) (*Template, error) {
	n, err := strict.FromJSON(raw)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	d := newDecoder("", false)
	t := d.template(n, "")
	c, errs := compile(t)
	if errs = d.merge(errs); len(errs) > 0 {
		return nil, errs.err()
	}
	return c.Template, nil
}

// merge returns the decoder's problems followed by the later ones (validation,
// compilation) that are not consequences of a field already reported as badly written.
func (d *decoder) merge(later problems) problems {
	out := toProblems(d.Errs)
next:
	for _, e := range later {
		for p := e.Path; ; p = parent(p) {
			if d.Bad[p] {
				continue next
			}
			if p == "" {
				break
			}
		}
		out = append(out, e)
	}
	return out
}

// File is one parsed rule file.
type File struct {
	Path      string
	Templates []*Template // normalised, Source set to Path
	Compiled  []*Compiled // Templates compiled, in the same order
	// Actions are the journey actions of the file, normalised, Source set to Path.
	Actions []*Action
	// CompiledActions are the Actions compiled against their templates, in the same
	// order. ParseFile compiles those whose template is in the same file; the others
	// (an action may name a template of another file) are compiled by LoadFiles, which
	// returns files with every action compiled.
	CompiledActions []*CompiledAction
	// Policies are the contact policies of the file (key "policies"), Source set to Path.
	Policies []*CompiledPolicy

	namePos   []*strict.Node // where each template's name is, for errors across files
	actionPos []*strict.Node // where each action's name is (or the action, without one)
	// For LoadFiles: the actions that name a template of another file, and what is
	// needed to place their problems in this file.
	pending []int
	dec     *decoder
	lines   []string
	opts    Options
}

// IsTestFile reports whether a file name is a rule test file (*.test.yaml, *.test.yml),
// which rule loaders skip and `jds test` runs.
func IsTestFile(name string) bool {
	return strings.HasSuffix(name, ".test.yaml") || strings.HasSuffix(name, ".test.yml")
}

// ParseFile parses one YAML rule file strictly, and compiles every template in it.
// Problems (unknown keys, bad values, rule and expr compile errors) are all reported at
// once, joined, each as "path:line:col: field: what":
//
//	samples/rules/x.yaml:12:9: templates[0].attributes[1].lookBack: must be whole minutes, got "90s"
//
// An empty file holds no templates and is no error. The connectors that Connector
// triggers name are not checked: [Options.ParseFile] checks them.
func ParseFile(path string, data []byte) (*File, error) {
	return Options{}.ParseFile(path, data)
}

// ParseFile is [ParseFile] with the checks o asks for.
func (o Options) ParseFile(path string, data []byte) (*File, error) {
	root, errs := strict.FromYAML(path, "a rule file", data)
	if len(errs) > 0 {
		return nil, Invalid(errs)
	}
	f := &File{Path: path, opts: o}
	if root == nil {
		return f, nil
	}
	d := newDecoder(path, true)
	var nodes []*strict.Node
	var policies []*Policy
	d.object(root, "", []field{
		{name: "templates", fn: func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) {
				f.Templates = append(f.Templates, d.template(v, p))
				nodes = append(nodes, v)
			})
		}},
		{name: "actions", fn: func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) {
				a := d.action(v, p)
				if v.Kind == strict.Map && a.Template == "" && !d.Bad[join(p, "template")] {
					d.Fail(v, join(p, "template"), "required: the name of the template whose attributes the action reads")
				}
				f.Actions = append(f.Actions, a)
			})
		}},
		{name: "policies", fn: func(v *strict.Node, p string) {
			d.list(v, p, func(v *strict.Node, p string) { policies = append(policies, d.policy(v, p)) })
		}},
	})
	var later problems
	f.Policies, later = compilePolicies(policies, "policies", o)
	for _, c := range f.Policies {
		c.Policy.Source = path
	}
	names := map[string]int{}
	for i, t := range f.Templates {
		prefix := index("templates", i)
		c, errs := compile(t)
		for _, e := range errs {
			e.Path = join(prefix, e.Path)
		}
		later = append(later, errs...)
		if c == nil || len(errs) > 0 {
			continue
		}
		if j, dup := names[c.Template.Name]; dup {
			later.add(join(prefix, "name"), "%q is also the name of templates[%d]; template names must be unique", c.Template.Name, j)
		}
		names[c.Template.Name] = i
		c.Template.Source = path
		if c.Template.ID == "" {
			c.Template.ID = FileID(c.Template.Name)
		}
		f.Templates[i] = c.Template
		f.Compiled = append(f.Compiled, c)
		f.namePos = append(f.namePos, d.Pos[join(prefix, "name")])
	}
	declared := map[string]bool{} // templates of this file, compiled or not
	for _, t := range f.Templates {
		declared[strings.TrimSpace(t.Name)] = true
	}
	later = append(later, f.compileActions(func(name string) (*Compiled, bool) {
		for _, c := range f.Compiled {
			if c.Template.Name == name {
				return c, true
			}
		}
		return nil, declared[name]
	})...)
	seen := map[[2]string]int{}
	for i, a := range f.Actions {
		n := d.Pos[join(index("actions", i), "name")]
		if n == nil {
			n = d.Pos[index("actions", i)]
		}
		f.actionPos = append(f.actionPos, n)
		k := actionKey(a)
		if k[0] == "" || k[1] == "" {
			continue
		}
		if j, dup := seen[k]; dup {
			later.add(join(index("actions", i), "name"), "%q is also the name of actions[%d]; action names must be unique per template", k[1], j)
			continue
		}
		seen[k] = i
	}
	f.dec, f.lines = d, strings.Split(string(data), "\n")
	all := d.merge(later)
	if len(all) > 0 {
		for _, e := range all {
			d.locate(e, path, f.lines)
		}
		sortProblems(all)
		return nil, all.err()
	}
	if len(f.pending) == 0 {
		f.dec, f.lines = nil, nil
	}
	return f, nil
}

// compileActions compiles the file's actions whose template find knows, and records
// the others in f.pending; the first call (from ParseFile) checks those others without
// their template. find reports known (without a template) for a template that exists
// but did not compile: its action is then only checked without it.
func (f *File) compileActions(find func(name string) (c *Compiled, known bool)) problems {
	var errs problems
	pending := f.pending
	first := pending == nil
	if first {
		for i := range f.Actions {
			pending = append(pending, i)
		}
	}
	f.pending = nil
	for _, i := range pending {
		a := f.Actions[i]
		prefix := index("actions", i)
		name := strings.TrimSpace(a.Template)
		if name == "" {
			continue // reported by the decoder
		}
		t, known := find(name)
		if t == nil && !known {
			f.pending = append(f.pending, i)
		}
		if t == nil && !first {
			continue
		}
		if a.ID == "" {
			a.ID = FileID(name, a.Name) // before compiling: ${action.id} renders it
		}
		// Without its template (not compiled, or in another file), what does not
		// depend on it is checked now.
		c, cerrs := compileAction(a, t, f.opts)
		for _, e := range cerrs {
			e.Path = join(prefix, e.Path)
		}
		errs = append(errs, cerrs...)
		if len(cerrs) > 0 || t == nil {
			continue
		}
		c.Action.Source = f.Path
		f.Actions[i] = c.Action
		f.CompiledActions = append(f.CompiledActions, c)
	}
	// In the order of Actions, whichever call compiled them.
	sort.SliceStable(f.CompiledActions, func(i, j int) bool {
		return slices.Index(f.Actions, f.CompiledActions[i].Action) < slices.Index(f.Actions, f.CompiledActions[j].Action)
	})
	return errs
}

// actionKey identifies an action in a workspace: names are unique per template.
func actionKey(a *Action) [2]string {
	return [2]string{strings.TrimSpace(a.Template), strings.TrimSpace(a.Name)}
}

// locate gives a problem its file position: the node recorded for its path, or for
// the nearest enclosing path. A column inside an expression or rule condition becomes
// a file column when the text sits on one line of the file as written.
func (d *decoder) locate(e *Error, file string, lines []string) {
	e.File = file
	if e.Line > 0 {
		return // the decoder placed it
	}
	if k := d.keys[e.Path]; k != nil && e.atKey {
		e.Line, e.Col = k.Line, k.Col
		return
	}
	p := e.Path
	if r, ok := d.rename[p]; ok {
		e.Path = r
	}
	var n *strict.Node
	for {
		if n = d.Pos[p]; n != nil || p == "" {
			break
		}
		p = parent(p)
	}
	if n == nil {
		return
	}
	e.Line, e.Col = n.Line, n.Col
	if e.exprCol > 0 && n.Quoted >= 0 && n.Kind == strict.String && n.Line-1 < len(lines) {
		line := lines[n.Line-1]
		start := runeOffset(line, n.Col-1+n.Quoted)
		if start >= 0 && strings.HasPrefix(line[start:], n.Text) {
			e.Col = n.Col + n.Quoted + e.exprCol - 1
			e.exprCol = 0
		}
	}
}

// runeOffset returns the byte offset of the n-th rune of s, or -1.
func runeOffset(s string, n int) int {
	for i := range s {
		if n == 0 {
			return i
		}
		n--
	}
	if n == 0 {
		return len(s)
	}
	return -1
}

// LoadFiles parses rule files: each path is a file, or a directory whose *.yaml and
// *.yml files (not *.test.yaml) are read, in name order, not recursively. It reports
// every problem of every file at once, template names used twice across files
// included, and returns no file when there is any problem: a reload keeps its working
// set. The connectors that Connector triggers name are not checked:
// [Options.LoadFiles] checks them.
func LoadFiles(paths ...string) ([]*File, error) {
	return Options{}.LoadFiles(paths...)
}

// LoadFiles is [LoadFiles] with the checks o asks for.
func (o Options) LoadFiles(paths ...string) ([]*File, error) {
	var files []string
	var errs []error
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		ents, err := os.ReadDir(p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, e := range ents {
			name := e.Name()
			ext := filepath.Ext(name)
			if e.IsDir() || (ext != ".yaml" && ext != ".yml") || IsTestFile(name) || strings.HasPrefix(name, ".") {
				continue
			}
			files = append(files, filepath.Join(p, name))
		}
	}
	sort.Strings(files)
	var out []*File
	type where struct {
		file string
		line int
	}
	seen := map[string]where{}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		f, err := o.ParseFile(path, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for i, t := range f.Templates {
			n := f.namePos[i]
			if w, dup := seen[t.Name]; dup {
				errs = append(errs, &Error{File: path, Line: n.Line, Col: n.Col, Path: join(index("templates", i), "name"),
					Msg: fmt.Sprintf("template %q is also defined in %s:%d", t.Name, w.file, w.line)})
				continue
			}
			seen[t.Name] = where{path, n.Line}
		}
		out = append(out, f)
	}
	errs = append(errs, resolveActions(out, len(errs) == 0)...)
	errs = append(errs, uniquePolicies(out)...)
	if len(errs) > 0 {
		return nil, joinErrors(errs)
	}
	return out, nil
}

// resolveActions compiles the actions that name templates of other files, and checks
// that action names are unique per template across files. complete says every file
// parsed: only then is a template that no file defines an error (it may be in a file
// with errors).
func resolveActions(files []*File, complete bool) []error {
	byName := map[string]*Compiled{}
	for _, f := range files {
		for _, c := range f.Compiled {
			byName[c.Template.Name] = c
		}
	}
	var errs []error
	type where struct {
		file string
		line int
	}
	seen := map[[2]string]where{}
	for _, f := range files {
		var probs problems
		if len(f.pending) > 0 {
			probs = f.compileActions(func(name string) (*Compiled, bool) { return byName[name], false })
			if complete {
				for _, i := range f.pending {
					p := join(index("actions", i), "template")
					probs.add(p, "no template named %q in the rule files", strings.TrimSpace(f.Actions[i].Template))
				}
			}
		}
		if f.dec != nil {
			for _, e := range probs {
				f.dec.locate(e, f.Path, f.lines)
			}
		}
		for i, a := range f.Actions {
			k := actionKey(a)
			if k[0] == "" || k[1] == "" {
				continue
			}
			n := f.actionPos[i]
			if w, dup := seen[k]; dup {
				probs = append(probs, &Error{File: f.Path, Line: n.Line, Col: n.Col, Path: join(index("actions", i), "name"),
					Msg: fmt.Sprintf("action %q of template %q is also defined in %s:%d", k[1], k[0], w.file, w.line)})
				continue
			}
			seen[k] = where{f.Path, n.Line}
		}
		sortProblems(probs)
		for _, e := range probs {
			errs = append(errs, e)
		}
		f.dec, f.lines = nil, nil
	}
	return errs
}

func joinErrors(errs []error) error {
	var flat []error
	for _, e := range errs {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			flat = append(flat, j.Unwrap()...)
		} else {
			flat = append(flat, e)
		}
	}
	return errorsJoin(flat)
}

// FileID is the id of a definition from a rule file that gives none: "file-" and its
// names in lower case with dashes, stable across reloads and restarts so that links to
// it (API paths, delivery history) keep working.
func FileID(names ...string) string {
	var b strings.Builder
	b.WriteString("file")
	for _, n := range names {
		b.WriteByte('-')
		dash := true
		for _, r := range strings.ToLower(n) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				b.WriteRune(r)
				dash = false
			} else if !dash {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// sortProblems orders problems by position, keeping the order of those at one place.
func sortProblems(p problems) {
	sort.SliceStable(p, func(i, j int) bool {
		if p[i].Line != p[j].Line {
			return p[i].Line < p[j].Line
		}
		return p[i].Col < p[j].Col
	})
}

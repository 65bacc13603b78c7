// Package strict is the strict decoder of jds's definition files: the configuration
// file, rule files and the API's JSON templates and actions, flow files and their test
// files, and connector entries.
//
// A document is first turned into a tree of [Node]s, from YAML ([FromYAML]) with the
// line and column of every value, or from JSON ([FromJSON]), where problems are placed
// by their JSON path. Aliases and "<<" merge keys are resolved while the tree is built,
// within bounds ([MaxDepth], [MaxNodes]) that keep hostile input cheap.
//
// A [Decoder] then walks the tree against field tables: written out as [Field]s
// ([Decoder.Object]), or read from Go struct tags ([Decoder.Decode]). Every unknown key
// (with a "did you mean", see [Closest]), duplicate key and type error is collected,
// not only the first, each as "file:line:col: path: message" ([Error]), in one of two
// [Wording]s. What the values mean stays with the packages that decode them.
package strict

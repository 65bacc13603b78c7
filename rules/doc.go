// Package rules holds what admins write to turn events into decisions: profile view
// templates and journey actions, which share the rule grammar and the rule files.
// It owns their definitions, their strict parsing from API JSON and from YAML rule files
// with precise errors, their compilation to predicates, expr programs and trigger
// renderers once at load, the pure computation of progressive-profile aggregates, and
// the pure evaluation of actions over them ([CompiledAction.Holds],
// [CompiledAction.Render]).
//
// It does not store anything, send anything or serve HTTP: firing, cooldowns and
// deliveries are the server's. The ledger keeps, per (person, attribute),
// the opaque state bytes that [CompiledAttr.Update] produces, in the same transaction
// as the event that changed them, and asks [CompiledAttr.Aggregate] for the answer when
// a profile is read.
//
// # The life of an event
//
//	env, _ := rules.NewEventEnv(ev.Raw)           // once per event
//	for _, a := range compiled.Attrs {
//		v, ok, err := a.Match(env)                // does it count, with what value
//		if ok {
//			state, err = a.Update(state, rules.Entry{Time: ev.Time, Seq: seq, Value: v}, now)
//		}
//	}
//	...
//	res := a.Aggregate(now, entries...)          // at read time, exact at that instant
//
// # Values
//
// A [Value] is one of these Go types, by the attribute's metaDataType:
//
//	string        string
//	integer       int64
//	double        float64
//	utc_datetime  time.Time (UTC)
//
// and nil for Count, which needs no field. Sum, Min, Max and Average over a string
// attribute read numeric strings as doubles (the JDS habit of sending "544.73").
//
// # State
//
// The state of one (person, attribute) is a list of entries (event time, ledger
// sequence, value) in (time, sequence) order, encoded compactly behind a version byte.
// It holds exactly what answers every instant from the last update on: the limit most
// recent entries inside the window, plus entries dated in the future. See
// [CompiledAttr.Update] and docs/rules.md for the argument.
//
// # Errors
//
// Every definition problem is an [*Error] (errors.Is(err, [ErrInvalid]) holds), joined
// with errors.Join so that all of them are reported at once. An [*Error] names the
// JSON path of the field and, for rule files, the file, line and column.
package rules

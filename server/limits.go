package server

import (
	"fmt"

	"github.com/openjds/jds/rules"
)

// Caps on the lists one request may carry. Each is checked as soon as the body is
// decoded, before anything reaches the committer: a request past a cap is a 400 that
// names the field and the cap, answered in microseconds, instead of a transaction that
// holds every tenant's writes while it fails. docs/OPERATIONS.md ("Request limits")
// lists them.
const (
	// maxMergePersons bounds personIdsToMerge of one merge.
	maxMergePersons = 100
	// maxPatchOps bounds the operations of one JSON Patch of a person.
	maxPatchOps = 100
	// maxAliasLookups bounds the comma-separated aliases of one lookup path.
	maxAliasLookups = 100
	// maxTemplateAttributes bounds the attributes of one profile template.
	maxTemplateAttributes = 100
	// maxActionTriggers bounds the deliveries of one journey action.
	maxActionTriggers = 20
	// maxRuleConditions bounds the conditions and blocks of one rules tree (a template
	// attribute's or an action's).
	maxRuleConditions = 100
)

// defaultMaxAliases is the alias cap when the configuration sets none.
const defaultMaxAliases = 100

// maxAliases bounds the aliases of one request, by kind and in total: the most one
// person may own (identity.maxAliasesPerPerson), since a request naming more can never
// succeed.
func (s *Server) maxAliases() int {
	if n := s.cfg.Identity.MaxAliasesPerPerson; n > 0 {
		return n
	}
	return defaultMaxAliases
}

// tooMany is the 400 of a list past its cap.
func tooMany(field string, n, limit int) error {
	return badRequest(fmt.Sprintf("%s holds %d items, at most %d are allowed in one request", field, n, limit),
		fmt.Sprintf("%s: %d given, at most %d", field, n, limit))
}

// checkAliasCount refuses alias lists past the cap, naming each kind past it and the
// total.
func (s *Server) checkAliasCount(l aliasLists) error {
	limit := s.maxAliases()
	var errs []string
	total := 0
	for _, k := range []struct {
		field  string
		values []string
	}{{"phone", l.Phone}, {"email", l.Email}, {"customerId", l.CustomerID}, {"socialId", l.SocialID}, {"temporaryId", l.TemporaryID}} {
		total += len(k.values)
		if len(k.values) > limit {
			errs = append(errs, fmt.Sprintf("%s: %d given, at most %d", k.field, len(k.values), limit))
		}
	}
	if total > limit {
		errs = append(errs, fmt.Sprintf("aliases: %d given in total, at most %d (identity.maxAliasesPerPerson)", total, limit))
	}
	if len(errs) > 0 {
		return badRequest(fmt.Sprintf("too many aliases: %d in one request, at most %d (the most a person may own)", total, limit), errs...)
	}
	return nil
}

// checkTemplateSize refuses a template with more attributes, or larger rules trees,
// than the caps.
func checkTemplateSize(t *rules.Template) error {
	if len(t.Attributes) > maxTemplateAttributes {
		return tooMany("attributes", len(t.Attributes), maxTemplateAttributes)
	}
	for i, a := range t.Attributes {
		if n := ruleNodes(a.Rules); n > maxRuleConditions {
			return tooMany(fmt.Sprintf("attributes[%d].rules", i), n, maxRuleConditions)
		}
	}
	return nil
}

// checkActionSize refuses an action with more triggers, or a larger rules tree, than
// the caps.
func checkActionSize(a *rules.Action) error {
	if len(a.ActionTriggers) > maxActionTriggers {
		return tooMany("actionTriggers", len(a.ActionTriggers), maxActionTriggers)
	}
	if n := ruleNodes(a.Rules); n > maxRuleConditions {
		return tooMany("rules", n, maxRuleConditions)
	}
	return nil
}

// ruleNodes counts the conditions and blocks of a rules tree (nil: none). Parsing has
// bounded its depth already.
func ruleNodes(b *rules.RuleBlock) int {
	if b == nil {
		return 0
	}
	n := 1
	for _, arg := range b.Args {
		if arg.Block != nil {
			n += ruleNodes(arg.Block)
		} else {
			n++
		}
	}
	return n
}

package service

import (
	"slices"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/connectors"
	"github.com/openjds/jds/internal/sas"
)

// Organizations are the organizations a configuration serves: its signing keys', in
// order, each once; without keys, the development key's (DevOrganization when dev is nil).
// Rule files serve all of them.
func Organizations(cfg config.Config, dev *sas.Key) []string {
	var orgs []string
	for _, k := range cfg.Keys {
		if !slices.Contains(orgs, k.Organization) {
			orgs = append(orgs, k.Organization)
		}
	}
	if len(orgs) == 0 {
		org := DevOrganization
		if dev != nil {
			org = dev.Organization
		}
		orgs = []string{org}
	}
	return orgs
}

// ConnectorOrganizations are the organizations each connector instance that lists
// them serves, by name, for the delivery worker.
func ConnectorOrganizations(instances []connectors.Instance) map[string][]string {
	out := map[string][]string{}
	for _, in := range instances {
		if in.Organizations != nil {
			out[in.Name] = in.Organizations
		}
	}
	return out
}

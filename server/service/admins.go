package service

import (
	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/sas"
)

// InstanceAdmins are the organizations whose admin tokens for every workspace (sn=*)
// may run instance-wide operations (reloads, jobs, the status of every rule and flow
// file): config admins, else the first key's organization; with no key configured,
// the development key's organization (dev, when it is that key).
func InstanceAdmins(cfg config.Config, dev *sas.Key) []string {
	if admins := cfg.InstanceAdmins(); len(admins) > 0 {
		return admins
	}
	if dev != nil {
		return []string{dev.Organization}
	}
	return []string{DevOrganization}
}

package config

import (
	"github.com/openjds/jds/internal/strict"
)

// The strict loader: the file is parsed into a strict.Node tree and decoded into the
// Config by reflection (strict.Decoder.Decode), so that every unknown key, duplicate
// key and type error is reported with its file:line:col. Nothing here knows the Config
// type, so a new section needs no change in this file. Aliases and "<<" merge keys are
// followed. A key with no value (null) keeps its default; a list or map in the file
// replaces the default one.

type decoder struct {
	*strict.Decoder
	errs []error
}

func newDecoder(file string) *decoder {
	return &decoder{Decoder: strict.NewDecoder(file, strict.InMapping)}
}

// decodeDocument decodes the single YAML document in data into out, a pointer.
func (d *decoder) decodeDocument(data []byte, out any) {
	root, errs := strict.FromYAML(d.File, "a config file", data)
	d.Errs = append(d.Errs, errs...)
	if root != nil {
		d.Decode(root, out)
	}
	for _, e := range d.Errs {
		d.errs = append(d.errs, e)
	}
}

package connectors

import (
	"errors"
	"fmt"
)

// CheckInstance checks one entry of another list of the config file written
// the way connectors are (a name, a kind, and the kind's keys), such as the
// inbound list: the name, then every other key but kind against spec
// (unknown keys, types, required keys, defaults, whole-value ${ENV}
// references). It returns the typed config for the caller's own checks, or
// every problem joined, each a *ConfigError naming section[index], the
// instance, the field and its line. opts.Getenv resolves references; nil
// reads nothing.
func CheckInstance(section string, index int, in Instance, spec []Field, opts Options) (*Config, error) {
	if opts.Getenv == nil {
		opts.Getenv = func(string) string { return "" }
	}
	var errs []error
	switch {
	case in.Name == "":
		errs = append(errs, &ConfigError{Field: "name", Err: ErrRequired})
	case !validName.MatchString(in.Name):
		errs = append(errs, &ConfigError{Field: "name", Err: fmt.Errorf("%q is not a valid name (letters, digits, '_', '-' and '.', starting with a letter)", in.Name)})
	}
	if in.Organizations != nil {
		errs = append(errs, &ConfigError{Field: "organizations", Err: errors.New("only outbound connectors take it: an inbound one names the organization its events go to")})
	}
	cfg, problems := decodeObject(spec, in.Config, "", &opts)
	cfg.name = in.Name
	errs = append(errs, problems...)
	if err := Locate(section, index, in, errors.Join(errs...)); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Locate completes the problems of entry in (at index of section): each
// becomes a *ConfigError with the section, index, instance name, and the
// line and column of its field. Errors made with Config.Errorf keep their
// field; others are about the entry as a whole. nil stays nil.
func Locate(section string, index int, in Instance, err error) error {
	var out []error
	for _, e := range flatten(err) {
		var ce *ConfigError
		if !errors.As(e, &ce) {
			ce = &ConfigError{Err: e}
		}
		ce.Section, ce.Index, ce.Instance = section, index, in.Name
		ce.Line, ce.Column = in.position(ce.Field)
		out = append(out, ce)
	}
	return errors.Join(out...)
}

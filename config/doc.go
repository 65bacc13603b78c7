// Package config owns the configuration of jds serve: its types, the one
// place defaults live (Default), strict loading of the YAML file (Load), the
// environment variables that override it, and validation that reports every
// problem at once (Config.Validate).
//
// Loading is strict on purpose: an unknown key is an error reported as
// "file:line:col: unknown key ...", never silently ignored, because a
// misspelt key would otherwise leave a default in force unnoticed. A type
// error or an invalid value is reported the same way, with the key path.
// jds.example.yaml in this directory lists every key with its default.
//
// It does not own what the values mean to the rest of the program: it does
// not open the store, parse tokens (see package sas) or read rule and flow
// files; and it does not decide which file to load (the command line reads
// --config or $JDS_CONFIG and passes the path to Load).
package config

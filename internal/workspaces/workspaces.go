// Package workspaces keeps what an organization says about its workspaces through the
// admin API: a name, a description, settings (the retention period of its events), and
// the Webex Contact Center subscriptions that feed it.
//
// A workspace needs none of this to exist: one that receives events exists from its
// first event, as it always has. These records are store documents (store.Documents), so
// every backend keeps them: one document per workspace in Collection, one per
// subscription in SubscriptionCollection. The package holds no HTTP: the server renders
// the records, the retention job reads the period (Retention).
package workspaces

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/openjds/jds/config"
	"github.com/openjds/jds/internal/store"
)

const (
	// Collection holds one document per workspace, with the id DocID.
	Collection = "workspace"
	DocID      = "workspace"
	// SubscriptionCollection holds a workspace's WxCC subscriptions, by id.
	SubscriptionCollection = "wxcc-subscription"
)

// Docs is the part of a store this package reads and writes; a store.Store is one.
type Docs interface {
	GetDoc(ctx context.Context, w store.Workspace, collection, id string) ([]byte, error)
	PutDoc(ctx context.Context, w store.Workspace, collection, id string, value []byte) error
	DeleteDoc(ctx context.Context, w store.Workspace, collection, id string) error
	Docs(ctx context.Context, w store.Workspace, collection string, fn func(id string, value []byte) error) error
}

// Record is a workspace created or described through the admin API.
type Record struct {
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Settings    Settings  `json:"settings"`
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
	CreatedBy   string    `json:"createdBy,omitempty"`
	UpdatedBy   string    `json:"updatedBy,omitempty"`
}

// Settings are a workspace's settings, nested as the live service nests them.
type Settings struct {
	General General `json:"general"`
}

// General holds the settings jds acts on.
type General struct {
	// DataRetentionDays is how many days events are kept; 0 keeps them forever; nil
	// leaves the period to the configuration (see Retention).
	DataRetentionDays *int `json:"dataRetentionDays"`
}

// MaxRetentionDays bounds dataRetentionDays (a hundred years).
const MaxRetentionDays = 36500

// Subscription is a Webex Contact Center subscription whose destination is one of
// jds's inbound webexcc webhooks.
type Subscription struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Description    string    `json:"description"`
	EventTypes     []string  `json:"eventTypes"`
	DestinationURL string    `json:"destinationUrl"`
	Status         string    `json:"status"`
	Connector      string    `json:"connector"` // the inbound webhook's name
	CreatedAt      time.Time `json:"createdAt"`
	CreatedBy      string    `json:"createdBy,omitempty"`
}

// Get reads the record of w; store.ErrNotFound when it has none.
func Get(ctx context.Context, d Docs, w store.Workspace) (*Record, error) {
	raw, err := d.GetDoc(ctx, w, Collection, DocID)
	if err != nil {
		return nil, err
	}
	r := new(Record)
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, fmt.Errorf("decoding the record of workspace %s: %w", w, err)
	}
	return r, nil
}

// Put stores the record of w, replacing any.
func Put(ctx context.Context, d Docs, w store.Workspace, r *Record) error {
	raw, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return d.PutDoc(ctx, w, Collection, DocID, raw)
}

// Delete removes the record of w and its subscriptions. The workspace's events and
// persons are not this package's: the caller decides about them.
func Delete(ctx context.Context, d Docs, w store.Workspace) error {
	subs, err := Subscriptions(ctx, d, w)
	if err != nil {
		return err
	}
	for _, s := range subs {
		if err := d.DeleteDoc(ctx, w, SubscriptionCollection, s.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("deleting subscription %s of %s: %w", s.ID, w, err)
		}
	}
	if err := d.DeleteDoc(ctx, w, Collection, DocID); err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("deleting the record of %s: %w", w, err)
	}
	return nil
}

// MaxSubscriptions bounds the WxCC subscriptions of one workspace.
const MaxSubscriptions = 100

// Subscriptions lists the subscriptions of w, oldest first. It reads w's documents
// alone: another workspace's subscriptions cost it nothing.
func Subscriptions(ctx context.Context, d Docs, w store.Workspace) ([]Subscription, error) {
	var out []Subscription
	err := d.Docs(ctx, w, SubscriptionCollection, func(id string, raw []byte) error {
		var s Subscription
		if err := json.Unmarshal(raw, &s); err != nil {
			return fmt.Errorf("decoding subscription %s of %s: %w", id, w, err)
		}
		out = append(out, s)
		return nil
	})
	slices.SortFunc(out, func(a, b Subscription) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, err
}

// PutSubscription stores a subscription of w.
func PutSubscription(ctx context.Context, d Docs, w store.Workspace, s Subscription) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return d.PutDoc(ctx, w, SubscriptionCollection, s.ID, raw)
}

// DeleteSubscription removes a subscription of w; store.ErrNotFound when there is none.
func DeleteSubscription(ctx context.Context, d Docs, w store.Workspace, id string) error {
	return d.DeleteDoc(ctx, w, SubscriptionCollection, id)
}

// Retention is the retention period of w; 0 keeps its events forever. The
// configuration decides first: a workspace that retention.workspaces names keeps that
// period whatever its own setting says (the operator's word is the instance's policy: a
// legal hold, a contract). Then the workspace's own dataRetentionDays, when set. Then
// retention.default.
func Retention(ctx context.Context, d Docs, r config.Retention, w store.Workspace) (time.Duration, error) {
	if period, named := r.Named(w.Org, w.Name); named {
		return period, nil
	}
	rec, err := Get(ctx, d, w)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return 0, err
	case rec.Settings.General.DataRetentionDays != nil:
		return time.Duration(*rec.Settings.General.DataRetentionDays) * time.Duration(config.Day), nil
	}
	return time.Duration(r.Default), nil
}

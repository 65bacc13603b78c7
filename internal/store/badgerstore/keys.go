package badgerstore

import (
	"encoding/binary"
	"fmt"
	"time"

	"github.com/google/uuid"
)

// Key layout: the one place that says what is stored under which key.
//
// Every key starts with a one-byte tag naming its table. Data keys then carry the
// workspace's 4-byte number (wsid), so that a workspace is one key range, and fixed-width
// parts (16-byte person ids, 8-byte big-endian times and sequences) so that byte order is
// the order that reads want. Variable-length parts (aliases, event ids) come last.
//
//	tagMeta      'm' name                               → meta value (sequence counter, wsid counter, format, store id)
//	tagWorkspace 'w' org 0x00 workspace                 → wsid (4 bytes)
//	tagEvent     'e' wsid pid time seq                  → canonical event JSON, UserMeta: typeMark
//	tagDedupe    'd' wsid eventID 0x00 source           → pid time seq (the event's tagEvent suffix)
//	tagAlias     'a' wsid alias                         → pid kind(1)
//	tagPerson    'p' wsid pid                           → person JSON
//	tagTemporary 't' wsid createdAt pid                 → nothing (expiry index)
//	tagPurge     'x' wsid pid                           → nothing (erased person whose events are still being deleted)
//	tagState     's' wsid pid name                      → derived state (see derive.go), opaque to the ledger
//	tagDoc       'D' wsid collection 0x00 id            → a document of another package (see docs.go)
//	tagDelivery  'h' wsid pid deliveryID                → a delivery and its state (see outbox.go)
//	tagQueue     'q' due deliveryID                     → the tagDelivery key of a pending delivery
//	tagDue       'u' wsid due deliveryID                → pid: tagQueue again, by workspace (format 3)
//	tagJournal   'j' number                             → the state changes of one commit (see journal.go)
//
// Invariants the readers rely on:
//   - A person's events are the tagEvent keys with prefix 'e' wsid pid, ordered by event
//     time and, for equal times, by the commit sequence: history newest-first is one reverse
//     prefix scan. Merged persons keep their own prefix; reads merge the streams.
//   - time is the event's time in Unix nanoseconds with the sign bit flipped, so that
//     times before 1970 still sort first.
//   - seq is unique across the store and grows with every stored event in commit order:
//     the live stream resumes from it (Last-Event-ID → tagDedupe → seq).
//   - An event is unique by (source, id) in its workspace, as in CloudEvents 1.0. Neither
//     may hold a control character (package event refuses them), so 0x00 separates the
//     two, and 'd' wsid eventID 0x00 is the prefix of every source that used an id: a
//     Last-Event-ID carries only the id. Stores of format 1 keyed by the id alone; Open
//     upgrades them (see format.go).
//   - An event key's Badger UserMeta byte is the typeMark of the event's type, kept in
//     the tree beside the key: a history read for some types passes over the events of
//     other types without reading their values. 0 (keys written before marks, or by a
//     restore of an older backup) says nothing: such an event is read and matched.
//   - tagTemporary lists persons created owning only temporaryIds, by creation time, so
//     the expiry job reads only the candidates old enough to expire. Entries are not
//     removed when such a person is linked; the job drops them when it finds the person
//     identified, merged or gone.
//   - tagQueue is global and ordered by due time, so the delivery worker reads what is
//     due with one scan from the start; an entry exists exactly while its delivery is
//     pending. tagDue holds the same entries by workspace, so the safety-net sweep reads
//     each workspace's share without stepping over another's backlog; an entry of one
//     exists exactly while the other does.
//   - An alias always names a live person (never one merged into another): merges rewrite
//     the merged person's alias keys, never its events.
//   - A tagState key may hold an older value than the state's: the newer one is then in
//     a tagJournal record, which Open applies again (records in number order). A record
//     is deleted only when each value it holds is under its own key or in a later record.
const (
	tagMeta      byte = 'm'
	tagWorkspace byte = 'w'
	tagEvent     byte = 'e'
	tagDedupe    byte = 'd'
	tagAlias     byte = 'a'
	tagPerson    byte = 'p'
	tagTemporary byte = 't'
	tagPurge     byte = 'x'
	tagState     byte = 's'
	tagDoc       byte = 'D'
	tagDelivery  byte = 'h'
	tagQueue     byte = 'q'
	tagDue       byte = 'u'
	tagJournal   byte = 'j'
)

var (
	metaSeq    = []byte{tagMeta, 's'}
	metaWSID   = []byte{tagMeta, 'w'}
	metaFormat = []byte{tagMeta, 'f'}
)

// wsid is a workspace's number in keys.
type wsid uint32

// pid is a person id in keys.
type pid = uuid.UUID

// eventRef is the suffix of an event key after the person: where to find one event.
type eventRef struct {
	person pid
	time   int64 // Unix nanoseconds
	seq    uint64
}

const (
	wsidLen     = 4
	pidLen      = 16
	eventRefLen = pidLen + 8 + 8
	eventKeyLen = 1 + wsidLen + eventRefLen
)

func appendWS(b []byte, tag byte, ws wsid) []byte {
	b = append(b, tag)
	return binary.BigEndian.AppendUint32(b, uint32(ws))
}

func workspaceKey(org, ws string) []byte {
	b := make([]byte, 0, 2+len(org)+len(ws))
	b = append(b, tagWorkspace)
	b = append(b, org...)
	b = append(b, 0)
	return append(b, ws...)
}

func personKey(ws wsid, p pid) []byte {
	return append(appendWS(make([]byte, 0, 1+wsidLen+pidLen), tagPerson, ws), p[:]...)
}

// statePrefixLen is the length of a person's state key prefix: tag, wsid, pid.
const statePrefixLen = 1 + wsidLen + pidLen

func appendStatePrefix(b []byte, ws wsid, p pid) []byte {
	return append(appendWS(b, tagState, ws), p[:]...)
}

func statePrefix(ws wsid, p pid) []byte {
	return appendStatePrefix(make([]byte, 0, statePrefixLen+32), ws, p)
}

func stateKey(ws wsid, p pid, name string) []byte {
	return append(statePrefix(ws, p), name...)
}

func journalKey(no uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{tagJournal}, no)
}

func aliasKey(ws wsid, alias string) []byte {
	return append(appendWS(make([]byte, 0, 1+wsidLen+len(alias)), tagAlias, ws), alias...)
}

func dedupeKey(ws wsid, eventID, source string) []byte {
	b := dedupeIDPrefix(make([]byte, 0, 1+wsidLen+len(eventID)+1+len(source)), ws, eventID)
	return append(b, source...)
}

// dedupeIDPrefix appends the prefix of the dedupe keys of every source that used eventID.
func dedupeIDPrefix(b []byte, ws wsid, eventID string) []byte {
	b = append(appendWS(b, tagDedupe, ws), eventID...)
	return append(b, 0)
}

func temporaryKey(ws wsid, created time.Time, p pid) []byte {
	b := appendWS(make([]byte, 0, 1+wsidLen+8+pidLen), tagTemporary, ws)
	b = binary.BigEndian.AppendUint64(b, sortableTime(created.UnixNano()))
	return append(b, p[:]...)
}

func parseTemporaryKey(k []byte) (ws wsid, created uint64, p pid, err error) {
	if len(k) != 1+wsidLen+8+pidLen || k[0] != tagTemporary {
		return 0, 0, p, fmt.Errorf("not an expiry index key: %x", k)
	}
	ws = wsid(binary.BigEndian.Uint32(k[1:]))
	created = binary.BigEndian.Uint64(k[1+wsidLen:])
	copy(p[:], k[1+wsidLen+8:])
	return ws, created, p, nil
}

func purgeKey(ws wsid, p pid) []byte {
	return append(appendWS(make([]byte, 0, 1+wsidLen+pidLen), tagPurge, ws), p[:]...)
}

func parsePurgeKey(k []byte) (wsid, pid, error) {
	var p pid
	if len(k) != 1+wsidLen+pidLen || k[0] != tagPurge {
		return 0, p, fmt.Errorf("not a purge key: %x", k)
	}
	copy(p[:], k[1+wsidLen:])
	return wsid(binary.BigEndian.Uint32(k[1:])), p, nil
}

// eventPrefix is the key prefix of every event of one person.
func eventPrefix(ws wsid, p pid) []byte {
	return append(appendWS(make([]byte, 0, eventKeyLen), tagEvent, ws), p[:]...)
}

// typeMark is the one-byte digest of an event type kept beside an event's key (1 to
// 255: 0 means unknown). Different types may share a mark: a mark only rules events out.
func typeMark(typ string) byte {
	h := uint32(2166136261) // FNV-1a
	for i := 0; i < len(typ); i++ {
		h ^= uint32(typ[i])
		h *= 16777619
	}
	return byte(1 + h%255)
}

// typeMarks is the set of marks of some event types; the zero set admits every mark.
type typeMarks struct {
	on  bool
	set [256]bool
}

func marksOf(types []string) typeMarks {
	var m typeMarks
	if len(types) == 0 {
		return m
	}
	m.on = true
	m.set[0] = true
	for _, t := range types {
		m.set[typeMark(t)] = true
	}
	return m
}

// admits says whether an event with this mark may be of one of the types.
func (m *typeMarks) admits(mark byte) bool { return !m.on || m.set[mark] }

func sortableTime(ns int64) uint64 { return uint64(ns) ^ (1 << 63) }

func (r eventRef) appendTo(b []byte) []byte {
	b = append(b, r.person[:]...)
	b = binary.BigEndian.AppendUint64(b, sortableTime(r.time))
	return binary.BigEndian.AppendUint64(b, r.seq)
}

func eventKey(ws wsid, r eventRef) []byte {
	return r.appendTo(appendWS(make([]byte, 0, eventKeyLen), tagEvent, ws))
}

func parseEventRef(b []byte) (eventRef, error) {
	if len(b) != eventRefLen {
		return eventRef{}, fmt.Errorf("event reference of %d bytes, want %d", len(b), eventRefLen)
	}
	var r eventRef
	copy(r.person[:], b[:pidLen])
	r.time = int64(binary.BigEndian.Uint64(b[pidLen:]) ^ (1 << 63))
	r.seq = binary.BigEndian.Uint64(b[pidLen+8:])
	return r, nil
}

// refFromEventKey reads the reference out of a full tagEvent key.
func refFromEventKey(k []byte) (eventRef, error) {
	if len(k) != eventKeyLen || k[0] != tagEvent {
		return eventRef{}, fmt.Errorf("not an event key: %x", k)
	}
	return parseEventRef(k[1+wsidLen:])
}

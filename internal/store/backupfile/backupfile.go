// Package backupfile is the envelope of a jds backup file: a header saying what the
// backup holds, a sorted stream of key records, and a trailer with counts and a SHA-256
// checksum of everything before it, so that a truncated or corrupted file is refused
// before anything is loaded from it. It knows nothing of what the keys mean: the backend
// that writes the records (store/badgerstore) does.
//
// Layout (docs/OPERATIONS.md, "Backups"):
//
//	magic    "JDSBACK\n"
//	header   uint32 (big-endian) length, then a JSON object (Header)
//	records  each: kind, uvarint shared, uvarint length, key suffix [, uvarint length, value]
//	         kind 'v': a key and its value; kind 'k': a key whose value the base backup
//	         holds (incrementals). shared is how many leading bytes the key has in common
//	         with the previous record's key: keys are strictly increasing.
//	end      kind 'E'
//	trailer  uint32 length, then a JSON object (Trailer)
//	checksum SHA-256 of every byte before it (32 bytes), then the end of the file
package backupfile

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"time"
)

// Magic starts every backup file.
const Magic = "JDSBACK\n"

// Version is the version of the file layout this package writes and reads.
const Version = 1

// Record kinds.
const (
	KindValue byte = 'v' // a key and its value
	KindKept  byte = 'k' // a key unchanged since the base backup (incrementals only)
	kindEnd   byte = 'E'
)

// Bounds that keep a corrupt length from making a reader allocate without end.
const (
	maxJSON  = 1 << 20
	maxKey   = 1 << 16
	maxValue = 1 << 30
)

// ErrCorrupt is wrapped by every error about a file that is not a whole, intact backup.
var ErrCorrupt = errors.New("backup file is corrupt or truncated")

// Header is what a backup holds, written before the records.
type Header struct {
	Format      int    `json:"format"`      // Version of the layout
	JDSVersion  string `json:"jdsVersion"`  // the jds that wrote it
	Backend     string `json:"backend"`     // the store backend whose keys the records are ("badger")
	StoreFormat int    `json:"storeFormat"` // the store's key format (badgerstore/format.go)
	// Store identifies the store the backup was taken of: incrementals chain only onto
	// backups of the same store.
	Store string `json:"store"`
	// Since is the version the backup builds on: 0 for a full backup, else the Until of
	// the backup before it.
	Since uint64 `json:"since"`
	// Until is the version of the read snapshot: the Since of the next incremental.
	Until uint64 `json:"until"`
	// LastSeq is the sequence of the last event the snapshot holds.
	LastSeq uint64    `json:"lastSeq"`
	Created time.Time `json:"created"`
	// ApproxBytes is the store's size on disk when the backup began: a hint for
	// progress, not a promise.
	ApproxBytes int64 `json:"approxBytes,omitempty"`
}

// Full reports whether the backup stands alone.
func (h Header) Full() bool { return h.Since == 0 }

// Trailer closes a backup: what the records hold.
type Trailer struct {
	Keys   int64 `json:"keys"`   // records
	Values int64 `json:"values"` // records with a value (all of them in a full backup)
	// Counts are what the store holds at Until, by kind (events, persons, ...), as the
	// backend counts them.
	Counts map[string]int64 `json:"counts"`
	// Bytes is the length of the file up to the checksum.
	Bytes int64 `json:"bytes"`
}

// Writer writes a backup file.
type Writer struct {
	w       *bufio.Writer
	sum     hash.Hash
	n       int64
	prev    []byte
	keys    int64
	values  int64
	scratch []byte
	err     error
}

// countingWriter counts and hashes what goes through it.
type countingWriter struct {
	w   io.Writer
	sum hash.Hash
	n   *int64
}

func (c countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.sum.Write(p[:n])
	*c.n += int64(n)
	return n, err
}

// NewWriter starts a backup file on w with its header.
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	h.Format = Version
	bw := &Writer{sum: sha256.New()}
	bw.w = bufio.NewWriterSize(countingWriter{w: w, sum: bw.sum, n: &bw.n}, 256<<10)
	raw, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	bw.w.WriteString(Magic)
	bw.writeJSON(raw)
	return bw, bw.err
}

func (w *Writer) writeJSON(raw []byte) {
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], uint32(len(raw)))
	w.w.Write(l[:])
	if _, err := w.w.Write(raw); err != nil && w.err == nil {
		w.err = err
	}
}

// Add writes a record: a key and its value (KindValue) or a key alone (KindKept; value
// ignored). Keys must come in strictly increasing order.
func (w *Writer) Add(kind byte, key, value []byte) error {
	if w.err != nil {
		return w.err
	}
	if w.prev != nil && bytes.Compare(key, w.prev) <= 0 {
		return fmt.Errorf("backup records out of order: %x after %x", key, w.prev)
	}
	shared := 0
	for shared < len(key) && shared < len(w.prev) && key[shared] == w.prev[shared] {
		shared++
	}
	b := append(w.scratch[:0], kind)
	b = binary.AppendUvarint(b, uint64(shared))
	b = binary.AppendUvarint(b, uint64(len(key)-shared))
	b = append(b, key[shared:]...)
	w.keys++
	if kind == KindValue {
		w.values++
		b = binary.AppendUvarint(b, uint64(len(value)))
	}
	w.scratch = b
	w.w.Write(b)
	if kind == KindValue {
		w.w.Write(value)
	}
	w.prev = append(w.prev[:0], key...)
	if _, err := w.w.Write(nil); err != nil {
		w.err = err
	}
	return w.err
}

// Written is how many bytes have gone out so far (buffered ones included).
func (w *Writer) Written() int64 { return w.n + int64(w.w.Buffered()) }

// Close ends the records, writes the trailer with counts and the checksum, and flushes.
// It does not close the underlying writer. It returns the trailer written.
func (w *Writer) Close(counts map[string]int64) (Trailer, error) {
	if w.err != nil {
		return Trailer{}, w.err
	}
	w.w.WriteByte(kindEnd)
	if err := w.w.Flush(); err != nil {
		return Trailer{}, err
	}
	t := Trailer{Keys: w.keys, Values: w.values, Counts: counts}
	// Bytes counts up to the checksum: the end marker, the trailer's length and itself.
	raw, _ := json.Marshal(t)
	for {
		t.Bytes = w.n + 4 + int64(len(raw))
		next, _ := json.Marshal(t)
		if len(next) == len(raw) {
			raw = next
			break
		}
		raw = next
	}
	w.writeJSON(raw)
	if err := w.w.Flush(); err != nil {
		return Trailer{}, err
	}
	if w.err != nil {
		return Trailer{}, w.err
	}
	if _, err := w.w.Write(w.sum.Sum(nil)); err != nil {
		return Trailer{}, err
	}
	return t, w.w.Flush()
}

// Reader reads a backup file, checking it as it goes.
type Reader struct {
	r       *bufio.Reader
	sum     hash.Hash
	n       int64
	header  Header
	trailer Trailer
	prev    []byte
	keys    int64
	values  int64
	done    bool
	// pend holds bytes read but not hashed yet: hashing in large pieces is much
	// faster than a byte at a time.
	pend []byte
}

func corrupt(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, a...))
}

// NewReader reads the header of a backup file.
func NewReader(r io.Reader) (*Reader, error) {
	br := &Reader{r: bufio.NewReaderSize(r, 256<<10), sum: sha256.New()}
	magic := make([]byte, len(Magic))
	if err := br.full(magic); err != nil {
		return nil, fmt.Errorf("not a jds backup file: %w", err)
	}
	if string(magic) != Magic {
		return nil, fmt.Errorf("not a jds backup file (it starts %q, a backup starts %q)", magic, Magic)
	}
	raw, err := br.readJSON("header")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &br.header); err != nil {
		return nil, corrupt("header: %v", err)
	}
	if br.header.Format != Version {
		return nil, fmt.Errorf("backup file layout %d: this jds reads layout %d", br.header.Format, Version)
	}
	return br, nil
}

// Header is the file's header.
func (r *Reader) Header() Header { return r.header }

// full reads exactly len(p) bytes into p, to be hashed.
func (r *Reader) full(p []byte) error {
	n, err := io.ReadFull(r.r, p)
	r.hashed(p[:n])
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return corrupt("the file ends after %d bytes", r.n)
	}
	return err
}

func (r *Reader) hashed(p []byte) {
	r.n += int64(len(p))
	if len(p) > 32<<10 {
		r.flush()
		r.sum.Write(p)
		return
	}
	r.pend = append(r.pend, p...)
	if len(r.pend) >= 64<<10 {
		r.flush()
	}
}

func (r *Reader) flush() {
	r.sum.Write(r.pend)
	r.pend = r.pend[:0]
}

func (r *Reader) byte() (byte, error) {
	b, err := r.r.ReadByte()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return 0, corrupt("the file ends after %d bytes", r.n)
		}
		return 0, err
	}
	r.n++
	r.pend = append(r.pend, b)
	return b, nil
}

func (r *Reader) uvarint(limit uint64, what string) (uint64, error) {
	var x uint64
	for shift := uint(0); ; shift += 7 {
		b, err := r.byte()
		if err != nil {
			return 0, err
		}
		if shift > 63 {
			return 0, corrupt("bad %s at byte %d", what, r.n)
		}
		x |= uint64(b&0x7f) << shift
		if b < 0x80 {
			break
		}
	}
	if x > limit {
		return 0, corrupt("%s %d at byte %d is over %d", what, x, r.n, limit)
	}
	return x, nil
}

func (r *Reader) readJSON(what string) ([]byte, error) {
	var l [4]byte
	if err := r.full(l[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(l[:])
	if n > maxJSON {
		return nil, corrupt("%s of %d bytes", what, n)
	}
	raw := make([]byte, n)
	return raw, r.full(raw)
}

// Next returns the next record; the key and value are fresh slices the caller may keep
// (value nil for KindKept). At the end of the records it checks the trailer and the
// checksum, and returns io.EOF with the file intact, or an error wrapping ErrCorrupt.
func (r *Reader) Next() (kind byte, key, value []byte, err error) {
	if r.done {
		return 0, nil, nil, io.EOF
	}
	kind, err = r.byte()
	if err != nil {
		return 0, nil, nil, err
	}
	switch kind {
	case kindEnd:
		return 0, nil, nil, r.finish()
	case KindValue, KindKept:
	default:
		return 0, nil, nil, corrupt("unknown record kind %q at byte %d", kind, r.n)
	}
	shared, err := r.uvarint(uint64(len(r.prev)), "shared key length")
	if err != nil {
		return 0, nil, nil, err
	}
	suffix, err := r.uvarint(maxKey, "key length")
	if err != nil {
		return 0, nil, nil, err
	}
	key = make([]byte, int(shared)+int(suffix))
	copy(key, r.prev[:shared])
	if err := r.full(key[shared:]); err != nil {
		return 0, nil, nil, err
	}
	if r.prev != nil && bytes.Compare(key, r.prev) <= 0 {
		return 0, nil, nil, corrupt("key out of order at byte %d", r.n)
	}
	r.prev = key
	r.keys++
	if kind == KindValue {
		vlen, err := r.uvarint(maxValue, "value length")
		if err != nil {
			return 0, nil, nil, err
		}
		value = make([]byte, vlen)
		if err := r.full(value); err != nil {
			return 0, nil, nil, err
		}
		r.values++
	}
	return kind, key, value, nil
}

func (r *Reader) finish() error {
	r.done = true
	raw, err := r.readJSON("trailer")
	if err != nil {
		return err
	}
	var t Trailer
	if err := json.Unmarshal(raw, &t); err != nil {
		return corrupt("trailer: %v", err)
	}
	r.flush()
	want := r.sum.Sum(nil)
	got := make([]byte, sha256.Size)
	if _, err := io.ReadFull(r.r, got); err != nil {
		return corrupt("the file ends in its checksum")
	}
	if !bytes.Equal(got, want) {
		return corrupt("checksum mismatch: the file says %s, its content hashes to %s", hex.EncodeToString(got), hex.EncodeToString(want))
	}
	if n, _ := r.r.Read(make([]byte, 1)); n > 0 {
		return corrupt("bytes after the checksum")
	}
	if t.Keys != r.keys || t.Values != r.values || t.Bytes != r.n {
		return corrupt("the trailer counts %d keys, %d values, %d bytes; the file holds %d, %d, %d", t.Keys, t.Values, t.Bytes, r.keys, r.values, r.n)
	}
	r.trailer = t
	return io.EOF
}

// Trailer is the file's trailer, once Next has returned io.EOF.
func (r *Reader) Trailer() Trailer { return r.trailer }

// Checksum is the SHA-256 the file's content hashes to, once read through.
func (r *Reader) Checksum() string {
	r.flush()
	return hex.EncodeToString(r.sum.Sum(nil))
}

// Verify reads a backup file through, checking its layout, counts and checksum, without
// keeping anything.
func Verify(rd io.Reader) (Header, Trailer, string, error) {
	r, err := NewReader(rd)
	if err != nil {
		return Header{}, Trailer{}, "", err
	}
	for {
		if _, _, _, err := r.Next(); err == io.EOF {
			return r.header, r.trailer, r.Checksum(), nil
		} else if err != nil {
			return r.header, Trailer{}, "", err
		}
	}
}

// ReadHeader reads the header of the backup file at path.
func ReadHeader(path string) (Header, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, err
	}
	defer f.Close()
	r, err := NewReader(f)
	if err != nil {
		return Header{}, err
	}
	return r.Header(), nil
}

// VerifyFile is Verify of the file at path.
func VerifyFile(path string) (Header, Trailer, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return Header{}, Trailer{}, "", err
	}
	defer f.Close()
	return Verify(f)
}

#!/usr/bin/env python3
"""Independent check of an Airlock audit log, written from docs/audit-log-format.md only.

Usage:
    airlock audit export --data-dir DIR > log.jsonl
    python3 docs/audit-log-verify.py VERIFIER_KEY < log.jsonl

Reads the JSON lines of `airlock audit export` (a full export, from index 0), recomputes every leaf
hash and the Merkle root at every checkpoint, checks each checkpoint's Ed25519 signature against the
verifier key, and decodes every leaf's structure. A proven export (the console's: a checkpoint of
size > 0 first, then entries with a "proof") has each entry's RFC 9162 inclusion proof checked
against that checkpoint instead (section 7). Python standard library, plus the `cryptography`
package for Ed25519 (the standard library has none). Exit 0 when everything verifies, 1 otherwise.
"""
import base64
import hashlib
import json
import struct
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def fail(msg):
    print("FAILED: " + msg, file=sys.stderr)
    sys.exit(1)


def leaf_hash(data):
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class Stack:
    """Section 1, streaming form."""

    def __init__(self):
        self.hashes = []
        self.size = 0

    def append(self, h):
        i = self.size
        while i & 1:
            h = node_hash(self.hashes.pop(), h)
            i >>= 1
        self.hashes.append(h)
        self.size += 1

    def root(self):
        if not self.hashes:
            return hashlib.sha256(b"").digest()
        r = self.hashes[-1]
        for h in reversed(self.hashes[:-1]):
            r = node_hash(h, r)
        return r


def parse_verifier_key(vkey):
    """Section 5: name+keyid(8 hex)+base64(0x01 || 32-byte key)."""
    name, key_id_hex, b64 = vkey.strip().split("+", 2)
    blob = base64.b64decode(b64, validate=True)
    if len(blob) != 33 or blob[0] != 0x01:
        fail("verifier key is not an Ed25519 key")
    pub = blob[1:]
    expected = hashlib.sha256(name.encode() + b"\n" + b"\x01" + pub).digest()[:4]
    if expected.hex() != key_id_hex:
        fail("verifier key id does not match its name and key")
    return name, expected, Ed25519PublicKey.from_public_bytes(pub)


def check_checkpoint(note, name, key_id, pub):
    """Section 5: returns (size, root) of a checkpoint signed by the verifier key."""
    if not note.endswith("\n"):
        fail("checkpoint note does not end with a newline")
    split = note.rfind("\n\n")
    if split < 0:
        fail("checkpoint note has no blank line")
    text = note[: split + 1]
    good = False
    for line in note[split + 2 :].split("\n"):
        if not line:
            continue
        if not line.startswith("\u2014 "):
            fail("bad signature line: " + line)
        signer, sig_b64 = line[2:].split(" ")
        blob = base64.b64decode(sig_b64, validate=True)
        if signer != name or blob[:4] != key_id:
            continue  # another key: ignored, as the spec says
        try:
            pub.verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature:
            fail("checkpoint signature by the verifier key does not verify")
        good = True
    if not good:
        fail("checkpoint has no signature by the verifier key")
    lines = text[:-1].split("\n")
    origin, size, root = lines[0], lines[1], lines[2]
    if origin != name:
        fail("checkpoint origin %r is not the key name %r" % (origin, name))
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        fail("bad checkpoint size %r" % size)
    root = base64.b64decode(root, validate=True)
    if len(root) != 32:
        fail("checkpoint root is not 32 bytes")
    return int(size), root


def verify_inclusion(index, size, leaf_h, proof, root):
    """RFC 9162 section 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf_h
    for p in proof:
        if len(p) != 32 or sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def decode_leaf(leaf):
    """Section 2: checks the structure field by field; returns the record type."""
    pos = 0

    def take(n):
        nonlocal pos
        if pos + n > len(leaf):
            raise ValueError("leaf ends early")
        out = leaf[pos : pos + n]
        pos += n
        return out

    def u32():
        return struct.unpack(">I", take(4))[0]

    def string():
        return take(u32()).decode("utf-8")

    if take(1) != b"\x01":
        raise ValueError("unknown leaf version")
    rtype = string()
    take(8)  # seconds
    if u32() > 999_999_999:
        raise ValueError("bad nanoseconds")
    if take(1)[0] not in (0, 1, 2):
        raise ValueError("bad actor kind")
    for _ in range(4):  # actor id, model, request id, status
        string()
    previous = None
    for _ in range(u32()):
        name = take(u32())
        string()
        if previous is not None and previous >= name:
            raise ValueError("index fields not sorted or repeated")
        previous = name
    take(16 + 16 + 12)  # subject tag, data key id, nonce
    if len(take(u32())) < 16:
        raise ValueError("sealed part shorter than its GCM tag")
    if pos != len(leaf):
        raise ValueError("%d bytes after the sealed part" % (len(leaf) - pos))
    return rtype


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    name, key_id, pub = parse_verifier_key(sys.argv[1])
    tree = Stack()
    checkpoints = 0
    last_size = -1
    types = {}
    proven = None  # decided by the first line: a checkpoint of size > 0 starts a proven export
    current = None
    entries = 0
    for line_no, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        if "index" in obj:
            leaf = base64.b64decode(obj["leaf"], validate=True)
            try:
                rtype = decode_leaf(leaf)
            except (ValueError, UnicodeDecodeError, struct.error) as e:
                fail("entry %d is not a valid leaf: %s" % (obj["index"], e))
            types[rtype] = types.get(rtype, 0) + 1
            if proven is None:
                proven = False
            if "proof" in obj:
                if not proven or current is None:
                    fail("line %d: entry %d has a proof but no checkpoint precedes it" % (line_no, obj["index"]))
                proof = [base64.b64decode(h, validate=True) for h in obj["proof"]]
                if not verify_inclusion(obj["index"], current[0], leaf_hash(leaf), proof, current[1]):
                    fail("line %d: entry %d is not proven in the checkpoint of size %d" % (line_no, obj["index"], current[0]))
            else:
                if proven:
                    fail("line %d: entry %d has no proof in a proven export" % (line_no, obj["index"]))
                if obj["index"] != tree.size:
                    fail("line %d: expected entry %d, got %d" % (line_no, tree.size, obj["index"]))
                tree.append(leaf_hash(leaf))
            entries += 1
        elif "checkpoint" in obj:
            size, root = check_checkpoint(obj["checkpoint"], name, key_id, pub)
            if size < last_size:
                fail("checkpoint size %d is smaller than the previous one %d" % (size, last_size))
            if proven is None:
                proven = size > 0
            if not proven:
                if size != tree.size:
                    fail("checkpoint of size %d arrives after %d entries" % (size, tree.size))
                if tree.root() != root:
                    fail("checkpoint of size %d: root does not match the entries" % size)
            current = (size, root)
            last_size = size
            checkpoints += 1
        else:
            fail("line %d is neither an entry nor a checkpoint" % line_no)
    if checkpoints == 0:
        fail("no checkpoint: nothing vouches for the entries")
    print("OK: %d entries%s, %d checkpoint%s verified independently (latest covers %d); record types: %s"
          % (entries, " proven" if proven else "", checkpoints, "" if checkpoints == 1 else "s", last_size,
             ", ".join("%s=%d" % kv for kv in sorted(types.items()))))


if __name__ == "__main__":
    main()

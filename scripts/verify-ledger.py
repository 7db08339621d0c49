#!/usr/bin/env python3
"""Independent verifier of a Caisson ledger export (platform spec section 5).

Written without any Caisson code, from the specification alone, so that anyone
can check a ledger with Python 3 and the `cryptography` package:

    python3 -m pip install cryptography
    python3 verify-ledger.py --log EXPORT.jsonl --key PUBLIC_KEY_HEX [--proofs PROOFS.jsonl]

It checks, with only the pinned public key:
  - every entry line: indices 0, 1, ... without gaps, times never decreasing;
  - for entries in full form, the leaf: RFC 8785 canonical JSON of exactly
    content, kind, organisation, round, salt, time, user, and its hash
    SHA-256(0x00 || bytes) equal to the stated leaf_hash;
  - the Merkle tree of RFC 9162 section 2.1 over the leaf hashes: its root
    equals the checkpoint's root_hash, its size the checkpoint's size;
  - the checkpoint's Ed25519 signature over
    "caisson-checkpoint/1\\n" + N + "\\n" + root_hash + "\\n" + time + "\\n";
  - every proof in --proofs (JSON lines: inclusion proofs {"index", "size",
    "leaf_hash", "path"} and consistency proofs {"from", "to", "path"}), by
    the verification algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2,
    against roots computed from the export.

Exit status 0 when everything holds; 1 with "index I: why" (or "checkpoint:
why", "proof P: why") for the first failure; 2 for a usage error.
"""

import argparse
import hashlib
import json
import math
import re
import sys
from decimal import Decimal

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
except ImportError:  # pragma: no cover - told to the user
    sys.stderr.write("verify-ledger.py needs the 'cryptography' package: python3 -m pip install cryptography\n")
    sys.exit(2)

LEAF_KEYS = ["content", "kind", "organisation", "round", "salt", "time", "user"]
FULL_KEYS = set(LEAF_KEYS) | {"index", "leaf_hash"}
PUBLIC_KEYS = {"index", "time", "leaf_hash"}
CHECKPOINT_KEYS = {"size", "root_hash", "time", "key", "signature"}
KINDS = {"contract.signed", "euc.issued", "transfer.shipped", "transfer.received",
         "transfer.reexported", "consent.given"}
TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
MAX_EXACT = 2 ** 53


class Failure(Exception):
    def __init__(self, where, why):
        super().__init__(f"{where}: {why}")


def is_hex(text, nbytes):
    return isinstance(text, str) and re.fullmatch(f"[0-9a-f]{{{2 * nbytes}}}", text) is not None


# --- RFC 8785 canonical JSON -------------------------------------------------

def es_number(value):
    """A number as ECMAScript's Number.prototype.toString writes it (RFC 8785 3.2.2.3)."""
    if isinstance(value, bool):
        raise ValueError("not a number")
    if isinstance(value, int):
        if abs(value) > MAX_EXACT:
            raise ValueError(f"integer {value} exceeds 2^53")
        return str(value)
    if not math.isfinite(value):
        raise ValueError("non-finite number")
    if value == 0:
        if math.copysign(1.0, value) < 0:
            raise ValueError("negative zero")
        return "0"
    if abs(value) > MAX_EXACT:
        raise ValueError(f"number {value!r} exceeds 2^53")
    sign = "-" if value < 0 else ""
    # repr gives the shortest digits that round-trip, as ECMAScript requires.
    digits_tuple = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits).rstrip("0") or "0"
    stripped = len("".join(str(d) for d in digits_tuple.digits)) - len(digits)
    k = len(digits)
    # value = 0.digits * 10^n
    n = digits_tuple.exponent + stripped + k
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        exponent = n - 1
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = mantissa + "e" + ("+" if exponent >= 0 else "-") + str(abs(exponent))
    return sign + text


def canonical(value):
    """RFC 8785 canonical JSON text of a parsed JSON value."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return es_number(value)
    if isinstance(value, str):
        # json.dumps escapes exactly what RFC 8785 3.2.2.2 escapes, with
        # lowercase \u00xx, when it may write non-ASCII as is.
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical(value[k]) for k in keys) + "}"
    raise ValueError(f"not a JSON value: {value!r}")


# --- RFC 9162 section 2.1 ----------------------------------------------------

def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(data):
    return sha256(b"\x00" + data)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def root_of(leaves):
    if not leaves:
        return sha256(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(root_of(leaves[:k]), root_of(leaves[k:]))


def root_from_inclusion(index, size, leaf, path):
    """RFC 9162 2.1.3.2; raises ValueError on a malformed proof."""
    if index >= size:
        raise ValueError("index not below size")
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            raise ValueError("path too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("path too short")
    return r


def verify_consistency(first, second, first_root, second_root, path):
    """RFC 9162 2.1.4.2; raises ValueError when the proof fails."""
    if first == 0 or first > second:
        raise ValueError("invalid sizes")
    if first == second:
        if path or first_root != second_root:
            raise ValueError("equal sizes need an empty path and equal roots")
        return
    if not path:
        raise ValueError("empty path")
    if first & (first - 1) == 0:
        path = [first_root] + list(path)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ValueError("path too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("path too short")
    if fr != first_root:
        raise ValueError("the older root does not match")
    if sr != second_root:
        raise ValueError("the newer root does not match")


# --- the export ----------------------------------------------------------------

def check_entry(position, entry):
    where = f"index {position}"
    if not isinstance(entry, dict):
        raise Failure(where, "not an object")
    keys = set(entry)
    if keys != FULL_KEYS and keys != PUBLIC_KEYS:
        raise Failure(where, f"unexpected keys {sorted(keys)}")
    if entry["index"] != position or isinstance(entry["index"], bool):
        raise Failure(where, f"expected index {position}, found {entry['index']!r} (an entry is missing or out of order)")
    if not isinstance(entry["time"], str) or not TIME_RE.match(entry["time"]):
        raise Failure(where, f"time {entry['time']!r} is not YYYY-MM-DDTHH:MM:SS.sssZ")
    if not is_hex(entry["leaf_hash"], 32):
        raise Failure(where, "leaf_hash is not 32 bytes of lowercase hex")
    stated = bytes.fromhex(entry["leaf_hash"])
    if keys == FULL_KEYS:
        if entry["kind"] not in KINDS:
            raise Failure(where, f"unknown kind {entry['kind']!r}")
        if not is_hex(entry["salt"], 32):
            raise Failure(where, "salt is not 32 bytes of lowercase hex")
        leaf = {k: entry[k] for k in LEAF_KEYS}
        try:
            data = canonical(leaf).encode("utf-8")
        except ValueError as e:
            raise Failure(where, f"no canonical form: {e}")
        if leaf_hash(data) != stated:
            raise Failure(where, "the content does not match the leaf hash")
    return stated


def verify(lines, key_hex, proofs):
    if not is_hex(key_hex, 32):
        raise Failure("key", "the pinned key is not 64 lowercase hex digits")
    if not lines:
        raise Failure("checkpoint", "the export is empty")
    try:
        checkpoint = json.loads(lines[-1])
    except json.JSONDecodeError as e:
        raise Failure("checkpoint", f"not JSON: {e}")
    if not isinstance(checkpoint, dict) or set(checkpoint) != CHECKPOINT_KEYS:
        raise Failure("checkpoint", "the last line is not a checkpoint")
    if checkpoint["key"] != key_hex:
        raise Failure("checkpoint", f"signed by {checkpoint['key']}, not the pinned key")
    if not is_hex(checkpoint["signature"], 64) or not is_hex(checkpoint["root_hash"], 32):
        raise Failure("checkpoint", "malformed signature or root_hash")
    if not isinstance(checkpoint["time"], str) or not TIME_RE.match(checkpoint["time"]):
        raise Failure("checkpoint", "malformed time")
    signed = f"caisson-checkpoint/1\n{checkpoint['size']}\n{checkpoint['root_hash']}\n{checkpoint['time']}\n"
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(key_hex)).verify(
            bytes.fromhex(checkpoint["signature"]), signed.encode("utf-8"))
    except InvalidSignature:
        raise Failure("checkpoint", "the signature does not verify under the pinned key")

    leaves, previous = [], None
    for position, line in enumerate(lines[:-1]):
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as e:
            raise Failure(f"index {position}", f"not JSON: {e}")
        leaves.append(check_entry(position, entry))
        if previous is not None and entry["time"] < previous:
            raise Failure(f"index {position}", "time is before the previous entry's")
        previous = entry["time"]
    if checkpoint["size"] != len(leaves):
        raise Failure(f"index {min(len(leaves), checkpoint['size'])}",
                      f"the checkpoint covers {checkpoint['size']} entries, the export has {len(leaves)}")
    if root_of(leaves).hex() != checkpoint["root_hash"]:
        raise Failure("checkpoint", "the root of the exported leaf hashes is not the checkpoint's")

    for number, proof in enumerate(proofs):
        where = f"proof {number}"
        try:
            path = [bytes.fromhex(p) for p in proof["path"]]
            if any(len(p) != 32 for p in path):
                raise ValueError("a path hash is not 32 bytes")
            if set(proof) == {"index", "size", "leaf_hash", "path"}:
                index, size = proof["index"], proof["size"]
                if size > len(leaves):
                    raise ValueError("size beyond the export")
                if index < len(leaves) and proof["leaf_hash"] != leaves[index].hex():
                    raise ValueError("the proof's leaf hash is not the exported one")
                got = root_from_inclusion(index, size, bytes.fromhex(proof["leaf_hash"]), path)
                if got != root_of(leaves[:size]):
                    raise ValueError("the inclusion path does not lead to the root")
            elif set(proof) == {"from", "to", "path"}:
                first, second = proof["from"], proof["to"]
                if second > len(leaves):
                    raise ValueError("size beyond the export")
                verify_consistency(first, second, root_of(leaves[:first]), root_of(leaves[:second]), path)
            else:
                raise ValueError(f"unexpected keys {sorted(proof)}")
        except (ValueError, KeyError, TypeError) as e:
            raise Failure(where, str(e))
    return len(leaves)


def main():
    parser = argparse.ArgumentParser(description="Verify a Caisson ledger export with only the public key.")
    parser.add_argument("--log", required=True, help="the export (JSON lines)")
    parser.add_argument("--key", required=True, help="the pinned Ed25519 public key, hex")
    parser.add_argument("--proofs", help="JSON lines of inclusion and consistency proofs to check")
    args = parser.parse_args()
    with open(args.log, encoding="utf-8") as f:
        lines = [line for line in f.read().split("\n") if line.strip()]
    proofs = []
    if args.proofs:
        with open(args.proofs, encoding="utf-8") as f:
            proofs = [json.loads(line) for line in f if line.strip()]
    try:
        size = verify(lines, args.key.strip(), proofs)
    except Failure as e:
        print(f"verification failed at {e}")
        return 1
    print(f"ok: {size} entries, checkpoint signed by the pinned key, {len(proofs)} proofs")
    return 0


if __name__ == "__main__":
    sys.exit(main())

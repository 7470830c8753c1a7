"""Hostile pprof profiles, written byte by byte (profile.proto's wire
format): what the bomb tests serve and read."""
import gzip


def varint(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def field(num, payload):
    """A length-delimited field (wire type 2)."""
    return varint(num << 3 | 2) + varint(len(payload)) + payload


def number(num, v):
    return varint(num << 3) + varint(v)


def profile(strings, functions, locations, samples, sample_type=(("goroutine", "count"),), repeat=1):
    """profile.proto, gzip-compressed: strings (index 0 is ""), functions
    [(id, name_index)], locations [(id, [(function_id, line)])], samples
    [([location_ids], [values])], the samples written repeat times over."""
    out = bytearray()
    index = {s: i for i, s in enumerate(strings)}
    for t, u in sample_type:
        out += field(1, number(1, index[t]) + number(2, index[u]))
    out += b"".join(field(2, field(1, b"".join(varint(l) for l in locs)) + field(2, b"".join(varint(v) for v in values)))
                    for locs, values in samples) * repeat
    for lid, lines in locations:
        out += field(4, number(1, lid) + b"".join(field(4, number(1, f) + number(2, ln)) for f, ln in lines))
    for fid, name in functions:
        out += field(5, number(1, fid) + number(2, name))
    for s in strings:
        out += field(6, s.encode("utf-8", "surrogateescape"))
    return gzip.compress(bytes(out), 9)


def gzip_bomb(members):
    """members gzip members of 64 MiB of zeros each, one after the other
    (65 KB apiece): 64 MiB times members once decompressed."""
    return gzip.compress(bytes(64 << 20), 9) * members

#!/usr/bin/env python3
"""Writes Sources/Atlas/Formats/DecimalPowers.swift: 5^q for q in -342...308 as 128-bit
significands (the most significant bit set), the table of the Eisel-Lemire algorithm
(Lemire, "Number Parsing at a Gigabyte per Second", 2021). For q >= 0 the top 128 bits of 5^q,
truncated; for q < 0 the top 128 bits of 2^b / 5^-q, rounded up, b chosen so that the quotient
has at least 128 bits."""
import sys

rows = []
for q in range(-342, 0):
    power5 = 5 ** -q
    z = power5.bit_length()
    b = z + 127 if q >= -27 else 2 * z + 2 * 64
    c = 2 ** b // power5 + 1
    while c >= 1 << 128:
        c //= 2
    rows.append((q, c))
for q in range(0, 309):
    power5 = 5 ** q
    while power5 < 1 << 127:
        power5 *= 2
    while power5 >= 1 << 128:
        power5 //= 2
    rows.append((q, power5))

out = sys.argv[1] if len(sys.argv) > 1 else "Sources/Atlas/Formats/DecimalPowers.swift"
with open(out, "w") as f:
    f.write("// Written by Scripts/make_decimal_powers.py: do not edit.\n\n")
    f.write("/// 5^q for q in -342...308 as 128-bit significands, high and low 64 bits in turn\n")
    f.write("/// (`DecimalPowers.first` is q = -342): the table `JSONParser`'s Eisel-Lemire path reads.\n")
    f.write("enum DecimalPowers {\n")
    f.write("    static let first = -342\n")
    f.write("    static let last = 308\n")
    f.write("    static let significands: [UInt64] = [\n")
    for q, c in rows:
        f.write(f"        0x{c >> 64:016x}, 0x{c & ((1 << 64) - 1):016x},  // {q}\n")
    f.write("    ]\n}\n")

"""Fixed CPU-bound work in pure Python: integer hashing, a dict and string building in an
interpreter loop, with no I/O but the final line. About a second natively.

  python3 work.py [N]      default 6_000_000 iterations
"""

import sys


def work(n):
    h = 0x811C9DC5
    counts = {}
    for i in range(n):
        h = ((h ^ (i & 0xFF)) * 0x01000193) & 0xFFFFFFFF
        key = h & 0x3FF
        counts[key] = counts.get(key, 0) + 1
        if i % 4096 == 0:
            h ^= len(str(h) + str(i))
    return h, len(counts)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 6_000_000
    print("%08x %d" % work(n))

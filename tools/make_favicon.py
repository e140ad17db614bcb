"""Draw static/favicon.ico: a white "d" on the house colour, 16 and 32 pixels, stdlib only.

The icon holds two PNG images (every browser since 2010 reads PNG inside ICO). Edges are
smoothed by sampling each pixel 4 x 4 times. Run: python tools/make_favicon.py
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

BRAND = (0x0B, 0x4F, 0x8A)
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4
TARGET = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"


def _inside_tile(x: float, y: float, radius: float = 6.0, size: float = 32.0) -> bool:
    """A square with rounded corners, in a 32 x 32 design grid."""
    cx = min(max(x, radius), size - radius)
    cy = min(max(y, radius), size - radius)
    return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2


def _inside_letter(x: float, y: float) -> bool:
    """A bold "d": a round bowl and a stem on its right, in the same grid."""
    bowl = math.hypot(x - 13.5, y - 19.5)
    in_bowl = 3.6 <= bowl <= 7.6
    in_stem = 17.6 <= x <= 21.8 and 5.0 <= y <= 27.1
    return in_bowl or in_stem


def _pixel(px: int, py: int, scale: float) -> tuple[int, int, int, int]:
    tile = letter = 0
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            x = (px + (sx + 0.5) / SAMPLES) * scale
            y = (py + (sy + 0.5) / SAMPLES) * scale
            if _inside_tile(x, y):
                tile += 1
                if _inside_letter(x, y):
                    letter += 1
    if tile == 0:
        return (0, 0, 0, 0)
    share = letter / tile
    rgb = tuple(round(b + (w - b) * share) for b, w in zip(BRAND, WHITE, strict=True))
    return (*rgb, round(255 * tile / SAMPLES**2))  # type: ignore[return-value]


def _png(size: int) -> bytes:
    scale = 32 / size
    rows = b"".join(
        b"\x00" + bytes(channel for px in range(size) for channel in _pixel(px, py, scale))
        for py in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def ico(sizes: tuple[int, ...] = (16, 32)) -> bytes:
    images = [_png(size) for size in sizes]
    offset = 6 + 16 * len(images)
    directory = b""
    for size, image in zip(sizes, images, strict=True):
        directory += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), offset)
        offset += len(image)
    return struct.pack("<HHH", 0, 1, len(images)) + directory + b"".join(images)


if __name__ == "__main__":
    TARGET.write_bytes(ico())
    print(f"{TARGET} ({TARGET.stat().st_size} bytes)")

"""What an installation may choose as its identity: a readable colour and a plain image logo.

Pure functions, no database and no Flask.
"""

from __future__ import annotations

import re

# WCAG 2.1 AA for normal text (success criterion 1.4.3).
MINIMUM_CONTRAST = 4.5
# The backgrounds the main colour meets: white text on it (header, buttons), and it as the
# colour of links on white pages and on the light grey of the footer, filters and messages.
WHITE = "#ffffff"
SOFT_BACKGROUND = "#f3f5f7"

LOGO_MAX_BYTES = 512 * 1024
# No SVG: an SVG is a document that can carry scripts. Only raster images, known by their
# first bytes (a file name or a browser's content type proves nothing).
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp")

_HEX_COLOUR = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_colour(text: str) -> str | None:
    """`#0B4F8A`, `0b4f8a` or `#09c` as `#0b4f8a` / `#0099cc`; None for anything else."""
    match = _HEX_COLOUR.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour `#rrggbb`: 0 for black, 1 for white."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(int(colour[index : index + 2], 16)) for index in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def weakest_contrast(colour: str) -> float:
    """The lowest contrast the main colour has with what it meets: white text on it, and the
    white and light grey backgrounds its links are read on."""
    return min(contrast_ratio(colour, WHITE), contrast_ratio(colour, SOFT_BACKGROUND))


def is_readable_main_colour(colour: str) -> bool:
    return weakest_contrast(colour) >= MINIMUM_CONTRAST


def sniff_image_type(data: bytes) -> str | None:
    """The type of a PNG, JPEG or WebP image from its first bytes; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None

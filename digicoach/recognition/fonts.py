"""Where the DejaVu fonts are (Debian's fonts-dejavu-core), found once and checked.

The PDFs embed DejaVu Sans, which has every letter of Dutch, French and English (and €). The
directory comes from the PDF_FONT_DIR setting when it is set, else from the usual places on
Debian, Ubuntu, Fedora and Alpine. Without the fonts the downloads fail with a message that
says what to install, instead of a PDF with missing letters.
"""

from __future__ import annotations

from pathlib import Path

REGULAR = "DejaVuSans.ttf"
BOLD = "DejaVuSans-Bold.ttf"
SEARCHED = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/local/share/fonts/dejavu"),
)
INSTALL_HINT = (
    "The PDF fonts are missing: install Debian's fonts-dejavu-core "
    "(apt-get install fonts-dejavu-core) or set DIGICOACH_PDF_FONT_DIR to a folder with "
    f"{REGULAR} and {BOLD}."
)


class FontsMissing(RuntimeError):
    """DejaVu Sans is not installed where digicoach looks for it."""


def font_dir(configured: str | None = None) -> Path:
    """The folder that holds DejaVu Sans regular and bold. Raises FontsMissing otherwise."""
    candidates = [Path(configured)] if configured else list(SEARCHED)
    for folder in candidates:
        if (folder / REGULAR).is_file() and (folder / BOLD).is_file():
            return folder
    raise FontsMissing(INSTALL_HINT)

"""A module that grows past 600 lines becomes a subpackage by sub-capability (STYLE.md).

Migrations are history, not design, so they are left out."""

from pathlib import Path

import digicoach

LIMIT = 600
PACKAGE = Path(digicoach.__file__).parent


def test_no_module_passes_600_lines():
    too_long = {
        str(path.relative_to(PACKAGE.parent)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    }
    assert too_long == {}

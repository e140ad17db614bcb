"""The progress world (Gent with Ledeberg, Kortrijk, Brugge, a programme) and a frozen clock."""

from tests.progress.conftest import frozen, in_request, world  # noqa: F401

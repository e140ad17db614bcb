"""Pages under /training/ (curriculum, cohorts, sessions, attendance, the coach's side) and the
public certificate check at /verify/<code>.

Thin views: parse the form, call one service inside a unit of work, render or redirect.
Reads go through `queries`, which answer NotFound (404) for ids outside the actor's scope.
Importing this package registers every route on `bp` and `verify_bp`.
"""

from digicoach.training.views import (  # noqa: F401 (each module registers its routes)
    attendance,
    certification,
    coach,
    cohorts,
    curriculum,
    sessions,
)
from digicoach.training.views.blueprint import bp, verify_bp

__all__ = ["bp", "verify_bp"]

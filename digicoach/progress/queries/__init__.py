"""Read models for progress, by sub-capability:

* `selection`: what the figures are about (programme, municipalities, period, moment), the
  reader's scope, and the figure cache;
* `figures`: the headline figures (the coach funnel, citizens and help, sessions held), one
  definition each, used by the dashboard, /impact, the exports, the API and the nightly job;
* `dashboard`: burn-ups, breakdowns and the nightly snapshots;
* `definitions`: the SQL building blocks of every counted thing, live and rolled up;
* `rollups`: the daily rollups the additive figures read for past days;
* `public`: the programme as the public API gives it, small numbers hidden.

`from digicoach.progress import queries` then `queries.X` keeps working for all of them.
"""

from digicoach.progress.queries.dashboard import (
    Breakdown,
    Dashboard,
    SnapshotRow,
    Trend,
    dashboard,
    no_shows,
    snapshot_rows,
    snapshot_scope,
    snapshots,
)
from digicoach.progress.queries.definitions import held_condition
from digicoach.progress.queries.figures import (
    APPROVED_OR_LATER,
    CERTIFIED_OR_LATER,
    CoachFigures,
    Figures,
    HelpFigures,
    LoanFigures,
    SessionFigures,
    coach_figures,
    figures,
    help_figures,
    loan_figures,
    session_figures,
)
from digicoach.progress.queries.public import PUBLIC_COUNTS, programme_figures, programme_progress
from digicoach.progress.queries.selection import (
    Selection,
    all_programmes,
    anonymous_logs,
    figures_moment,
    municipalities_for,
    parse_day,
    programme_municipality_ids,
    programmes_for,
    public_municipalities,
    selection_for,
    whole_programme,
)

__all__ = [
    "APPROVED_OR_LATER",
    "CERTIFIED_OR_LATER",
    "PUBLIC_COUNTS",
    "Breakdown",
    "CoachFigures",
    "Dashboard",
    "Figures",
    "HelpFigures",
    "LoanFigures",
    "Selection",
    "SessionFigures",
    "SnapshotRow",
    "Trend",
    "all_programmes",
    "anonymous_logs",
    "coach_figures",
    "dashboard",
    "figures",
    "figures_moment",
    "held_condition",
    "help_figures",
    "loan_figures",
    "municipalities_for",
    "no_shows",
    "parse_day",
    "programme_figures",
    "programme_municipality_ids",
    "programme_progress",
    "programmes_for",
    "public_municipalities",
    "selection_for",
    "session_figures",
    "snapshot_rows",
    "snapshot_scope",
    "snapshots",
    "whole_programme",
]

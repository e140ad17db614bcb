"""The workspace home (/work) and the one list it needs that no other page has yet.

Thin views: ask `queries` for the reader's sections, render.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_login import current_user

from digicoach.accounts.permissions import is_partner_staff
from digicoach.core import clock
from digicoach.core.permissions import require
from digicoach.helplog.permissions import can_correct_help_logs
from digicoach.helplog.queries import MISSING_LOG_DAYS
from digicoach.progress.queries import referrals as referral_figures
from digicoach.referrals import queries as referral_queries
from digicoach.workspace import queries
from digicoach.workspace.permissions import can_use_workspace

bp = Blueprint("workspace", __name__, url_prefix="/work")


def _local_day(moment: datetime) -> str:
    return clock.local(moment).date().isoformat()


@bp.get("")
@require(can_use_workspace)
def home() -> ResponseReturnValue:
    now = clock.now()
    found = queries.home(current_user, now=now)
    hours = found.coach.hours_this_year if found.coach else 0.0
    return render_template(
        "workspace/home.html",
        home=found,
        now=now,
        year=clock.local(now).year,
        hours_text=format_decimal(round(hours, 1), format="#,##0.#"),
        local_day=_local_day,
        partner_referrals=(
            referral_figures.of_organisations(current_user.organisation_ids)
            if is_partner_staff(current_user)
            else None
        ),
        # Coordinators and desk staff: open referrals to their own digipunten.
        municipal_referrals_open=referral_queries.open_to_municipalities(current_user),
    )


@bp.get("/help-to-log")
@require(can_correct_help_logs)
def help_to_log() -> ResponseReturnValue:
    """Shifts of the reader's municipalities that ended without a help log."""
    return render_template(
        "workspace/help_to_log.html",
        shifts=queries.staff_shifts_without_log(current_user, now=clock.now()),
        days=MISSING_LOG_DAYS,
    )

"""The two PDF files, drawn with fpdf2 in DejaVu Sans (embedded, so every letter prints and
the text can be searched and read aloud): the training certificate with its verification
link and QR code, and the yearly hours statement with one line per shift.

Both are written in the coach's language (force_locale), whoever downloads them.
"""

from __future__ import annotations

import io

import segno
from flask import current_app
from flask_babel import force_locale, format_decimal
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from digicoach.core import i18n
from digicoach.core.installation import branding
from digicoach.recognition import fonts
from digicoach.recognition.queries import CertificateFacts, HoursStatement

FONT = "DejaVu"
INK = (33, 37, 41)
MUTED = (90, 96, 104)


def _document(title: str, language: str) -> FPDF:
    folder = fonts.font_dir(current_app.config.get("PDF_FONT_DIR"))
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font(FONT, "", str(folder / fonts.REGULAR))
    pdf.add_font(FONT, "B", str(folder / fonts.BOLD))
    pdf.set_title(title)
    pdf.set_author(_brand_name())
    pdf.set_creator("digicoach")
    pdf.set_lang(language)
    pdf.set_auto_page_break(auto=True, margin=20)
    pdf.set_margins(20, 20, 20)
    pdf.set_text_color(*INK)
    pdf.add_page()
    return pdf


def _brand_name() -> str:
    return branding().name


def _line(
    pdf: FPDF,
    text: str,
    size: float,
    *,
    bold: bool = False,
    height: float = 8,
    align: str = "L",
    muted: bool = False,
) -> None:
    pdf.set_font(FONT, "B" if bold else "", size)
    pdf.set_text_color(*(MUTED if muted else INK))
    pdf.multi_cell(0, height, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)


def _qr_png(url: str) -> io.BytesIO:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=6, border=2)
    buffer.seek(0)
    return buffer


def certificate_pdf(facts: CertificateFacts) -> bytes:
    """The certificate: who, which programme and modules, when, which municipality issued it,
    its number, and where anyone can check it (link and QR code)."""
    with force_locale(facts.language):
        pdf = _document(_("Certificate of digicoach"), facts.language)
        pdf.ln(10)
        _line(pdf, _("Certificate of digicoach"), 26, bold=True, height=14, align="C")
        pdf.ln(6)
        _line(pdf, _("This certifies that"), 13, align="C")
        pdf.ln(2)
        _line(pdf, facts.name, 22, bold=True, height=12, align="C")
        pdf.ln(2)
        _line(pdf, _("completed the digicoach training of the programme"), 13, align="C")
        _line(pdf, facts.programme, 16, bold=True, height=10, align="C")
        pdf.ln(6)
        if facts.modules:
            _line(pdf, _("Modules"), 12, bold=True)
            for title in facts.modules:
                _line(pdf, f"•  {title}", 11, height=6)
            pdf.ln(4)
        _line(pdf, _("Date: %(date)s", date=i18n.day(facts.issued_on)), 11, height=7)
        _line(
            pdf,
            _("Issued by: municipality of %(name)s", name=facts.municipality),
            11,
            height=7,
        )
        _line(pdf, _("Number: %(number)s", number=facts.number), 11, height=7)
        pdf.ln(6)
        top = pdf.get_y()
        pdf.image(_qr_png(facts.verify_url), x=pdf.l_margin, y=top, w=32, h=32)
        pdf.set_xy(pdf.l_margin + 38, top)
        pdf.set_font(FONT, "", 10)
        pdf.multi_cell(
            0,
            5.5,
            _("Check this certificate at %(url)s", url=facts.verify_url)
            + "\n"
            + _("Verification code: %(code)s", code=facts.verification_code),
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        return bytes(pdf.output())


def _hours_text(minutes: int) -> str:
    return format_decimal(round(minutes / 60, 2), format="#,##0.##")


def hours_pdf(statement: HoursStatement) -> bytes:
    """The yearly hours statement: every shift with its day, time, hours and place, and the
    totals (shifts, hours, places)."""
    with force_locale(statement.language):
        title = _("Hours statement %(year)d", year=statement.year)
        pdf = _document(title, statement.language)
        _line(pdf, title, 20, bold=True, height=12)
        _line(pdf, statement.name, 14, bold=True)
        _line(
            pdf,
            _(
                "Volunteer work as a digicoach in %(municipality)s, from 1 January to %(until)s.",
                municipality=statement.municipality,
                until=i18n.day(statement.until),
            ),
            11,
            height=6,
        )
        pdf.ln(4)
        _line(
            pdf,
            _(
                "Shifts: %(shifts)s · Hours: %(hours)s · Places: %(places)s",
                shifts=i18n.format_count(len(statement.shifts)),
                hours=_hours_text(statement.minutes),
                places=i18n.format_count(len(statement.places)),
            ),
            12,
            bold=True,
        )
        pdf.ln(3)
        if statement.shifts:
            pdf.set_font(FONT, "", 10)
            with pdf.table(
                col_widths=(40, 30, 20, 80),
                text_align=("LEFT", "LEFT", "RIGHT", "LEFT"),
                first_row_as_headings=True,
                line_height=6,
            ) as table:
                table.row([_("Day"), _("Time"), _("Hours"), _("Place")])
                for line in statement.shifts:
                    table.row(
                        [
                            i18n.short_day(line.starts_at),
                            f"{i18n.clock_time(line.starts_at)}\u2013{i18n.clock_time(line.ends_at)}",
                            _hours_text(line.minutes),
                            f"{line.place}, {line.municipality}",
                        ]
                    )
        else:
            _line(pdf, _("No shifts in this year yet."), 11)
        pdf.ln(8)
        _line(
            pdf,
            _("Thank you for the time you give to people who need help with computers."),
            11,
            height=6,
            muted=True,
        )
        return bytes(pdf.output())

"""The audit log in words: every action code and kind of record with a translated label.

Staff read "Afspraak geboekt", not `bookings.appointment.book`; the code itself is only shown on
an event's detail page. Every code passed to `audit.record` anywhere in the code base needs a
label here: tests/admin/test_audit_labels.py walks the source and fails on a code without one
(codes built with an f-string, such as `coach.status.{target}`, are listed per possible value).
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

ACTION_LABELS: dict[str, Any] = {
    # accounts
    "user.create": _l("Account created"),
    "user.invite": _l("Invitation sent"),
    "user.invite_existing": _l("Invitation to an existing account"),
    "user.invite_resend": _l("Invitation sent again"),
    "user.invitation_accept": _l("Invitation accepted"),
    "user.login": _l("Signed in"),
    "user.logout": _l("Signed out"),
    "login.lockout": _l("Sign-in blocked after too many attempts"),
    "login.ip_lockout": _l("Sign-ins from an IP address blocked"),
    "login.attack": _l("Sign-in slowed: attempts from many addresses"),
    "login.unlock": _l("Sign-in slow-down ended with the e-mailed link"),
    "login.throttle_clear": _l("Sign-in slow-down cleared"),
    "user.recovery_code_use": _l("Signed in with a recovery code"),
    "user.two_factor_enable": _l("Two-step verification turned on"),
    "user.two_factor_disable": _l("Two-step verification turned off"),
    "user.recovery_codes_regenerate": _l("New recovery codes made"),
    "user.password_reset_request": _l("New password requested"),
    "user.password_reset": _l("Password reset"),
    "user.verify_email": _l("E-mail address confirmed"),
    "user.profile_update": _l("Own details changed"),
    "user.password_change": _l("Password changed"),
    "user.roles_change": _l("Roles or municipalities changed"),
    "user.deactivate": _l("Account deactivated"),
    "user.reactivate": _l("Account reactivated"),
    # places and content
    "municipality.create": _l("Municipality added"),
    "municipality.update": _l("Municipality changed"),
    "neighbourhood.create": _l("Neighbourhood added"),
    "neighbourhood.rename": _l("Neighbourhood renamed"),
    "neighbourhood.delete": _l("Neighbourhood removed"),
    "location.create": _l("Digital help point added"),
    "location.update": _l("Digital help point changed"),
    "location.activate": _l("Digital help point activated"),
    "location.deactivate": _l("Digital help point deactivated"),
    "programme.create": _l("Programme added"),
    "programme.update": _l("Programme changed"),
    "page.publish": _l("Page published"),
    # reminders and the outbox
    "reminders.settings.save": _l("Reminder settings saved"),
    "reminders.settings.use_defaults": _l("Default reminder settings restored"),
    "outbox.retry": _l("Message put back in the queue"),
    # training
    "training.module.add": _l("Module added"),
    "training.module.update": _l("Module changed"),
    "training.module.remove": _l("Module removed"),
    "training.threshold.set": _l("Attendance needed for the certificate set"),
    "training.cohort.create": _l("Training group created"),
    "training.cohort.update": _l("Training group changed"),
    "training.cohort.planned": _l("Training group set back to planned"),
    "training.cohort.open": _l("Enrolment opened for a training group"),
    "training.cohort.running": _l("Training group started"),
    "training.cohort.finished": _l("Training group finished"),
    "training.cohort.cancelled": _l("Training group cancelled"),
    "training.session.add": _l("Training session added"),
    "training.session.update": _l("Training session changed"),
    "training.session.cancel": _l("Training session cancelled"),
    "training.session.series": _l("Series of training sessions planned"),
    "training.enrolment.enrolled": _l("Enrolled in a training group"),
    "training.enrolment.waitlisted": _l("Put on a training group's waiting list"),
    "training.enrolment.withdrawn": _l("Withdrawn from a training group"),
    "training.enrolment.promoted": _l("Moved up from the waiting list"),
    "training.attendance.record": _l("Attendance recorded"),
    "training.check_in.open": _l("Check-in opened for a training session"),
    "training.check_in": _l("Checked in at a training session"),
    "training.certify": _l("Certificate issued"),
    # allowances
    "allowances.caps": _l("Caps of the expense allowances saved"),
    "allowances.record": _l("Expense allowance recorded"),
    "allowances.remove": _l("Expense allowance removed"),
    "allowances.insurance": _l("Volunteer insurance saved"),
    # digicoaches
    "coach.apply": _l("Application as a digicoach sent"),
    "coach.update_profile": _l("Digicoach's details changed"),
    "coach.add_note": _l("Note added"),
    "coach.plan_intake": _l("Intake conversation planned"),
    "coach.screening": _l("Screening updated"),
    "coach.status.applied": _l("Digicoach set back to applicant"),
    "coach.status.approved": _l("Digicoach approved"),
    "coach.status.rejected": _l("Digicoach declined"),
    "coach.status.in_training": _l("Digicoach started training"),
    "coach.status.certified": _l("Digicoach certified"),
    "coach.status.active": _l("Digicoach active"),
    "coach.status.dormant": _l("Digicoach temporarily inactive"),
    "coach.status.left": _l("Digicoach left"),
    "coach.export": _l("Personal data downloaded"),
    "coach.directory_export": _l("List of digicoaches downloaded"),
    "coach.erase": _l("Digicoach's personal data erased"),
    "coach.choose_municipalities": _l("Municipalities where the digicoach helps changed"),
    # partner organisations and their offers
    "organisation.create": _l("Partner organisation added"),
    "organisation.update": _l("Partner organisation changed"),
    "organisation.invite_staff": _l("Partner staff invited"),
    "organisation.link_staff": _l("Existing account added as partner staff"),
    "offer.create": _l("Offer added"),
    "offer.update": _l("Offer changed"),
    "offer.activate": _l("Offer shown again"),
    "offer.deactivate": _l("Offer stopped"),
    # appointments and walk-ins
    "bookings.appointment.book": _l("Appointment booked"),
    "bookings.appointment.cancel": _l("Appointment cancelled"),
    "bookings.appointment.move": _l("Appointment moved"),
    "bookings.appointment.check_in": _l("Arrival for an appointment noted"),
    "bookings.appointment.no_show": _l("Appointment marked as missed"),
    "bookings.appointment.called": _l("Phoned about an appointment"),
    "bookings.appointment.cancel_by_organiser": _l("Appointment cancelled by the organiser"),
    "bookings.appointment.erase_contact": _l("Contact details of an appointment erased"),
    "retention.erase_rejected": _l("Declined applicants erased after the retention period"),
    "retention.anonymise_left": _l("Digicoaches who left anonymised after the retention period"),
    "audit.purge": _l("Audit events older than the retention period deleted"),
    "bookings.walk_in.register": _l("Walk-in registered"),
    "bookings.walk_in.call": _l("Walk-in called up"),
    "bookings.walk_in.helped": _l("Walk-in helped"),
    "bookings.walk_in.left": _l("Walk-in left without help"),
    "bookings.walk_in.back_in_line": _l("Walk-in back in the queue"),
    # help sessions and shifts
    "helpdesk.session.create": _l("Help session planned"),
    "helpdesk.series.create": _l("Series of help sessions planned"),
    "helpdesk.session.update": _l("Help session changed"),
    "helpdesk.session.cancel": _l("Help session cancelled"),
    "helpdesk.session.invite": _l("Digicoaches invited to a help session"),
    "helpdesk.shift.sign_up": _l("Signed up for a shift"),
    "helpdesk.shift.cancel": _l("Shift cancelled"),
    "helpdesk.shift.mentor": _l("Mentor of a shift changed"),
    "helpdesk.feed.create": _l("Calendar link made"),
    "helpdesk.feed.revoke": _l("Calendar link revoked"),
    # help logs
    "help_log.create": _l("Help logged"),
    "help_log.create_for_coach": _l("Help logged for a digicoach"),
    "help_log.correct": _l("Help log corrected"),
    # device loans
    "loans.device.add": _l("Device added"),
    "loans.device.update": _l("Device changed"),
    "loans.device.available": _l("Device available again"),
    "loans.device.in_repair": _l("Device sent for repair"),
    "loans.device.retired": _l("Device retired"),
    "loans.loan.lend": _l("Device lent"),
    "loans.loan.extend": _l("Loan extended"),
    "loans.loan.return": _l("Device taken back"),
    "loans.loan.lost": _l("Device marked lost"),
    # warm referrals
    "referrals.referral.send": _l("Citizen referred to a partner"),
    "referrals.referral.send_digipunt": _l(
        "Citizen referred to a digital help point of the municipality"
    ),
    "referrals.referral.accept": _l("Referral accepted"),
    "referrals.referral.contact": _l("Referred citizen contacted"),
    "referrals.referral.close": _l("Referral closed"),
    "referrals.referral.erase_contact": _l("Contact data of closed referrals erased"),
    "loans.loan.call": _l("Call about a loan noted"),
    "loans.loan.erase_contact": _l("Contact data of loans erased"),
    "homevisits.visit.book": _l("Home visit booked"),
    "homevisits.visit.change": _l("Home visit changed"),
    "homevisits.visit.erase_address": _l("Names and addresses of home visits erased"),
    # the installation's identity
    "installation.change": _l("Name, logo or colour changed"),
}

# What `AuditEvent.object_type` names (the model's class name, or what the caller passed).
OBJECT_TYPE_LABELS: dict[str, Any] = {
    "User": _l("User"),
    "Coach": _l("Digicoach"),
    "Appointment": _l("Appointment"),
    "WalkIn": _l("Walk-in"),
    "HelpSession": _l("Help session"),
    "HelpSeries": _l("Series of help sessions"),
    "Shift": _l("Shift"),
    "CalendarFeed": _l("Calendar link"),
    "HelpLog": _l("Help log"),
    "Municipality": _l("Municipality"),
    "Neighbourhood": _l("Neighbourhood"),
    "Location": _l("Digital help point"),
    "Programme": _l("Programme"),
    "Organisation": _l("Partner organisation"),
    "Offer": _l("Offer"),
    "PageVersion": _l("Page"),
    "TrainingModule": _l("Module"),
    "Cohort": _l("Training group"),
    "TrainingSession": _l("Training session"),
    "Enrolment": _l("Enrolment"),
    "Certification": _l("Certificate"),
    "Allowance": _l("Expense allowance"),
    "AllowanceCaps": _l("Caps of the expense allowances"),
    "OutboxMessage": _l("Message"),
    "Device": _l("Device"),
    "Loan": _l("Loan"),
    "AuditEvent": _l("Audit event"),
    "InstallationSettings": _l("Site settings"),
    "ip": _l("IP address"),
}


def action_label(action: str) -> str:
    """The action in the reader's language; a code without a label (an old one, or one a test
    missed) reads 'Other action', and its code is on the detail page."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else gettext("Other action")


def object_type_label(object_type: str) -> str:
    label = OBJECT_TYPE_LABELS.get(object_type)
    return str(label) if label is not None else gettext("Other record")

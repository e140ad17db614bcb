"""Settings: Development, Testing and Production classes.

Every key can be overridden from the environment with the prefix DIGICOACH_ (for example
DIGICOACH_MAIL_SERVER=smtp.gent.be); DATABASE_URL is accepted as an alias for the database.
The README's configuration table lists the keys an operator is expected to set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta


class Config:
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # How long a SQLite writer waits for another's write lock before the request gets a 503.
    SQLITE_BUSY_TIMEOUT_MS = 30_000
    # What a request answers while the database is unreachable: 503 with this Retry-After.
    DATABASE_RETRY_AFTER_SECONDS = 5

    # Public address used in links that leave the app (e-mails, SMS, calendar feeds). Production
    # must set it; development without it follows the address `make run` serves
    # (development_base_url).
    PUBLIC_BASE_URL: str | None = None
    # Reverse proxy hops to trust for X-Forwarded-* headers (0: no proxy in front).
    PROXY_FIX_X_FOR = 0
    PROXY_FIX_X_PROTO = 0
    PROXY_FIX_X_HOST = 0

    # Languages and time.
    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = "Europe/Brussels"
    BABEL_TRANSLATION_DIRECTORIES = os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "digicoach", "translations"
    )

    # Sessions and cookies.
    SESSION_COOKIE_NAME = "digicoach_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    STAFF_IDLE_TIMEOUT_MINUTES = 30
    # A signed-in session lives at most this long, with or without "remember me".
    SESSION_MAX_HOURS_WITHOUT_REMEMBER = 12

    # Requests: no body past 1 MB (DIGICOACH_MAX_CONTENT_LENGTH) is read; it gets a plain 413.
    # The reverse proxy should cap bodies too (README, Operations). The API's own limit is lower.
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024

    # A form may be open all afternoon: the CSRF token lives as long as the session.
    WTF_CSRF_TIME_LIMIT = None

    # Sign-in throttling, stored in the database so it holds across workers and restarts
    # (accounts/throttle.py). Failures count within the window. One address guessing one
    # account waits LOGIN_SLOW_DOWN_SECONDS (doubling) from its LOGIN_SLOW_DOWN_AFTER_FAILURES-th
    # failure and is refused at LOGIN_MAX_FAILURES_PER_ACCOUNT; other addresses are not
    # affected. One address failing this often across accounts is refused, except for accounts
    # that signed in from it before (LOGIN_KNOWN_ADDRESS_DAYS). An account failing from
    # LOGIN_ATTACK_MIN_ADDRESSES addresses, LOGIN_ATTACK_AFTER_FAILURES times, waits a doubling
    # delay (at most LOGIN_ATTACK_MAX_DELAY_SECONDS) and its owner gets one e-mail a window
    # with an unlock link valid LOGIN_UNLOCK_LINK_HOURS. Nothing is ever locked for good.
    LOGIN_MAX_FAILURES_PER_ACCOUNT = 5
    LOGIN_MAX_FAILURES_PER_IP = 100
    LOGIN_THROTTLE_WINDOW_MINUTES = 15
    LOGIN_SLOW_DOWN_AFTER_FAILURES = 3
    LOGIN_SLOW_DOWN_SECONDS = 2
    LOGIN_ATTACK_MIN_ADDRESSES = 3
    LOGIN_ATTACK_AFTER_FAILURES = 10
    LOGIN_ATTACK_DELAY_SECONDS = 2
    LOGIN_ATTACK_MAX_DELAY_SECONDS = 300
    LOGIN_KNOWN_ADDRESS_DAYS = 60
    LOGIN_UNLOCK_LINK_HOURS = 24

    # argon2id cost (RFC 9106's second recommended set).
    PASSWORD_HASH_TIME_COST = 3
    PASSWORD_HASH_MEMORY_KIB = 65536
    PASSWORD_HASH_PARALLELISM = 4

    # Links sent by e-mail.
    PASSWORD_RESET_HOURS = 2
    EMAIL_VERIFICATION_HOURS = 48
    INVITATION_DAYS = 7

    # Rate limits on public endpoints (Flask-Limiter); Redis in production.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True

    # Mail: "smtp" or "file" (instance/mail.log, for development).
    MAIL_BACKEND = "smtp"
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "digicoach <noreply@digicoach.localhost>"
    MAIL_MESSAGE_ID_DOMAIN = "digicoach.localhost"

    # SMS: "http" (a JSON gateway) or "file" (instance/sms.log, for development).
    SMS_BACKEND = "file"
    SMS_GATEWAY_URL: str | None = None
    SMS_GATEWAY_TOKEN: str | None = None
    SMS_SENDER = "digicoach"

    # A request only queues its messages; the scheduler process sends them. On PostgreSQL a
    # NOTIFY at commit wakes it; on SQLite it looks for due messages this often (seconds).
    OUTBOX_POLL_SECONDS = 1.0

    # How long each process keeps the installation's name, colour and logo digest before it
    # reads them again; a change made at /admin/settings shows everywhere within this time.
    BRANDING_CACHE_SECONDS = 5.0
    # How many batches the scheduler sends side by side, each over its own SMTP connection.
    # More pays off with a mail relay some round trips away; a sender killed mid-message may
    # then leave one duplicate per sender instead of one in all (core/outbox.py).
    OUTBOX_SENDERS = 1

    # The secret under which citizen keys are made (see digicoach/core/citizens.py). Keep it
    # outside the database and stable for a programme's whole period.
    CITIZEN_KEY_SECRET: str | None = None

    # Phone shown on every page when no location's desk number applies.
    FRONT_DESK_PHONE = "09 123 45 67"

    # An active digicoach without a shift for this many days becomes dormant.
    COACH_DORMANT_AFTER_DAYS = 90

    # Two-step verification: every staff role signs in with it. An installation may relax it for
    # the front desk only (false), which the README warns against: the desk sees citizens'
    # phone numbers all day.
    DESK_TWO_FACTOR_REQUIRED = True

    # Retention (issue 15). The nightly job erases a rejected applicant this many days after the
    # decision, anonymises a coach this many months after they left, and deletes audit events
    # older than this many years (each purge is itself audited as a count).
    RETENTION_REJECTED_APPLICANT_DAYS = 180
    RETENTION_COACH_LEFT_MONTHS = 24
    RETENTION_AUDIT_YEARS = 5

    # Training cohorts (issue 4). A cohort below its minimum this many days before its first
    # session is flagged to its coordinators. The threshold is the share of held sessions a
    # coach must attend for the certificate; a programme may set its own.
    COHORT_MINIMUM_ENROLMENTS = 6
    COHORT_LOW_ENROLMENT_WARNING_DAYS = 14
    CERTIFICATION_THRESHOLD_PERCENT = 80

    # Help sessions and shifts (issue 5). A coach cancels a shift themselves until this many
    # hours (elapsed time, not wall-clock) before its start; after that the page gives the
    # digipunt's front-desk phone. Coordinators can remove a coach at any time.
    SHIFT_CANCEL_CUTOFF_HOURS = 24

    # Help logs (issue 14). A coach logs help from the start of their shift (or appointment)
    # until this many days after the shift ended; later a coordinator logs it for them.
    HELP_LOG_WINDOW_DAYS = 7

    # Bookings (issue 6). Online booking closes this many hours (elapsed time) before a slot
    # starts; the front desk books until the start. A citizen (one phone or e-mail) holds at
    # most this many coming appointments. Public booking POSTs are limited per IP address
    # (front-desk staff are exempt). Contact data is erased this many days after the
    # appointment; booked appointments nobody checked in become no-shows after the session.
    BOOKING_CLOSES_HOURS_BEFORE = 2
    BOOKING_MAX_ACTIVE_PER_CONTACT = 3
    BOOKING_RATE_LIMIT = "20 per hour"
    BOOKING_WEEKS_AHEAD = 4
    APPOINTMENT_RETENTION_DAYS = 30
    MARK_NO_SHOWS_AUTOMATICALLY = True

    # Progress (issue 8). Dashboard and API figures are computed as of the start of the
    # current window of this many seconds and kept in the cache for it: a whole-programme
    # dashboard reads every help log. 0 computes them live on every request.
    PROGRESS_CACHE_SECONDS = 300
    # Flask-Caching. "SimpleCache" keeps figures per worker process; with several workers use
    # CACHE_TYPE="RedisCache" and CACHE_REDIS_URL="redis://127.0.0.1:6379/1" to share them.
    CACHE_TYPE = "SimpleCache"
    CACHE_DEFAULT_TIMEOUT = 600
    # GET /api/v1/locations (not narrowed) is kept this long, and dropped when a location,
    # municipality or neighbourhood is saved (api/lists.py). 0 reads them on every request.
    API_LIST_CACHE_SECONDS = 60
    # GET /api/v1/slots is kept this long per query, and dropped when a place is taken or given
    # back at its location, or a place, programme, help session or shift is saved
    # (api/lists.py). 0 reads the free places on every request.
    API_SLOTS_CACHE_SECONDS = 10
    # The public pages anyone not signed in sees alike (the wizard's first step, a digipunt's
    # page, the impact page) are kept this long per language, and dropped when a place, a
    # programme or a help session is saved (core/page_cache.py). 0 renders them every time.
    PUBLIC_PAGE_CACHE_SECONDS = 60

    # Reminders (issue 7). The REMINDER_* lead times and switches are the defaults: a
    # programme may set its own on its page (Programmes > Reminder settings), and a programme
    # without its own, or an event no programme covers, uses these. "N days before" is the
    # same local wall-clock time N days earlier (reminders/rules.py). The citizen gets an SMS
    # when a phone is known, else an e-mail; the same-morning SMS is off by default.
    # Coordinators hear about a help session below its minimum of coaches 7 and 2 days
    # before, and get a digest on Monday at 08:00. REMINDERS_ENABLED switches every reminder
    # off, whatever the programmes set. SMS_GATEWAY_TIMEOUT_SECONDS bounds one call to the SMS
    # gateway (a time-out counts as a failed attempt and is retried).
    REMINDERS_ENABLED = True
    REMINDER_CITIZEN_DAYS_BEFORE = 1
    REMINDER_SAME_MORNING_SMS = False
    REMINDER_SAME_MORNING_AT = "08:00"
    REMINDER_SHIFT_DAYS_BEFORE = 2
    REMINDER_TRAINING_DAYS_BEFORE = 2
    REMINDER_UNDERSTAFFED_DAYS = (7, 2)
    REMINDER_HELP_LOG_NUDGE = True
    REMINDER_HELP_LOG_NUDGE_AT = "19:00"
    REMINDER_WEEKLY_DIGEST = True
    SMS_GATEWAY_TIMEOUT_SECONDS = 15

    # Device loans (issue 19). The desk proposes a due date LOAN_DEFAULT_DAYS ahead and accepts
    # one at most LOAN_MAX_DAYS ahead (an extension too). The citizen gets a reminder
    # LOAN_REMINDER_DAYS_BEFORE days before the due date (0: none), and overdue notices on the
    # due date + LOAN_OVERDUE_FIRST_AFTER_DAYS, then weekly, LOAN_OVERDUE_NOTICES in all, each at
    # LOAN_REMINDER_AT Brussels time (SMS to a mobile number, else e-mail). REMINDERS_ENABLED
    # switches these off too. Contact data is erased LOAN_RETENTION_DAYS after the return.
    LOAN_DEFAULT_DAYS = 28
    LOAN_MAX_DAYS = 90
    LOAN_REMINDERS_ENABLED = True
    LOAN_REMINDER_DAYS_BEFORE = 2
    LOAN_OVERDUE_FIRST_AFTER_DAYS = 1
    LOAN_OVERDUE_NOTICES = 3
    LOAN_REMINDER_AT = "10:00"
    LOAN_RETENTION_DAYS = 30

    # Warm referrals (issue 18). A referral still open REFERRAL_REMINDER_DAYS after it was sent
    # reminds the receiving organisation's staff, and again every REFERRAL_REMINDER_DAYS (0:
    # never). The citizen's contact data is erased REFERRAL_RETENTION_DAYS after it closed.
    REFERRAL_REMINDER_DAYS = 5
    REFERRAL_RETENTION_DAYS = 30

    # Help at home (issue 19). Between a home visit and any other shift of the same digicoach
    # there are at least HOME_VISIT_TRAVEL_MINUTES. The citizen's name, phone, address and
    # accessibility notes are erased HOME_VISIT_RETENTION_DAYS after the visit.
    HOME_VISIT_TRAVEL_MINUTES = 30
    HOME_VISIT_RETENTION_DAYS = 30


class DevelopmentConfig(Config):
    PROGRESS_CACHE_SECONDS = 0
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    MAIL_BACKEND = "file"
    SMS_BACKEND = "file"


class TestingConfig(Config):
    TESTING = True
    # Cheap hashes keep the suite fast; production uses argon2-cffi's defaults.
    PASSWORD_HASH_TIME_COST = 1
    PASSWORD_HASH_MEMORY_KIB = 8
    PASSWORD_HASH_PARALLELISM = 1
    SECRET_KEY = "testing-only-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    RATELIMIT_ENABLED = False
    MAIL_BACKEND = "smtp"
    SMS_BACKEND = "file"
    PUBLIC_BASE_URL = "http://localhost"
    CITIZEN_KEY_SECRET = "testing-only-citizen-key-secret"
    PROGRESS_CACHE_SECONDS = 0
    # Rendered on every request, so page tests see their own changes (tests/core/test_page_cache.py
    # turns it on).
    PUBLIC_PAGE_CACHE_SECONDS = 0
    # Free places read on every request, so tests see their own bookings
    # (tests/api/test_kept_slots.py turns it on).
    API_SLOTS_CACHE_SECONDS = 0
    # Read once per request, as before the process cache: statement counts do not depend on
    # how long a test took (tests/core/test_branding_cache.py sets its own).
    BRANDING_CACHE_SECONDS = 0.0


class ProductionConfig(Config):
    REQUIRED = ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "CITIZEN_KEY_SECRET", "PUBLIC_BASE_URL")


def development_base_url(environ: Mapping[str, str]) -> str:
    """The address `flask run` serves, for links in development messages.

    `make run` passes its HOST and PORT to the web server and the scheduler as FLASK_RUN_HOST
    and FLASK_RUN_PORT (which `flask run` reads too), so both make the same links; PORT alone
    is accepted as well. A server listening on every interface is reached on 127.0.0.1.
    """
    host = environ.get("FLASK_RUN_HOST") or "127.0.0.1"
    port = environ.get("FLASK_RUN_PORT") or environ.get("PORT") or "5000"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104 - read, not bound
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}

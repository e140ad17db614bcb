"""The application factory: config, extensions, blueprints (an explicit list), errors, CLI."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, development_base_url
from digicoach import (
    cli,
    models,  # noqa: F401 - registers every table before mappers configure
)
from digicoach.accounts import permissions as account_permissions
from digicoach.accounts import sessions as account_sessions
from digicoach.accounts.views import bp as accounts_bp
from digicoach.admin import permissions as admin_permissions
from digicoach.admin.views import bp as admin_bp
from digicoach.allowances import permissions as allowance_permissions
from digicoach.allowances import queries as allowance_queries
from digicoach.allowances.views import bp as allowances_bp
from digicoach.allowances.views import mine_bp as my_allowances_bp
from digicoach.api import receivers as api_receivers
from digicoach.api.views import bp as api_bp
from digicoach.bookings import permissions as booking_permissions
from digicoach.bookings import receivers as booking_receivers
from digicoach.bookings.desk_views import bp as desk_bp
from digicoach.bookings.queue_views import bp as queue_bp
from digicoach.bookings.views import bp as bookings_bp
from digicoach.coaches import permissions as coach_permissions
from digicoach.coaches import receivers as coach_receivers
from digicoach.coaches.views import bp as coaches_bp
from digicoach.content import permissions as content_permissions
from digicoach.content.views import bp as content_bp
from digicoach.core import errors as error_pages
from digicoach.core import i18n, installation, navigation, templating
from digicoach.core.db import configure_sqlite
from digicoach.core.health import bp as health_bp
from digicoach.core.health import install_probe
from digicoach.core.installation_views import bp as brand_bp
from digicoach.core.outage import register_outage_handling
from digicoach.core.security import register_security
from digicoach.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
from digicoach.helpdesk import permissions as helpdesk_permissions
from digicoach.helpdesk.views import bp as helpdesk_bp
from digicoach.helpdesk.views import feeds_bp as helpdesk_feeds_bp
from digicoach.helpdesk.views import public_bp as helpdesk_public_bp
from digicoach.helplog import permissions as helplog_permissions
from digicoach.helplog.views import bp as helplog_bp
from digicoach.homevisits import permissions as home_visit_permissions
from digicoach.homevisits.views import bp as homevisits_bp
from digicoach.loans import permissions as loan_permissions
from digicoach.loans.views import bp as loans_bp
from digicoach.nearby.views import bp as nearby_bp
from digicoach.partners import permissions as partner_permissions
from digicoach.partners.views import bp as partners_bp
from digicoach.places import permissions as place_permissions
from digicoach.places.views import bp as places_bp
from digicoach.progress import permissions as progress_permissions
from digicoach.progress import receivers as progress_receivers
from digicoach.progress.views import bp as progress_bp
from digicoach.progress.views import public_bp as impact_bp
from digicoach.recognition import permissions as recognition_permissions
from digicoach.recognition.views import bp as recognition_bp
from digicoach.referrals import permissions as referral_permissions
from digicoach.referrals.views import bp as referrals_bp
from digicoach.reminders import permissions as reminder_permissions
from digicoach.reminders import receivers as reminder_receivers
from digicoach.reminders.views import bp as reminders_bp
from digicoach.rights.views import bp as rights_bp
from digicoach.scheduler import scheduler_cli
from digicoach.training import permissions as training_permissions
from digicoach.training.views import bp as training_bp
from digicoach.training.views import verify_bp as training_verify_bp
from digicoach.workspace import permissions as workspace_permissions
from digicoach.workspace.views import bp as workspace_bp

BLUEPRINTS = (
    health_bp,
    brand_bp,
    content_bp,
    accounts_bp,
    places_bp,
    partners_bp,
    nearby_bp,
    admin_bp,
    coaches_bp,
    training_bp,
    training_verify_bp,
    helpdesk_bp,
    helpdesk_feeds_bp,
    helpdesk_public_bp,
    helplog_bp,
    bookings_bp,
    desk_bp,
    queue_bp,
    api_bp,
    progress_bp,
    impact_bp,
    reminders_bp,
    workspace_bp,
    rights_bp,
    allowances_bp,
    my_allowances_bp,
    recognition_bp,
    loans_bp,
    referrals_bp,
    homevisits_bp,
)
PERMISSION_MODULES: tuple[ModuleType, ...] = (
    account_permissions,
    place_permissions,
    partner_permissions,
    content_permissions,
    admin_permissions,
    coach_permissions,
    training_permissions,
    helpdesk_permissions,
    helplog_permissions,
    booking_permissions,
    loan_permissions,
    referral_permissions,
    home_visit_permissions,
    progress_permissions,
    reminder_permissions,
    workspace_permissions,
    allowance_permissions,
    recognition_permissions,
)
# Who reacts to which signal of another feature: each feature's receivers.py, connected here
# (the scheduler is a command of this app, so it gets the same). tests/test_receivers.py pins
# the list per signal.
RECEIVER_MODULES: tuple[ModuleType, ...] = (
    coach_receivers,
    booking_receivers,
    reminder_receivers,
    progress_receivers,
    api_receivers,
)
ROOT = Path(__file__).resolve().parent.parent


def create_app(config_name: str | None = None, **overrides: Any) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(Path(os.environ.get("DIGICOACH_INSTANCE_PATH", ROOT / "instance"))),
    )
    load_config(app, config_name, overrides)
    register_extensions(app)
    register_blueprints(app)
    error_pages.register_error_handlers(app)
    register_outage_handling(app)
    templating.register_template_helpers(app, PERMISSION_MODULES)
    navigation.register_navigation(app)
    app.jinja_env.globals["installation"] = installation.branding
    # The volunteer note and the application form show each programme's insurance.
    app.jinja_env.globals["insurance_policies"] = allowance_queries.insurance_policies
    app.jinja_env.globals["this_year"] = allowance_queries.this_year
    register_security(app)
    cli.register_commands(app)
    app.cli.add_command(scheduler_cli)
    connect_receivers()
    install_probe(app)
    return app


def connect_receivers() -> None:
    """Connect every feature's receivers. Signals are process-wide, and blinker keeps one
    connection per receiver, so a second app in the same process connects nothing twice."""
    for module in RECEIVER_MODULES:
        module.connect()


def load_config(app: Flask, config_name: str | None, overrides: dict[str, Any]) -> None:
    name = config_name or os.environ.get("DIGICOACH_ENV", "production")
    if name not in CONFIGS:
        raise RuntimeError(f"DIGICOACH_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    app.config.from_object(CONFIGS[name])
    app.config["ENV_NAME"] = name
    app.config.from_prefixed_env("DIGICOACH")
    database_url = os.environ.get("DATABASE_URL")
    if database_url and "DIGICOACH_SQLALCHEMY_DATABASE_URI" not in os.environ:
        app.config["SQLALCHEMY_DATABASE_URI"] = database_url
    app.config.update(overrides)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if name == "production":
        missing = [key for key in CONFIGS[name].REQUIRED if not app.config.get(key)]  # type: ignore[attr-defined]
        if missing:
            raise RuntimeError(
                "Production needs these settings: "
                + ", ".join(f"DIGICOACH_{key}" for key in missing)
                + " (DATABASE_URL is accepted for the database)."
            )
    else:
        app.config.setdefault("SECRET_KEY", None)
        if not app.config["SECRET_KEY"]:
            app.config["SECRET_KEY"] = _development_secret(Path(app.instance_path), "secret_key")
        if not app.config.get("CITIZEN_KEY_SECRET"):
            app.config["CITIZEN_KEY_SECRET"] = _development_secret(
                Path(app.instance_path), "citizen_key_secret"
            )
        if not app.config.get("PUBLIC_BASE_URL"):
            app.config["PUBLIC_BASE_URL"] = development_base_url(os.environ)
        if not app.config.get("SQLALCHEMY_DATABASE_URI"):
            database = Path(app.instance_path) / "digicoach.sqlite3"
            app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )

    proxies = {
        "x_for": int(app.config["PROXY_FIX_X_FOR"]),
        "x_proto": int(app.config["PROXY_FIX_X_PROTO"]),
        "x_host": int(app.config["PROXY_FIX_X_HOST"]),
    }
    if any(proxies.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **proxies)  # type: ignore[method-assign]


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// spellings and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(instance: Path, name: str) -> str:
    """A random key kept in instance/, so development sessions and counts survive a restart."""
    path = instance / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    limiter.init_app(app)
    cache.init_app(app)
    login_manager.init_app(app)
    account_sessions.configure_login_manager(login_manager)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine, busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"])
            db.engine.dispose()


def register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)

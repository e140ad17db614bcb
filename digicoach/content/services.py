"""Publishing and reading versioned public texts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from digicoach.accounts.models import User
from digicoach.content import permissions
from digicoach.content.models import PageSlug, PageVersion
from digicoach.core import audit, clock
from digicoach.core.errors import NotFound
from digicoach.core.permissions import ensure
from digicoach.extensions import db


@dataclass(frozen=True)
class PageInput:
    title: str
    body: str


def current_version(slug: PageSlug, language: str) -> PageVersion | None:
    """The newest version in `language`, falling back to Dutch, the language of record."""
    for candidate in (language, "nl"):
        version = db.session.scalar(
            select(PageVersion)
            .where(PageVersion.slug == slug, PageVersion.language == candidate)
            .order_by(PageVersion.version.desc())
            .limit(1)
        )
        if version is not None:
            return version
    return None


def publish(*, actor: User, slug: PageSlug, language: str, data: PageInput) -> PageVersion:
    """Add a new version; earlier versions stay, so accepted versions can still be shown."""
    ensure(permissions.can_edit_pages(actor))
    latest = db.session.scalar(
        select(func.max(PageVersion.version)).where(
            PageVersion.slug == slug, PageVersion.language == language
        )
    )
    version = PageVersion(
        slug=slug,
        language=language,
        version=(latest or 0) + 1,
        title=data.title.strip(),
        body=data.body.strip(),
        published_at=clock.now(),
        published_by_id=actor.id,
    )
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "page.publish", version, ["title", "body"])
    return version


def parse_slug(value: str) -> PageSlug:
    try:
        return PageSlug(value)
    except ValueError:
        raise NotFound(value) from None

"""The nearby help in the shapes its readers need: rows for the public page, the JSON of
`GET /api/v1/offers`, and the rows of the open data export in the French standard for digital
inclusion places ("schéma de données des lieux de médiation numérique", LaMednum, v0.2).

Mapping to that standard (also in the notes of the feature): our topics and kinds of offer
become its `services`, our kinds of organisation its `typologie` (data.inclusion's codes), how
to get an offer its `modalites_acces`, the cost its `frais_a_charge`. What has no equivalent is
left empty (see `OPEN_DATA_COLUMNS` and the README).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from digicoach.core import clock, phones
from digicoach.helpdesk.models import HelpSession
from digicoach.partners import rules, services
from digicoach.partners.models import Offer, Organisation
from digicoach.places.models import Location


@dataclass(frozen=True)
class OfferRow:
    offer: Offer
    weekly: list[rules.WeeklyHours]
    exceptions: list[rules.DateException]
    open_now: bool
    open_this_week: bool
    next_opening: rules.Opening | None
    osm: str


def offer_rows(offers: list[Offer], *, now: datetime) -> list[OfferRow]:
    rows = []
    today = clock.local(now).date()
    for offer in offers:
        weekly, exceptions = services.weekly_hours(offer), services.date_exceptions(offer)
        rows.append(
            OfferRow(
                offer=offer,
                weekly=weekly,
                exceptions=exceptions,
                open_now=rules.is_open(now, weekly, exceptions),
                open_this_week=rules.open_this_week(now, weekly, exceptions),
                next_opening=rules.next_opening(now, weekly, exceptions),
                osm=rules.osm_opening_hours(weekly, exceptions, today=today),
            )
        )
    return rows


def when_filter(rows: list[OfferRow], sessions: list[HelpSession], when: str, now: datetime) -> Any:
    """'now': open at this moment; 'week': open in the next seven days; else everything."""
    if when == "now":
        return (
            [row for row in rows if row.open_now],
            [s for s in sessions if s.starts_at <= now < s.ends_at],
        )
    if when == "week":
        return [row for row in rows if row.open_this_week], sessions
    return rows, sessions


def _local_iso(moment: datetime | None) -> str | None:
    return clock.local(moment).isoformat() if moment else None


def offer_json(row: OfferRow) -> dict[str, Any]:
    """One offer as `GET /api/v1/offers` answers it (schema: api.schemas.Offer)."""
    offer = row.offer
    return {
        "id": offer.id,
        "organisation": {
            "id": offer.organisation.id,
            "name": offer.organisation.name,
            "kind": offer.organisation.kind,
        },
        "title": offer.title,
        "description": offer.description,
        "kind": offer.kind,
        "audience": offer.audience,
        "topics": offer.topics,
        "languages": offer.languages,
        "cost": {"free": offer.free, "price": offer.price or None},
        "how_to_get": offer.how_to_get,
        "phone": offer.phone or None,
        "location": {
            "id": offer.location_id,
            "name": offer.place_name,
            "address": offer.place_address,
        },
        "opening_hours": [
            {"weekday": h.weekday, "from": f"{h.opens:%H:%M}", "to": f"{h.closes:%H:%M}"}
            for h in row.weekly
        ],
        "exceptions": [
            {
                "date": e.day.isoformat(),
                "from": f"{e.opens:%H:%M}" if e.opens else None,
                "to": f"{e.closes:%H:%M}" if e.closes else None,
                "label": e.label,
            }
            for e in row.exceptions
        ],
        "open_now": row.open_now,
        "next_opening": _local_iso(row.next_opening.starts_at if row.next_opening else None),
        "osm_opening_hours": row.osm,
    }


# --- open data ----------------------------------------------------------------------------------

OPEN_DATA_COLUMNS = (
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
)

ADMIN = "Aide aux démarches administratives"
EVERYDAY = "Maîtrise des outils numériques du quotidien"
WORK = "Insertion professionnelle via le numérique"
SAFE = "Utilisation sécurisée du numérique"
ACCESS = "Accès internet et matériel informatique"
TOPIC_SERVICES = {
    "eid_itsme": ADMIN,
    "government_services": ADMIN,
    "health_apps": EVERYDAY,
    "online_banking": EVERYDAY,
    "email": EVERYDAY,
    "smartphone_tablet": EVERYDAY,
    "video_calling": EVERYDAY,
    "job_search": WORK,
    "safety_phishing": SAFE,
}
OFFER_KIND_SERVICES = {
    "device_loan": ACCESS,
    "free_access": ACCESS,
    "social_tariff": ADMIN,
    "advice": ADMIN,
}
SERVICE_ORDER = (ADMIN, EVERYDAY, WORK, SAFE, ACCESS)
# data.inclusion's typology of structures.
TYPOLOGY = {
    "library": "BIB",
    "social_services": "CCAS",
    "caw": "ASSO",
    "community_centre": "MQ",
    "non_profit": "ASSO",
    "school": "Autre",
    "other": "Autre",
}
ACCESS_WAYS = {
    "walk_in": "Se présenter",
    "call": "Téléphoner",
    "book": "Prendre un RDV en ligne",
    "referral": "Envoyer un mail avec une fiche de prescription",
}
FREE = "Gratuit : Je peux accéder gratuitement au lieu et à ses services"
PAID = "Payant : L\u2019accès au lieu et/ou à ses services est payant"
INDIVIDUAL = "Accompagnement individuel"
WORKSHOP = "Dans un atelier collectif : j'apprends collectivement à utiliser le numérique"
ON_ONES_OWN = "En autonomie"
RESUME_MAX = 280


def _services(codes: set[str]) -> str:
    return ";".join(s for s in SERVICE_ORDER if s in codes)


def _e164(phone: str) -> str:
    return phones.e164(phone) or "" if phone else ""


def _resume(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= RESUME_MAX else text[: RESUME_MAX - 1].rstrip() + "…"


def location_record(
    location: Location,
    organisation: Organisation | None,
    sessions: list[HelpSession],
    *,
    phone: str,
    booking_url: str,
    source: str,
    today: Any,
) -> dict[str, str]:
    """A digipunt as a place of the standard: its services from its help sessions' topics (a
    session without topics takes all), its hours from the sessions of the coming week."""
    topics: set[str] = set()
    for session in sessions:
        topics.update(session.topics or TOPIC_SERVICES)
    weekly = rules.weekly_from_moments((s.starts_at, s.ends_at) for s in sessions)
    bookable = any(s.takes_appointments for s in sessions)
    ways = ["Se présenter", "Téléphoner"] + (["Prendre un RDV en ligne"] if bookable else [])
    return _record(
        id=f"digipunt-{location.id}",
        nom=location.name,
        commune=location.city,
        code_postal=location.postcode,
        adresse=location.street,
        typologie=TYPOLOGY.get(organisation.kind, "") if organisation else "",
        telephone=_e164(phone),
        horaires=rules.osm_opening_hours(weekly, [], today=today),
        presentation_resume=_resume(location.opening_notes),
        presentation_detail=location.accessibility_notes,
        source=source,
        itinerance="Fixe",
        structure_parente=organisation.name if organisation else "",
        date_maj=location.created_at.date().isoformat(),
        services=_services({TOPIC_SERVICES[t] for t in topics if t in TOPIC_SERVICES}),
        frais_a_charge=FREE,
        modalites_acces=";".join(ways),
        modalites_accompagnement=INDIVIDUAL,
        prise_rdv=booking_url if bookable else "",
    )


def offer_record(row: OfferRow, *, source: str) -> dict[str, str]:
    """A partner offer as a place of the standard (its own hours and services)."""
    offer = row.offer
    location = offer.location
    organisation = offer.organisation
    kinds = {OFFER_KIND_SERVICES[offer.kind]} if offer.kind in OFFER_KIND_SERVICES else set()
    kinds |= {TOPIC_SERVICES[t] for t in offer.topics if t in TOPIC_SERVICES}
    accompaniment = {
        "course": WORKSHOP,
        "free_access": ON_ONES_OWN,
        "device_loan": ON_ONES_OWN,
    }.get(offer.kind, INDIVIDUAL)
    return _record(
        id=f"aanbod-{offer.id}",
        nom=f"{offer.title} \u2013 {organisation.name}",
        commune=location.city if location else "",
        code_postal=location.postcode if location else "",
        adresse=location.street if location else offer.address,
        typologie=TYPOLOGY.get(organisation.kind, ""),
        telephone=_e164(offer.phone or organisation.phone),
        courriels=organisation.email,
        site_web=organisation.website,
        horaires=row.osm,
        presentation_resume=_resume(offer.description or offer.title),
        presentation_detail=offer.audience,
        source=source,
        itinerance="Itinérant" if offer.kind == "help_at_home" else "Fixe",
        structure_parente=organisation.name,
        date_maj=offer.updated_at.date().isoformat(),
        services=_services(kinds),
        frais_a_charge=FREE if offer.free else PAID,
        modalites_acces=ACCESS_WAYS.get(offer.how_to_get, ""),
        modalites_accompagnement=accompaniment,
    )


def _record(**values: str) -> dict[str, str]:
    return {column: values.get(column, "") or "" for column in OPEN_DATA_COLUMNS}

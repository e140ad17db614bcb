"""Every table of digicoach, so metadata is complete for the app, migrations and tests."""

from digicoach.accounts import models as accounts_models
from digicoach.allowances import models as allowances_models
from digicoach.bookings import models as bookings_models
from digicoach.coaches import models as coaches_models
from digicoach.content import models as content_models
from digicoach.core import audit, heartbeat, installation, outbox
from digicoach.helpdesk import models as helpdesk_models
from digicoach.helplog import models as helplog_models
from digicoach.loans import models as loan_models
from digicoach.partners import models as partners_models
from digicoach.places import models as places_models
from digicoach.progress import models as progress_models
from digicoach.referrals import models as referral_models
from digicoach.reminders import models as reminder_models
from digicoach.training import models as training_models

MODEL_MODULES = (
    audit,
    heartbeat,
    installation,
    outbox,
    accounts_models,
    places_models,
    partners_models,
    content_models,
    coaches_models,
    training_models,
    helpdesk_models,
    bookings_models,
    helplog_models,
    loan_models,
    referral_models,
    progress_models,
    reminder_models,
    allowances_models,
)

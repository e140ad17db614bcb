"""Citizens' pages: the booking wizard at /book and the manage link at /b/<token>.

The wizard asks one question per page and keeps the answers in a signed hidden field, not in a
server-side session: nothing expires half-way and it works without JavaScript. Personal data
only ever travels in POST bodies (never in a URL), so every step is a form posted to /book; a
step validates only its own question. "Back" and "Change" are buttons of the same form.
The review page carries a one-time token, the booking's idempotency key, so a double submit
books once and shows the same confirmation; the manage token is made by the server from it
(services.manage_token_for), never taken from the browser.
"""

# The routes live in sub-modules by sub-capability; importing them registers them on `bp`.
from digicoach.bookings.views import manage, wizard
from digicoach.bookings.views.blueprint import bp

__all__ = ["bp", "manage", "wizard"]

"""Who reacts to what: every signal's receivers, pinned by name.

A receiver is connected by its feature's receivers.py when the app is made, never as a side
effect of importing a module. Adding or removing one changes this list on purpose."""

import importlib
import pkgutil
import weakref

from blinker import NamedSignal

import digicoach

EXPECTED = {
    "accounts.email-verified": ["digicoach.coaches.receivers.on_email_verified"],
    "bookings.appointment-cancelled": [
        "digicoach.reminders.receivers.on_appointment_cancelled_or_moved",
    ],
    "bookings.appointment-moved": [
        "digicoach.reminders.receivers.on_appointment_cancelled_or_moved",
    ],
    "helpdesk.help-session-cancelled": [
        "digicoach.bookings.receivers.on_help_session_cancelled",
        "digicoach.reminders.receivers.on_help_session_cancelled",
    ],
    "helpdesk.help-session-change-proposed": [
        "digicoach.bookings.session_changes.on_help_session_change_proposed",
    ],
    "helpdesk.help-session-changed": [
        "digicoach.bookings.session_changes.on_help_session_changed",
        "digicoach.reminders.receivers.on_help_session_changed",
    ],
    "helpdesk.shift-cancelled": ["digicoach.reminders.receivers.on_shift_cancelled"],
}


def _modules():
    for module in pkgutil.walk_packages(digicoach.__path__, "digicoach."):
        if ".migrations" not in module.name:
            yield module.name


def _signals():
    """Every signal of every feature's signals.py."""
    for name in _modules():
        if name.endswith(".signals"):
            for value in vars(importlib.import_module(name)).values():
                if isinstance(value, NamedSignal):
                    yield value


def _receivers(signal: NamedSignal) -> list[str]:
    names = []
    for receiver in signal.receivers.values():
        function = receiver() if isinstance(receiver, weakref.ref) else receiver
        names.append(f"{function.__module__}.{function.__qualname__}")
    return sorted(names)


def test_each_signal_has_exactly_its_pinned_receivers(app):
    assert {signal.name: _receivers(signal) for signal in _signals()} == EXPECTED


def test_importing_every_module_connects_nothing(app):
    """Connections come from the app factory only: importing a module adds none."""
    before = {signal.name: _receivers(signal) for signal in _signals()}
    for name in _modules():
        importlib.import_module(name)
    assert {signal.name: _receivers(signal) for signal in _signals()} == before


def test_signals_live_in_the_signals_modules_only():
    """A feature announces through its signals.py, so the list above is complete."""
    known = list(_signals())
    for module_name in _modules():
        for name, value in vars(importlib.import_module(module_name)).items():
            if isinstance(value, NamedSignal):
                assert value in known, f"{module_name}.{name} is not in a signals.py"

"""The outbound pipeline: the apps raise events, channels deliver them, through an outbox.

It knows events and channels, never the apps' records: an app describes what happened as an
:class:`~crisis.outbound.events.Event` (title, text, severity, the exact page's absolute URL,
whether it is a drill, the mail recipients, the people whose browsers it may notify) and calls
:func:`raise_event`. Every delivery is a row of :class:`~crisis.outbound.models.Delivery`, sent
by a django-tasks job. An app that reaches people the raising app does not know (readers
subscribed to a public page) adds its deliveries through a listener (:func:`listen`), reading
the event's optional :class:`Audience`. See docs/outbound.md.
"""

from crisis.outbound.events import Audience, Event, EventKind, listen, raise_event

__all__ = ["Audience", "Event", "EventKind", "listen", "raise_event"]

"""What the monitoring app tells the outbound pipeline (crisis.outbound): an import of mentions
failed. Chat channels that want it hear of it; the person who uploaded the file is mailed too."""

from django.conf import settings

from crisis.mail import subject_line
from crisis.outbound import Event, EventKind, raise_event


def import_failed(mention_import):
    """Raise "import failed" for this attempt of ``mention_import``, mailed to its uploader.
    Queries the database."""
    uploader = mention_import.created_by
    address = uploader.email if uploader is not None and uploader.is_active else ""
    raise_event(
        Event(
            kind=EventKind.IMPORT_FAILED,
            key=f"import:{mention_import.pk}:attempt:{mention_import.attempt}",
            title=subject_line(f"Import failed: {mention_import.source_name}"),
            text=f"The import of mentions from {mention_import.source_name} failed: "
            f"{mention_import.failure}\n\nRetry it from its page once the cause is fixed.",
            url=settings.SITE_URL + mention_import.get_absolute_url(),
            recipients=(address,) if address else (),
        )
    )

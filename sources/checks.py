"""`manage.py check --deploy`: Bluesky app passwords kept by sources need CONNECTOR_KEY, as the
connected accounts' credentials do (connectors.checks)."""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from connectors import crypto


@register(Tags.security, deploy=True)
def source_key_check(app_configs=None, databases=None, **kwargs):
    from django.conf import settings

    if settings.CONNECTOR_KEYS:
        return []
    from sources.models import Source

    try:
        has_secrets = Source.objects.exclude(secret_encrypted="").exists()
    except (DatabaseError, RuntimeError):
        return []
    return [Error(crypto.MISSING_KEY, id="sources.E001")] if has_secrets else []

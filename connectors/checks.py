"""`manage.py check --deploy`: connected accounts need CONNECTOR_KEY.

Clean when no key is set and no account is connected (a site that posts nowhere needs no key);
an error when accounts exist and only the development key could stand in, since their
credentials could not be read in production. The job and the admin form say the same at the
moment of use (connectors.crypto.MISSING_KEY).
"""

from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from connectors import crypto


@register(Tags.security, deploy=True)
def connector_key_check(app_configs=None, databases=None, **kwargs):
    from django.conf import settings

    if settings.CONNECTOR_KEYS:
        return []
    from connectors.models import PlatformAccount

    try:
        has_accounts = PlatformAccount.objects.exists()
    except (DatabaseError, RuntimeError):
        return []  # not migrated yet (or no database at hand): nothing connected
    if not has_accounts:
        return []
    return [Error(crypto.MISSING_KEY, id="connectors.E001")]

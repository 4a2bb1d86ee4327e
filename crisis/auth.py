"""Sign-in plumbing: whose address a sign-in attempt came from."""

import ipaddress

from django.conf import settings


def client_address(request):
    """The address that django-axes counts sign-in failures against (``AXES_CLIENT_IP_CALLABLE``).

    With no trusted proxy (``TRUSTED_PROXY_COUNT`` 0, the default) it is the connection's own
    address, and X-Forwarded-For is ignored: anyone can send that header. Behind N proxies that
    each append the address they saw to X-Forwarded-For, it is the N-th entry from the right,
    the one written by our outermost proxy; entries further left come from the client and could
    be forged. A header shorter than that, or an entry that is not an address, means the request
    did not come through the proxies as configured, so the connection's address counts.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= count:
            try:
                return str(ipaddress.ip_address(forwarded[-count].strip()))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR")

"""Two-factor sign-in: after the password, a code from an authenticator app (a TOTP device of
django-otp) or one of ten single-use recovery codes (a static device).

Who must use it is :setting:`TWO_FACTOR_REQUIRED_FOR`; anyone else may turn it on from their
account page, and once they have, their sign-ins ask for it too. A signed-in person who owes a
second factor (``needs_second_factor``) and has not given it in this session
(``request.user.is_verified()``, from django-otp's middleware) sees only the pages to give it or
to set it up: :class:`TwoFactorMiddleware` sends every other request there, the admin site's
included.
"""

import base64
import time
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from crisis import audit
from crisis.models import SecurityEvent
from crisis.roles import COMMS, MANAGERS

Kind = SecurityEvent.Kind
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
APP_CODE_DIGITS = 6  # django-otp's TOTPDevice default, which every authenticator app reads
# Noted in the session at sign-in: whether this person owes a second factor.
PENDING = "crisis_two_factor_pending"
# Recovery codes just made, shown once on the next page and then forgotten.
NEW_CODES = "crisis_new_recovery_codes"


# Who must, who has


def required_for(user):
    """Whether ``user``'s role must use two-factor sign-in (TWO_FACTOR_REQUIRED_FOR). Queries
    the user's groups when the setting names Managers or Comms."""
    roles = set(settings.TWO_FACTOR_REQUIRED_FOR)
    if not roles or not user.is_authenticated:
        return False
    if "everyone" in roles:
        return True
    if "staff" in roles and (user.is_staff or user.is_superuser):
        return True
    if "managers" in roles and user.is_superuser:
        return True
    if not roles & {"managers", "comms"}:
        return False
    groups = set(user.groups.values_list("name", flat=True))
    if "managers" in roles and (user.is_superuser or MANAGERS in groups):
        return True
    return "comms" in roles and COMMS in groups


def app_device(user):
    """The person's confirmed authenticator app, or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def needs_second_factor(user):
    return required_for(user) or app_device(user) is not None


@receiver(user_logged_in)
def note_at_sign_in(sender, request, user, **kwargs):
    """Noted in the session at every sign-in: whether it owes a second factor."""
    if request is not None and hasattr(request, "session"):
        request.session[PENDING] = needs_second_factor(user)


# Codes


class CodeRefused(Exception):
    pass


@dataclass(frozen=True)
class Accepted:
    device: object
    recovery: bool  # a recovery code was used (and is now spent)


def _clean(code):
    return "".join(str(code).split()).lower()


def check_code(user, code, *, request=None):
    """The device that accepts ``code`` (a 6-digit app code or a recovery code), logged as an
    event; raises :class:`CodeRefused` with the reason. Each wrong code makes the next attempt
    wait longer (1, 2, 4, 8… seconds: django-otp's throttling). The person's devices are locked
    for the check, so a recovery code is spent once even when sent twice at the same moment.
    """
    code = _clean(code)
    with transaction.atomic():
        devices = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        if not devices:
            raise CodeRefused("Two-factor sign-in is not set up for this account.")
        for device in devices:
            allowed, data = device.verify_is_allowed()
            if not allowed:
                until = (data or {}).get("locked_until") or timezone.now()
                wait = max(1, int((until - timezone.now()).total_seconds()) + 1)
                raise CodeRefused(
                    f"Too many wrong codes: wait {wait} second{'s' if wait != 1 else ''}, "
                    "then enter a new code."
                )
        # An app code is 6 digits; a recovery code is 8 letters and digits. Each is tried only
        # on its own kind of device, so one wrong code counts once.
        app_code = code.isdigit() and len(code) == APP_CODE_DIGITS
        tried = False
        for device in devices:
            if isinstance(device, TOTPDevice) != app_code:
                continue
            tried = True
            if device.verify_token(code):  # counts a failure on the device itself
                recovery = isinstance(device, StaticDevice)
                kind = Kind.RECOVERY_CODE_USED if recovery else Kind.CODE_ACCEPTED
                left = device.token_set.count() if recovery else None
                detail = f"{left} recovery codes left" if recovery else ""
                audit.record(kind, request=request, user=user, detail=detail)
                return Accepted(device, recovery)
        if not tried:
            # No device of that kind (a recovery code when none are left): it still counts.
            devices[0].throttle_increment()
    audit.record(Kind.CODE_REFUSED, request=request, user=user)
    raise CodeRefused(
        "That code is not right. Enter the current code from your authenticator app, or one "
        "of your recovery codes."
    )


def verify(request, code):
    """Check ``code`` for the signed-in person and mark this session as verified."""
    accepted = check_code(request.user, code, request=request)
    otp_login(request, accepted.device)
    return accepted


# Setting up, renewing, removing


# The key of an app being set up travels signed in the set-up form (it is shown on the page
# anyway), so that opening the page stores nothing: a page view, a link preview or a prefetch
# leaves no device behind. The device is made by the POST that confirms it.
SETUP_KEY_MAX_AGE = 60 * 60  # seconds to scan the code and confirm it


def new_setup_key():
    return default_key()


def signed_setup_key(user, key):
    return signing.dumps(key, salt=_setup_salt(user))


def setup_key_from(user, signed):
    """The key that ``signed`` carries for ``user``, or None when it was not made for them, has
    been tampered with or is older than SETUP_KEY_MAX_AGE."""
    try:
        return signing.loads(signed or "", salt=_setup_salt(user), max_age=SETUP_KEY_MAX_AGE)
    except signing.BadSignature:
        return None


def _setup_salt(user):
    return f"crisis.two_factor.setup:{user.pk}"


def setup_device(user, key):
    """The authenticator app being set up with ``key``, not saved: what the page shows."""
    return TOTPDevice(user=user, name=APP_DEVICE_NAME, key=key, confirmed=False)


def qr_code_data_uri(device):
    """The device's set-up address as a QR code, an SVG image in a data: URI (the page's
    Content-Security-Policy allows data: images and nothing inline)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def confirm_app(request, key, code):
    """Finish setting up the app that holds ``key`` with a code from it: it is saved as the
    person's one authenticator (any other, and any left unconfirmed, is deleted), the session
    counts as verified, and new recovery codes are made (returned, to be shown once). Raises
    :class:`CodeRefused`."""
    user = request.user
    device = setup_device(user, key)
    with transaction.atomic():
        # One confirmation at a time per person, so two at once leave one device.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        accepted = _app_code_matches(device, code)
        if accepted:
            TOTPDevice.objects.filter(user=user).delete()
            device.confirmed = True
            device.save()
            codes = _new_recovery_codes(user)
            audit.record(Kind.TWO_FACTOR_ENROLLED, request=request, user=user)
        else:
            audit.record(Kind.CODE_REFUSED, request=request, user=user, detail="setting up")
    if not accepted:
        raise CodeRefused(
            "That code is not right. Enter the 6-digit code your app shows now for "
            "Crisis Desk (the app must have scanned the code on this page)."
        )
    otp_login(request, device)
    request.session[PENDING] = True
    return codes


def _app_code_matches(device, code):
    """Whether ``code`` is the unsaved ``device``'s current code (within its tolerance). On a
    match the device notes the code's time step, so the same code cannot sign in again.
    TOTPDevice.verify_token would save the device even on a wrong code (to count it)."""
    code = _clean(code)
    if not (code.isdigit() and len(code) == device.digits):
        return False
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(code), device.tolerance):
        return False
    device.last_t = totp.t()
    device.drift = totp.drift
    return True


def renew_recovery_codes(request):
    """Replace the person's recovery codes with ten new ones (returned, to be shown once)."""
    with transaction.atomic():
        codes = _new_recovery_codes(request.user)
        audit.record(Kind.RECOVERY_CODES_RENEWED, request=request, user=request.user)
    return codes


def _new_recovery_codes(user):
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


class RemovalRefused(Exception):
    pass


def remove(request, code):
    """Turn two-factor sign-in off for the signed-in person, after a code (app or recovery).
    Refused when their role requires it."""
    user = request.user
    if required_for(user):
        raise RemovalRefused(
            "Your role must use two-factor sign-in, so it cannot be turned off. If you lost "
            "your phone, sign in with a recovery code and set up the app again."
        )
    check_code(user, code, request=request)
    with transaction.atomic():
        remove_devices(user)
        audit.record(Kind.TWO_FACTOR_REMOVED, request=request, user=user)
    request.session[PENDING] = False


def remove_devices(user):
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# Where to go


def safe_next(request, fallback=settings.LOGIN_REDIRECT_URL):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(fallback)


class TwoFactorMiddleware:
    """Sends a signed-in person who owes a second factor, and has not given it in this session,
    to the page that asks for it (or, with no authenticator set up yet, to the set-up page), from
    every address but those pages and signing out. Whether they owe it is noted in the session
    at sign-in; a role's requirement is read again at every request (one query for the groups
    when TWO_FACTOR_REQUIRED_FOR names Managers or Comms, none otherwise), so someone made a
    manager or staff during their session owes it from their next request, not their next
    sign-in, and someone no longer required is let go (see owed_step)."""

    OPEN_URL_NAMES = ("two-factor-verify", "two-factor-setup", "logout")

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def __call__(self, request):
        return self.get_response(request)

    # Once the view is known, so that a sessionless view (crisis.middleware.sessionless), whose
    # user is anonymous by then, reads neither the session nor the user.
    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if user.is_authenticated and request.path_info not in self.open_paths():
            pending = request.session.get(PENDING)
            if pending is None:
                # A session from before two-factor sign-in existed.
                pending = request.session[PENDING] = needs_second_factor(user)
            elif not pending and required_for(user):
                # Given a role that requires it since signing in.
                pending = request.session[PENDING] = True
            if pending and not user.is_verified():
                target = self.owed_step(request, user)
                if target is not None:
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse(target)}?{query}")
        return None

    @staticmethod
    def owed_step(request, user):
        """Where someone who owes a second factor goes: to give a code, or to set up the app;
        None when nothing is owed any more (their app was removed meanwhile, by an admin, and
        their role does not require one)."""
        if app_device(user) is not None:
            return "two-factor-verify"
        if required_for(user):
            return "two-factor-setup"
        request.session[PENDING] = False
        return None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in self.OPEN_URL_NAMES}
        return self._open_paths

import base64

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_static.models import StaticToken

from crisis import time_zones, two_factor
from crisis.forms import ContactForm, PushTopicsForm, TimeZoneForm, TwoFactorCodeForm
from crisis.models import Profile, PushSubscription
from crisis.outbound import push


class PasswordChangeView(SuccessMessageMixin, auth_views.PasswordChangeView):
    """Django's own password change (old password first; this session stays signed in, the
    person's other sessions end), back to the dashboard with a message."""

    http_method_names = ["get", "head", "post"]
    success_url = reverse_lazy(settings.LOGIN_REDIRECT_URL)
    success_message = "Your password has been changed."


class LogoutView(auth_views.LogoutView):
    """Django's sign-out, which also tells the browser to drop what it keeps of the desk: the
    service worker's offline copies and its cache (docs/offline.md), and this browser's
    notifications (its endpoint, which static/js/push.js adds to the form)."""

    def post(self, request, *args, **kwargs):
        endpoint = request.POST.get("push_endpoint", "")
        if endpoint and request.user.is_authenticated:
            PushSubscription.objects.filter(user=request.user, endpoint=endpoint).forget()
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


# Two-factor sign-in (crisis.two_factor holds the rules; these are its pages).


@login_required
@require_GET
def account(request):
    """The person's own page: their role, time zone, contact details, notifications, password
    and two-factor sign-in."""
    return _account_page(request)


def _account_page(request, zone_form=None, contact_form=None, topics_form=None):
    user = request.user
    profile = getattr(user, "profile", None) or Profile(user=user)
    topics_form = topics_form or PushTopicsForm(initial={"wanted": profile.push_wanted})
    context = {
        "app_device": two_factor.app_device(user),
        "required": two_factor.required_for(user),
        "recovery_codes_left": StaticToken.objects.filter(device__user=user).count(),
        "code_form": TwoFactorCodeForm(),
        "zone_form": zone_form or TimeZoneForm(initial={"time_zone": time_zones.chosen_zone(user)}),
        "zone": time_zones.zone_of(user),
        "contact_form": contact_form or ContactForm(instance=profile),
        "push_key": push.public_key(),
        "browsers": PushSubscription.objects.filter(user=user),
        "topics_form": topics_form,
    }
    return render(request, "registration/account.html", context)


@login_required
@require_POST
def account_time_zone(request):
    """Choose the time zone one reads and types times in (blank: the company's)."""
    # One profile per person (a unique key): a double click finds the first one.
    profile, _created = Profile.objects.get_or_create(user=request.user)
    form = TimeZoneForm(request.POST, instance=profile)
    if not form.is_valid():
        return _account_page(request, zone_form=form)
    form.save()
    messages.success(request, f"Times are now shown in {time_zones.zone_of(request.user)}.")
    return redirect("account")


@login_required
@require_POST
def account_contact(request):
    """Set the phone number and deputy the team's contact sheet shows (both may be blank)."""
    profile, _created = Profile.objects.get_or_create(user=request.user)
    form = ContactForm(request.POST, instance=profile)
    if not form.is_valid():
        return _account_page(request, contact_form=form)
    form.save()
    messages.success(request, "Your phone number and deputy are saved.")
    return redirect("account")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_verify(request):
    """After the password: the code from the app, or a recovery code."""
    user = request.user
    next_url = two_factor.safe_next(request)
    if user.is_verified() or two_factor.app_device(user) is None:
        # Nothing to verify here: done already, or the app still has to be set up.
        if not user.is_verified() and two_factor.required_for(user):
            return redirect(f"{reverse('two-factor-setup')}?{urlencode({'next': next_url})}")
        request.session[two_factor.PENDING] = user.is_verified()
        return redirect(next_url)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            accepted = two_factor.verify(request, form.cleaned_data["code"])
        except two_factor.CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            if accepted.recovery:
                messages.warning(
                    request,
                    "You signed in with a recovery code; it cannot be used again. "
                    "Make new recovery codes on your account page when you run short.",
                )
            return redirect(next_url)
    context = {"form": form, "next": next_url}
    return render(request, "registration/two_factor_verify.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_setup(request):
    """Set up the authenticator app: scan the code (or type the key), confirm with a code."""
    user = request.user
    next_url = two_factor.safe_next(request)
    if two_factor.app_device(user) is not None:
        if not user.is_verified():
            # Someone who only has the password must not add an app of their own.
            return redirect(f"{reverse('two-factor-verify')}?{urlencode({'next': next_url})}")
        messages.info(request, "Two-factor sign-in is already set up for your account.")
        return redirect("account")
    # The key being set up comes back signed from the form (opening the page stores nothing).
    key = two_factor.setup_key_from(user, request.POST.get("setup"))
    expired = request.method == "POST" and key is None
    key = key or two_factor.new_setup_key()
    device = two_factor.setup_device(user, key)
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if expired:
            form.add_error("code", SETUP_EXPIRED)
            return _setup_page(request, form, device, next_url)
        try:
            codes = two_factor.confirm_app(request, key, form.cleaned_data["code"])
        except two_factor.CodeRefused as refusal:
            form.add_error("code", str(refusal))
        else:
            request.session[two_factor.NEW_CODES] = codes
            messages.success(request, "Two-factor sign-in is on for your account.")
            return redirect(
                f"{reverse('two-factor-recovery-codes')}?{urlencode({'next': next_url})}"
            )
    return _setup_page(request, form, device, next_url)


SETUP_EXPIRED = (
    "This set-up page is too old or was not made for you. Scan the new code below (or type "
    "its key) in your app, then enter the code it shows."
)


def _setup_page(request, form, device, next_url):
    context = {
        "form": form,
        "next": next_url,
        "setup": two_factor.signed_setup_key(request.user, device.key),
        "qr_code": two_factor.qr_code_data_uri(device),
        "secret": _grouped(base64.b32encode(device.bin_key).decode()),
        "required": two_factor.required_for(request.user),
    }
    return render(request, "registration/two_factor_setup.html", context)


def _grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def two_factor_recovery_codes(request):
    """GET shows the recovery codes just made, once; POST makes new ones (the old stop
    working)."""
    user = request.user
    if request.method == "POST":
        if two_factor.app_device(user) is None or not user.is_verified():
            messages.error(request, "Set up two-factor sign-in first.")
            return redirect("account")
        request.session[two_factor.NEW_CODES] = two_factor.renew_recovery_codes(request)
        return redirect("two-factor-recovery-codes")
    codes = request.session.pop(two_factor.NEW_CODES, None)
    if not codes:
        messages.info(
            request,
            "Recovery codes are shown only once, when they are made. Make new ones if you "
            "lost them.",
        )
        return redirect("account")
    context = {"codes": codes, "next": two_factor.safe_next(request)}
    return render(request, "registration/two_factor_recovery_codes.html", context)


@login_required
@require_POST
def two_factor_remove(request):
    """Turn two-factor sign-in off, after a code; refused when the role requires it."""
    form = TwoFactorCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a code from your app or a recovery code to turn it off.")
        return redirect("account")
    try:
        two_factor.remove(request, form.cleaned_data["code"])
    except (two_factor.CodeRefused, two_factor.RemovalRefused) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "Two-factor sign-in is off for your account.")
    return redirect("account")

"""Who may open and post to every address of the site, declared in one table (:data:`POLICY`),
and the URLconf walked to find every address (:func:`url_patterns`). The access matrix
(tests/test_access_matrix.py) checks each answer against this table; the fuzz and outside-text
tests read it to know which answers are refusals.
"""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver

ROLES = ("anonymous", "viewer", "comms", "manager", "admin")

# What a request may answer besides a plain status code.
LOGIN = "sign-in"  # 302 to the app's sign-in page
ADMIN_LOGIN = "admin sign-in"  # 302 to the admin site's sign-in page
REFUSED = {LOGIN, ADMIN_LOGIN, 401, 403, 404, 405}


# Small policies. Each gives {role: (GET, POST)}.


def same_for_all(get, post):
    return {role: (get, post) for role in ROLES}


def public(get=200, post=405):
    """Anyone, signed in or not."""
    return same_for_all(get, post)


def signed_in(get=200, post=405):
    """Any signed-in user (a Viewer reads everything internal)."""
    return {"anonymous": (LOGIN, LOGIN), **{role: (get, post) for role in ROLES[1:]}}


def comms_write(get=200, post=200):
    """Comms and above; a Viewer is refused."""
    return {
        "anonymous": (LOGIN, LOGIN),
        "viewer": (403, 403),
        **{role: (get, post) for role in ("comms", "manager", "admin")},
    }


def manager_write(get=405, post=302):
    """Managers (and admins, who hold every permission); Comms and Viewers are refused."""
    return {
        "anonymous": (LOGIN, LOGIN),
        "viewer": (403, 403),
        "comms": (403, 403),
        "manager": (get, post),
        "admin": (get, post),
    }


def admin_only(get=200, post=200):
    """The admin site: staff only; everyone else is sent to the admin's sign-in page."""
    return {
        **{role: (ADMIN_LOGIN, ADMIN_LOGIN) for role in ROLES[:4]},
        "admin": (get, post),
    }


def admin_read_only(get=200):
    """An admin page that only shows: staff only, and a POST (any unsafe method) is refused with
    405 before anything else, whoever sends it (crisis.admin_site)."""
    return {**{role: (ADMIN_LOGIN, 405) for role in ROLES[:4]}, "admin": (get, 405)}


# The app's pages. An action (POST only) answers 302 whatever its outcome, with a message; a form
# page re-renders an empty POST with its errors (200), or redirects when the record is frozen.
APP_POLICY = {
    # Signing in and out
    "login": {
        "anonymous": (200, 200),
        # Someone signed in is sent on to the dashboard.
        **{role: (302, 302) for role in ROLES[1:]},
    },
    "logout": public(get=405, post=302),
    "password_change": signed_in(get=200, post=200),
    # One's own account and two-factor sign-in (none of these users has it on: see
    # tests/crisis/test_two_factor.py for the ones who must).
    "account": signed_in(),
    # One's own time zone (an empty form chooses the company's).
    "account-time-zone": signed_in(get=405, post=302),
    # One's own phone number and deputy (an empty form clears both).
    "account-contact": signed_in(get=405, post=302),
    # Browser notifications: a browser's subscription as JSON (an empty body is refused with a
    # JSON error, as is anything while push is not set up), a browser removed (nothing named:
    # nothing removed), the kinds chosen (an empty form turns every kind off).
    "account-push-subscribe": signed_in(get=405, post=400),
    "account-push-remove": signed_in(get=405, post=302),
    "account-push-topics": signed_in(get=405, post=302),
    # Offline reading (docs/offline.md): the worker's script and the web app manifest for anyone
    # (the browser fetches them without a session); the list of kept pages, and the pages kept.
    "service-worker": public(),
    "web-manifest": public(),
    "offline-manifest": signed_in(),
    "team:contacts": signed_in(),
    "responses:playbooks": signed_in(),
    "two-factor-setup": signed_in(get=200, post=200),
    # Nothing to verify, and no recovery codes just made: sent on.
    "two-factor-verify": signed_in(get=302, post=302),
    "two-factor-recovery-codes": signed_in(get=302, post=302),
    "two-factor-remove": signed_in(get=405, post=302),
    # For load balancers: anyone, revealing nothing (tests/crisis/test_operations.py).
    "healthz": public(get=200, post=405),
    # Incidents
    "incidents:dashboard": signed_in(),
    "incidents:dashboard-clocks": signed_in(),
    "incidents:list": signed_in(),
    "incidents:export": signed_in(),
    "incidents:lessons": signed_in(),
    "incidents:create": comms_write(),
    "incidents:detail": signed_in(),
    "incidents:edit": comms_write(),
    "incidents:move": comms_write(get=405, post=302),
    "incidents:history": signed_in(),
    "incidents:timeline": signed_in(),
    "incidents:party-create": comms_write(),
    "incidents:party-edit": comms_write(),
    "incidents:party-history": signed_in(),
    # The post-mortem: Comms and Managers write it (an empty POST lacks the form's version, so
    # the form comes back with its message); everyone signed in reads its report.
    "incidents:postmortem": comms_write(),
    "incidents:postmortem-report": signed_in(),
    "incidents:postmortem-markdown": signed_in(),
    "incidents:postmortem-history": signed_in(),
    # Mentions: everyone signed in reads them; Comms and above act on them and import them.
    "monitoring:dashboard-spikes": signed_in(),
    "monitoring:inbox": signed_in(),
    # Nothing selected: sent back to the inbox with a message.
    "monitoring:inbox-act": comms_write(get=405, post=302),
    "monitoring:import": comms_write(),
    # An empty mapping shows its errors by the fields, with the preview.
    "monitoring:import-detail": comms_write(),
    "monitoring:import-progress": comms_write(post=405),
    # The import waits for its columns, neither failed nor stalled: sent back with a message.
    "monitoring:import-retry": comms_write(get=405, post=302),
    "monitoring:mentions": signed_in(),
    "monitoring:mentions-panel": signed_in(),
    "monitoring:mentions-link-matching": comms_write(get=405, post=302),
    "monitoring:mentions-unlink": comms_write(get=405, post=302),
    # Statements
    "responses:statement-create": comms_write(),
    "responses:statement-detail": signed_in(),
    "responses:statement-edit": comms_write(),
    "responses:statement-history": signed_in(),
    "responses:statement-submit": comms_write(get=405, post=302),
    # Whoever decides the current stage of the chain (any role may be in a stage's group or a
    # backup): the model refuses everyone else with a message.
    "responses:statement-approve": signed_in(get=405, post=302),
    "responses:statement-request-changes": signed_in(get=405, post=302),
    # An empty publishing form is valid (links are optional): the draft is refused, with a message.
    "responses:statement-publish": manager_write(),
    "responses:statement-approve-publish": manager_write(),
    "responses:statement-withdraw": comms_write(get=405, post=302),
    "responses:publication-link": comms_write(get=405, post=302),
    # Retrying a post to Mastodon or Bluesky is part of publishing: managers.
    "connectors:post-retry": manager_write(),
    # Calling the team: managers, and the incident's lead (in the world, the comms person; a
    # comms person who does not lead it is refused: tests/team); an empty form is shown again
    # with its error. Only the person called answers: to anyone else it does not exist.
    "team:call": comms_write(get=200, post=200),
    "team:answer": {
        "anonymous": (LOGIN, LOGIN),
        "viewer": (405, 404),
        "comms": (405, 302),
        "manager": (405, 404),
        "admin": (405, 404),
    },
    "connectors:update-post-retry": manager_write(),
    # The public page
    "responses:public-page-open": manager_write(),
    "responses:public-page-close": manager_write(),
    "responses:public-page": public(),
    "responses:public-feed": public(),
    # The company's status page, its feed, and the public pages' style sheet and logo.
    "responses:status-page": public(),
    "responses:status-feed": public(),
    "responses:public-brand-css": public(),
    "responses:public-logo": public(),
    # The action plan
    "responses:action-item-create": comms_write(),
    "responses:action-item-edit": comms_write(),
    "responses:action-item-history": signed_in(),
    "responses:action-item-move": comms_write(get=405, post=302),
    "responses:action-item-up": comms_write(get=405, post=302),
    "responses:action-item-down": comms_write(get=405, post=302),
    "responses:plan-apply": comms_write(get=405, post=302),
    # Progress updates
    "responses:update-post": comms_write(),
    "responses:update-draft": comms_write(),
    "responses:update-edit": comms_write(),
    # A publication without its promise of the next update is shown again with the message (400).
    "responses:update-publish": manager_write(post=400),
    "responses:update-withdraw": comms_write(get=405, post=302),
    # Reports
    "responses:report": signed_in(),
    "responses:report-export": signed_in(),
    # Mail subscriptions: the readers' pages are anyone's (an empty POST shows the form's error;
    # the confirmation and unsubscribe links are secrets, and their POST is the action itself);
    # the addresses are for those who manage the public page.
    "subscriptions:subscribe-page": public(get=200, post=200),
    "subscriptions:subscribe-status": public(get=200, post=200),
    "subscriptions:sent": public(get=200, post=405),
    "subscriptions:confirm": public(get=200, post=200),
    "subscriptions:unsubscribe": public(get=200, post=200),
    "subscriptions:subscriber-list": manager_write(get=200, post=405),
    # The library of approved lines: everyone signed in reads it; Comms and above write and edit
    # lines (an empty form comes back with its errors); managers approve a wording (the world's
    # line is the comms person's, so the manager's approval passes); its owner or a manager
    # retires it (the comms person owns it; an action answers 302 with a message).
    "lines:list": signed_in(),
    "lines:create": comms_write(),
    "lines:edit": comms_write(),
    "lines:history": signed_in(),
    "lines:approve": manager_write(),
    "lines:retire": comms_write(get=405, post=302),
    # Variants of an approved core for other audiences: everyone signed in reads them, their
    # history, print view and Markdown; Comms and above write and edit them (an empty form comes
    # back with its errors); managers approve (the world's variant is the comms person's, its
    # core a statement the manager did not write) and publish (the draft is refused, with a
    # message); Comms and above withdraw.
    "audiences:create": comms_write(),
    "audiences:detail": signed_in(),
    "audiences:edit": comms_write(),
    "audiences:history": signed_in(),
    "audiences:print": signed_in(),
    "audiences:markdown": signed_in(),
    "audiences:approve": manager_write(),
    "audiences:publish": manager_write(),
    "audiences:withdraw": comms_write(get=405, post=302),
    # Media inquiries: everyone signed in reads the open ones and each inquiry with its history;
    # Comms and above log them, edit them and word the answer (an empty form comes back with its
    # errors), mark them answered or decline them (an action answers 302 with a message: the
    # world's answer is new wording not yet approved, so "answered" is refused with a message);
    # managers approve an answer (the world's is the comms person's, so the approval passes).
    "press:list": signed_in(),
    "press:create": comms_write(),
    "press:detail": signed_in(),
    "press:edit": comms_write(),
    "press:answer": comms_write(),
    "press:history": signed_in(),
    "press:approve": manager_write(),
    "press:answered": comms_write(get=405, post=302),
    "press:decline": comms_write(get=405, post=302),
    # Rumours: everyone signed in reads an incident's list, the desk's log, its export and a
    # rumour's history; Comms and above log and edit them (an empty form comes back with its
    # errors).
    "rumours:list": signed_in(),
    "rumours:create": comms_write(),
    "rumours:edit": comms_write(),
    "rumours:history": signed_in(),
    "rumours:log": signed_in(),
    "rumours:log-export": signed_in(),
    # The sources the desk polls: everyone signed in reads them and their health; Comms and
    # Managers add, edit, pause, poll and delete them (an empty form is shown again with its
    # errors).
    "sources:list": signed_in(),
    "sources:add": comms_write(get=200, post=200),
    "sources:edit": comms_write(get=200, post=200),
    "sources:pause": comms_write(get=405, post=302),
    "sources:poll": comms_write(get=405, post=302),
    "sources:delete": comms_write(get=405, post=302),
    # The mentions API: a bearer token or nothing (401), whoever is signed in; its schema is
    # public (it describes the API, no data).
    "api:openapi-json": public(),
    "api:api-root": public(get=404, post=404),
    "api:mentions": same_for_all(405, 401),
    "api:incident-mentions": same_for_all(401, 405),
}

# The admin site's own pages, beside the ones of each registered model.
ADMIN_SITE_POLICY = {
    # The admin's pages answer an empty POST as they answer a GET, unless noted; those that only
    # show (the index, an app's list, "view on site", each model's history) refuse it.
    "admin:index": admin_read_only(),
    "admin:login": {
        # Anyone not staff gets the form (told they may not use the admin if signed in).
        **{role: (200, 200) for role in ROLES[:4]},
        # Staff are sent on to the admin's index; an empty POST is a failed sign-in.
        "admin": (302, 200),
    },
    # Django's admin signs out by POST only; someone not staff is sent to the admin's index.
    "admin:logout": {**{role: (302, 302) for role in ROLES[:4]}, "admin": (405, 302)},
    "admin:password_change": admin_only(post=200),
    "admin:password_change_done": admin_only(post=405),
    # Without its query the autocomplete refuses even staff.
    "admin:autocomplete": admin_only(get=403, post=405),
    "admin:jsi18n": admin_only(post=405),
    "admin:view_on_site": admin_read_only(get=302),
    "admin:app_list": admin_read_only(),
    "admin/(?P<url>.*)$": admin_only(get=404, post=404),
}


def stock_admin(*, add=(200, 200), change=(200, 200), delete=(200, 200)):
    """One registered model's admin pages, keyed by the part of the URL name after the model.
    An empty POST re-renders a form with its errors (200); the delete page asks again (200); the
    history list only shows (a POST is refused)."""
    return {
        "changelist": admin_only(),
        "add": admin_only(*add),
        "change": admin_only(*change),
        "history": admin_read_only(),
        "delete": admin_only(*delete),
        # ``admin/<app>/<model>/<id>/`` sends on to the change page.
        "(object)": admin_only(get=302, post=302),
    }


def record_admin(*, add=(200, 200), change=(200, 200)):
    """A history-tracked record's admin pages: never deleted (403), and a past version is read,
    never reverted (403)."""
    return {
        **stock_admin(add=add, change=change, delete=(403, 403)),
        "simple_history": admin_only(post=403),
    }


# Each model the admin site registers, by ``app_label.model_name``. A model registered later must
# be added here, with its own policy.
ADMIN_MODELS = {
    # Sign-in attempts and lockouts (django-axes): read only (a POST is sent back to the list),
    # and cleared by deleting.
    "axes.accessattempt": stock_admin(add=(403, 403), change=(200, 302)),
    "axes.accesslog": stock_admin(add=(403, 403), change=(200, 302)),
    "axes.accessfailurelog": stock_admin(add=(403, 403), change=(200, 302)),
    # Call-outs are made and answered on the incident page: read only here.
    "team.callout": stock_admin(add=(403, 403), change=(200, 403), delete=(403, 403)),
    # The sign-in audit: read only, never deleted.
    "crisis.securityevent": stock_admin(add=(403, 403), change=(200, 403), delete=(403, 403)),
    # People's authenticator apps and recovery codes: seen and removed (a lost phone), never
    # added or edited here.
    "otp_totp.totpdevice": stock_admin(add=(403, 403), change=(200, 403)),
    "otp_static.staticdevice": stock_admin(add=(403, 403), change=(200, 403)),
    # The role groups are never deleted (the world's first group is Comms).
    "auth.group": stock_admin(delete=(403, 403)),
    # People are deactivated, never deleted.
    "auth.user": stock_admin(delete=(403, 403)),
    "incidents.incident": record_admin(add=(403, 403)),
    "incidents.affectedparty": record_admin(add=(403, 403)),
    # Statements change only in the app, where the approval rules apply: read only here.
    "responses.statement": record_admin(add=(403, 403), change=(200, 403)),
    "responses.plantemplate": record_admin(),
    # Approval chains: added and changed here (an empty form is shown again with its errors),
    # retired rather than deleted.
    "responses.approvalchain": record_admin(),
    "responses.responsetarget": record_admin(add=(403, 403)),
    # The public profile: one row (the world has it), so never added again; every field is
    # optional, so an empty form saves (302).
    "responses.publicprofile": record_admin(add=(403, 403), change=(200, 302)),
    # Background tasks (django-tasks-db): read only, never added, changed or deleted by hand.
    "django_tasks_database.dbtaskresult": stock_admin(
        add=(403, 403), change=(200, 403), delete=(403, 403)
    ),
    # API tokens are revoked, never deleted; an empty form is shown again with its errors.
    "monitoring.apitoken": stock_admin(delete=(403, 403)),
    # Chat channels are added and changed here, deactivated rather than deleted.
    "crisis.chatchannel": stock_admin(delete=(403, 403)),
    # The outbox: read (a POST to a delivery is refused), retried from the list, never added or
    # deleted by hand.
    "crisis.delivery": stock_admin(add=(403, 403), change=(200, 403), delete=(403, 403)),
    # One row of thresholds: added once (the world has it), never deleted.
    "monitoring.spikethreshold": stock_admin(add=(403, 403), delete=(403, 403)),
    # Platform accounts: connected and edited (an empty form is shown again with its errors),
    # switched off rather than deleted (their posts refer to them).
    "connectors.platformaccount": stock_admin(delete=(403, 403)),
    # Posts by Crisis Desk: read only; retried from the statement page.
    "connectors.postattempt": stock_admin(add=(403, 403), change=(200, 403), delete=(403, 403)),
    # Approved lines change only in the app, where the approval rules apply: read only here.
    "lines.approvedline": record_admin(add=(403, 403), change=(200, 403)),
    # Audiences are kept here (an empty form is shown again with its errors), never deleted;
    # variants change only in the app, where the approval rules apply: read only here.
    "audiences.audience": record_admin(),
    "audiences.variant": record_admin(add=(403, 403), change=(200, 403)),
    # Media inquiries are logged and answered in the app, where the approval rules apply.
    "press.mediainquiry": record_admin(add=(403, 403), change=(200, 403)),
    # Rumours change only in the app, where their rules apply: read only here.
    "rumours.rumour": record_admin(add=(403, 403), change=(200, 403)),
    # Readers' subscriptions: read only; deleting one unsubscribes it (a reader who asked).
    "subscriptions.subscription": stock_admin(add=(403, 403), change=(200, 403)),
    # Sources as on the Sources page, with their history (a past version is read, never
    # reverted); the hosts on a private network they may reach.
    "sources.source": {**stock_admin(), "simple_history": admin_only(post=403)},
    "sources.allowedhost": stock_admin(),
}
# The user admin's own page for setting a password.
ADMIN_SITE_POLICY["admin:auth_user_password_change"] = admin_only(post=200)


def admin_model_policy():
    policy = {}
    for model in admin.site._registry:
        opts = model._meta
        label = f"{opts.app_label}.{opts.model_name}"
        for view, expected in ADMIN_MODELS.get(label, {}).items():
            if view == "(object)":
                key = f"admin/{opts.app_label}/{opts.model_name}/<path:object_id>/"
            else:
                key = f"admin:{opts.app_label}_{opts.model_name}_{view}"
            policy[key] = expected
    return policy


POLICY = {**APP_POLICY, **ADMIN_SITE_POLICY, **admin_model_policy()}

# The URLconf, walked


def url_patterns(resolver=None, prefix="", namespace=None):
    """Every URL pattern as ``(key, route, pattern)``: the key is its namespaced name, or its
    full route when it has none."""
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found.extend(url_patterns(pattern, route, inner))
        else:
            assert isinstance(pattern, URLPattern)
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            found.append((name or route, route, pattern))
    return found


def admin_model_of(key):
    """The model an admin URL is about, and which of its views, or (None, None)."""
    for model in admin.site._registry:
        opts = model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}_"
        if key.startswith(name):
            return model, key.removeprefix(name)
        if key == f"admin/{opts.app_label}/{opts.model_name}/<path:object_id>/":
            return model, "(object)"
    return None, None

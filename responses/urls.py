from django.urls import path

from responses import reports
from responses.views import plan, playbooks, public, statement, status, update

app_name = "responses"

urlpatterns = [
    path("playbooks/", playbooks.playbooks, name="playbooks"),
    path(
        "incidents/<reference:reference>/statements/new/",
        statement.statement_create,
        name="statement-create",
    ),
    path("statements/<int:pk>/", statement.statement_detail, name="statement-detail"),
    path("statements/<int:pk>/edit/", statement.statement_edit, name="statement-edit"),
    path("statements/<int:pk>/history/", statement.statement_history, name="statement-history"),
    path("statements/<int:pk>/submit/", statement.statement_submit, name="statement-submit"),
    path("statements/<int:pk>/approve/", statement.statement_approve, name="statement-approve"),
    path(
        "statements/<int:pk>/request-changes/",
        statement.statement_request_changes,
        name="statement-request-changes",
    ),
    path("statements/<int:pk>/publish/", statement.statement_publish, name="statement-publish"),
    path(
        "statements/<int:pk>/approve-and-publish/",
        statement.statement_approve_publish,
        name="statement-approve-publish",
    ),
    path("statements/<int:pk>/withdraw/", statement.statement_withdraw, name="statement-withdraw"),
    path(
        "statements/<int:pk>/publications/<int:publication_pk>/link/",
        statement.publication_link,
        name="publication-link",
    ),
    path(
        "incidents/<reference:reference>/public-page/open/",
        public.public_page_open,
        name="public-page-open",
    ),
    path(
        "incidents/<reference:reference>/public-page/close/",
        public.public_page_close,
        name="public-page-close",
    ),
    path(
        "incidents/<reference:reference>/action-items/new/",
        plan.action_item_create,
        name="action-item-create",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/edit/",
        plan.action_item_edit,
        name="action-item-edit",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/history/",
        plan.action_item_history,
        name="action-item-history",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/move/<slug:action>/",
        plan.action_item_move,
        name="action-item-move",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/up/",
        plan.action_item_up,
        name="action-item-up",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/down/",
        plan.action_item_down,
        name="action-item-down",
    ),
    # The audience's page: the token is the only key, so the path says nothing else.
    path("p/<token:token>/", public.public_page, name="public-page"),
    path("p/<token:token>/feed/", public.public_feed, name="public-feed"),
    # The company's status page and its feed, and the public pages' branding, all public.
    path("status/", status.status_page, name="status-page"),
    path("status/feed/", status.status_feed, name="status-feed"),
    path("status/brand-<slug:stamp>.css", status.brand_css, name="public-brand-css"),
    path("status/logo-<slug:sha>.png", status.brand_logo, name="public-logo"),
    path(
        "incidents/<reference:reference>/plan-templates/apply/",
        plan.plan_apply,
        name="plan-apply",
    ),
    path(
        "incidents/<reference:reference>/updates/internal/new/",
        update.update_post_internal,
        name="update-post",
    ),
    path(
        "incidents/<reference:reference>/updates/public/new/",
        update.update_draft_public,
        name="update-draft",
    ),
    path(
        "incidents/<reference:reference>/updates/<int:pk>/edit/",
        update.update_edit,
        name="update-edit",
    ),
    path(
        "incidents/<reference:reference>/updates/<int:pk>/publish/",
        update.update_publish,
        name="update-publish",
    ),
    path(
        "incidents/<reference:reference>/updates/<int:pk>/withdraw/",
        update.update_withdraw,
        name="update-withdraw",
    ),
    # The reports page lives here: half its figures are this app's records (see reports.py).
    path("reports/", reports.report, name="report"),
    path("reports/export.csv", reports.report_export, name="report-export"),
]

from django.urls import path

from responses import reports, views

app_name = "responses"

urlpatterns = [
    path(
        "incidents/<reference:reference>/statements/new/",
        views.statement_create,
        name="statement-create",
    ),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("statements/<int:pk>/edit/", views.statement_edit, name="statement-edit"),
    path("statements/<int:pk>/history/", views.statement_history, name="statement-history"),
    path("statements/<int:pk>/submit/", views.statement_submit, name="statement-submit"),
    path("statements/<int:pk>/approve/", views.statement_approve, name="statement-approve"),
    path(
        "statements/<int:pk>/request-changes/",
        views.statement_request_changes,
        name="statement-request-changes",
    ),
    path("statements/<int:pk>/publish/", views.statement_publish, name="statement-publish"),
    path(
        "statements/<int:pk>/approve-and-publish/",
        views.statement_approve_publish,
        name="statement-approve-publish",
    ),
    path("statements/<int:pk>/withdraw/", views.statement_withdraw, name="statement-withdraw"),
    path(
        "statements/<int:pk>/publications/<int:publication_pk>/link/",
        views.publication_link,
        name="publication-link",
    ),
    path(
        "incidents/<reference:reference>/public-page/open/",
        views.public_page_open,
        name="public-page-open",
    ),
    path(
        "incidents/<reference:reference>/public-page/close/",
        views.public_page_close,
        name="public-page-close",
    ),
    path(
        "incidents/<reference:reference>/action-items/new/",
        views.action_item_create,
        name="action-item-create",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/edit/",
        views.action_item_edit,
        name="action-item-edit",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/history/",
        views.action_item_history,
        name="action-item-history",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/move/<slug:action>/",
        views.action_item_move,
        name="action-item-move",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/up/",
        views.action_item_up,
        name="action-item-up",
    ),
    path(
        "incidents/<reference:reference>/action-items/<int:pk>/down/",
        views.action_item_down,
        name="action-item-down",
    ),
    # The audience's page: the token is the only key, so the path says nothing else.
    path("p/<token:token>/", views.public_page, name="public-page"),
    path(
        "incidents/<reference:reference>/plan-templates/apply/",
        views.plan_apply,
        name="plan-apply",
    ),
    path(
        "incidents/<reference:reference>/updates/internal/new/",
        views.update_post_internal,
        name="update-post",
    ),
    path(
        "incidents/<reference:reference>/updates/public/new/",
        views.update_draft_public,
        name="update-draft",
    ),
    path(
        "incidents/<reference:reference>/updates/<int:pk>/edit/",
        views.update_edit,
        name="update-edit",
    ),
    path(
        "incidents/<reference:reference>/updates/<int:pk>/publish/",
        views.update_publish,
        name="update-publish",
    ),
    path(
        "incidents/<reference:reference>/updates/<int:pk>/withdraw/",
        views.update_withdraw,
        name="update-withdraw",
    ),
    # The reports page lives here: half its figures are this app's records (see reports.py).
    path("reports/", reports.report, name="report"),
    path("reports/export.csv", reports.report_export, name="report-export"),
]

"""The one page action of the connectors: retry a post that failed (or was left half done), of
a statement or of a public update."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from connectors.models import PostAttempt
from crisis.lifecycle import TransitionRefused


@login_required
@permission_required("responses.publish_statement", raise_exception=True)
@require_POST
def post_retry(request, pk, attempt_pk):
    """Queue the statement's post again (managers: retrying is part of publishing). The page
    returns at once; the job posts."""
    attempt = get_object_or_404(
        PostAttempt.objects.select_related("account", "statement"),
        pk=attempt_pk,
        statement_id=pk,
    )
    _retry(request, attempt)
    return redirect(attempt.statement.get_absolute_url() + "#posts")


@login_required
@permission_required("responses.publish_progressupdate", raise_exception=True)
@require_POST
def update_post_retry(request, pk, attempt_pk):
    """Queue the public update's post again, as :func:`post_retry` does for a statement; back
    to the update on its incident's page."""
    attempt = get_object_or_404(
        PostAttempt.objects.select_related("account", "update__incident"),
        pk=attempt_pk,
        update_id=pk,
    )
    _retry(request, attempt)
    return redirect(attempt.update.get_absolute_url())


def _retry(request, attempt):
    try:
        attempt.retry(by=request.user)
    except TransitionRefused as refused:
        messages.error(request, f"Not retried: {refused}")
    else:
        messages.success(
            request, f"Queued again for {attempt.account}: the page shows the outcome."
        )

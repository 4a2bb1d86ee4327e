"""The Sources page: everyone signed in reads the sources and their health; Comms and Managers
add, edit, pause, delete and poll them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from crisis.forms import AlreadySaved
from crisis.lifecycle import StaleEdit
from sources import tasks
from sources.forms import SourceForm
from sources.models import Source

ADD = "sources.add_source"
CHANGE = "sources.change_source"
DELETE = "sources.delete_source"


@login_required
@require_http_methods(["GET", "HEAD"])
def source_list(request):
    sources = Source.objects.select_related("incident").order_by("name", "pk")
    return render(
        request,
        "sources/source_list.html",
        {
            "sources": sources,
            "can_add": request.user.has_perm(ADD),
            "can_change": request.user.has_perm(CHANGE),
            "can_delete": request.user.has_perm(DELETE),
        },
    )


@login_required
@permission_required(ADD, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def source_add(request):
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            form.apply_secret()
            source = form.save_once(by=request.user, create=lambda: _create(form, request.user))
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect(saved.url)
        except forms.ValidationError as error:
            form.add_error(None, error)
        else:
            tasks.ensure_polling()
            messages.success(request, f"Added “{source.name}”: it is polled within a minute.")
            return redirect(source)
    return render(request, "sources/source_form.html", {"form": form, "source": None})


def _create(form, by):
    source = form.save(commit=False)
    source.created_by = by
    source._history_user = by
    source.save()
    return source


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def source_edit(request, pk):
    source = get_object_or_404(Source, pk=pk)
    form = SourceForm(request.POST or None, instance=source)
    current = None
    if request.method == "POST" and form.is_valid():
        try:
            form.apply_secret()
            source = form.instance.save_edit(
                by=request.user,
                expected_version=form.cleaned_data["version"],
                fields=form.edited_fields(),
            )
        except StaleEdit as stale:
            current = stale.current
            form.data = form.data.copy()
            form.data["version"] = current.version
            messages.error(
                request,
                "Someone else saved this source after you opened it. Their version is shown "
                "with the form; your changes are still in the form. Saving again replaces it.",
            )
        except forms.ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Saved “{source.name}”.")
            return redirect(source)
    return render(
        request, "sources/source_form.html", {"form": form, "source": source, "current": current}
    )


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def source_pause(request, pk):
    """Pause an active source, or resume a paused one."""
    source = get_object_or_404(Source, pk=pk)
    source = source.set_active(not source.is_active, by=request.user)
    if source.is_active:
        tasks.ensure_polling()
    messages.success(
        request, f"“{source.name}” is {'active again' if source.is_active else 'paused'}."
    )
    return redirect(source)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def source_poll(request, pk):
    source = get_object_or_404(Source, pk=pk)
    refusal = source.poll_refusal()
    if refusal:
        messages.error(request, refusal)
        return redirect(source)
    source.poll_soon()
    tasks.ensure_polling()
    messages.success(request, f"“{source.name}” is polled within a minute.")
    return redirect(source)


@login_required
@permission_required(DELETE, raise_exception=True)
@require_POST
def source_delete(request, pk):
    """Delete a source; the mentions it brought stay."""
    source = get_object_or_404(Source, pk=pk)
    source._history_user = request.user
    name = source.name
    source.delete()
    messages.success(request, f"Deleted “{name}”; the mentions it brought stay.")
    return redirect(reverse("sources:list"))

"""The CSV import of mentions: upload, map the columns, preview, import in the background."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from crisis.forms import AlreadySaved
from crisis.lifecycle import TransitionRefused
from crisis.roles import ACT_ON_MENTIONS
from monitoring import import_rows, imports
from monitoring.forms import ColumnMappingForm, ImportUploadForm
from monitoring.models import CsvColumnMapping, MentionImport
from monitoring.models.mention_import import MAPPABLE_FIELDS

RECENT_IMPORTS = 20
# How often an import's page reads its progress again while the worker runs.
PROGRESS_REFRESH_SECONDS = 2


@login_required
@permission_required(ACT_ON_MENTIONS, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def import_start(request):
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        disk_full=getattr(request, "upload_disk_full", False),
    )
    if request.method == "POST" and form.is_valid():
        try:
            mention_import = form.save_once(
                by=request.user,
                create=lambda: imports.save_upload(
                    form.cleaned_data["file"],
                    source_name=form.cleaned_data["source_name"],
                    by=request.user,
                ),
            )
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect(saved.url)
        except imports.UploadRefused as refused:
            form.add_error("file", str(refused))
        else:
            return redirect(mention_import)
    context = {"form": form, "imports": list(MentionImport.objects.recent()[:RECENT_IMPORTS])}
    return render(request, "monitoring/mentionimport_start.html", context)


@login_required
@permission_required(ACT_ON_MENTIONS, raise_exception=True)
@require_http_methods(["GET", "HEAD", "POST"])
def import_detail(request, pk):
    """While waiting for its columns: the mapping form and a preview of the first rows
    ("Preview" shows them again with the chosen columns; "Import" starts). Afterwards: its
    progress, counts and errors by line."""
    mention_import = get_object_or_404(MentionImport.objects.select_related("created_by"), pk=pk)
    if mention_import.status != MentionImport.Status.MAPPING:
        if request.method == "POST":
            messages.info(request, "This import has already started.")
            return redirect(mention_import)
        return render(request, "monitoring/mentionimport_detail.html", _progress(mention_import))
    if not mention_import.path.exists():
        messages.error(request, "The uploaded file is no longer on the server: upload it again.")
        return redirect("monitoring:import")
    remembered = CsvColumnMapping.objects.remembered(
        mention_import.source_name, mention_import.headers
    )
    if request.method == "POST":
        form = ColumnMappingForm(request.POST, headers=mention_import.headers)
        if form.is_valid() and "start" in request.POST:
            try:
                imports.start(
                    mention_import,
                    columns=form.columns,
                    platform=form.cleaned_data["platform"],
                    by=request.user,
                )
            except TransitionRefused as refused:
                messages.info(request, str(refused))
                return redirect(mention_import)
            except imports.UploadRefused as refused:
                # The mapping chosen stays in the form, to be sent again once there is room.
                form.add_error(None, str(refused))
            else:
                messages.success(
                    request,
                    f"Importing {mention_import.original_name} in the background: this page "
                    "shows how far it got.",
                )
                return redirect(mention_import)
    elif remembered is not None:
        form = ColumnMappingForm(
            headers=mention_import.headers,
            initial=ColumnMappingForm.initial_from(remembered.columns, remembered.platform),
        )
    else:
        form = ColumnMappingForm(
            headers=mention_import.headers,
            initial=ColumnMappingForm.initial_from(
                import_rows.guess_columns(mention_import.headers), ""
            ),
        )
    columns, platform = _chosen(form)
    shown_fields = [(n, label) for n, label in MAPPABLE_FIELDS.items() if n in columns]
    preview = imports.preview(mention_import, columns, platform)
    for entry in preview:
        entry["cells"] = [entry["row"].get(columns[name], "") for name, _label in shown_fields]
    context = {
        "mention_import": mention_import,
        "form": form,
        "remembered": remembered,
        "encoding_label": imports.ENCODING_LABELS.get(mention_import.encoding),
        "is_fallback_encoding": mention_import.encoding == "cp1252",
        "preview": preview,
        "preview_fields": shown_fields,
    }
    return render(request, "monitoring/mentionimport_mapping.html", context)


@login_required
@permission_required(ACT_ON_MENTIONS, raise_exception=True)
@require_POST
def import_retry(request, pk):
    """Queue a failed import again; the worker carries on after the lines already counted."""
    mention_import = get_object_or_404(MentionImport, pk=pk)
    try:
        imports.retry(mention_import)
    except TransitionRefused as refused:
        messages.info(request, str(refused))
    else:
        messages.success(request, "Importing the rest of the file in the background.")
    return redirect(mention_import)


def _chosen(form):
    """The columns and platform the form shows now (bound or initial), for the preview."""
    values = getattr(form, "cleaned_data", {}) if form.is_bound else form.initial
    columns = {
        name.removeprefix("column_"): value
        for name, value in values.items()
        if name.startswith("column_") and value
    }
    return columns, values.get("platform", "")


def _progress(mention_import):
    return {
        "mention_import": mention_import,
        "refresh_seconds": PROGRESS_REFRESH_SECONDS,
        "encoding_label": imports.ENCODING_LABELS.get(mention_import.encoding),
    }


@login_required
@permission_required(ACT_ON_MENTIONS, raise_exception=True)
@require_safe
@never_cache
def import_progress(request, pk):
    """The progress box alone, which the import's page reads again every few seconds."""
    mention_import = get_object_or_404(MentionImport, pk=pk)
    return render(request, "monitoring/_mentionimport_progress.html", _progress(mention_import))

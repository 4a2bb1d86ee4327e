"""The edit page of a versioned record, once: bind, save through the record's versioned verb,
show a newer version beside the form when someone saved meanwhile, say why a refused save was
refused. The pages of each app supply the form, the verb and where to go."""

from django.contrib import messages
from django.shortcuts import redirect, render

from crisis.lifecycle import StaleEdit, TransitionRefused


def versioned_edit(
    request, form, *, template, context, saved, refused_to, save=None, stale_noun=None
):
    """Answer an edit page of a :class:`crisis.lifecycle.VersionedModel` through ``form`` (a
    :class:`crisis.forms.VersionedForm`, bound on POST).

    On a valid POST, ``save(by=, expected_version=, fields=)`` (by default the instance's
    ``save_edit``) stores the change; then ``saved()`` answers (its messages and redirect). A
    stale form stays on the page with the newer version as ``current`` (and who saved it as
    ``current_by``, one query), the typed changes kept; a refused save shows the refusal and
    redirects to ``refused_to``. Otherwise the page is ``template`` rendered with ``context``
    and ``form``, ``current``, ``current_by``.
    """
    current = current_by = None
    if request.method == "POST" and form.is_valid():
        save = save or form.instance.save_edit
        try:
            save(
                by=request.user,
                expected_version=form.cleaned_data["version"],
                fields=form.edited_fields(),
            )
        except StaleEdit as stale:
            current = stale.current
            current_by = current.history.select_related("history_user").first().history_user
            messages.error(request, form.stale_message(current, noun=stale_noun))
        except TransitionRefused as refused:
            messages.error(request, str(refused))
            return redirect(refused_to)
        else:
            return saved()
    context = {**context, "form": form, "current": current, "current_by": current_by}
    return render(request, template, context)

"""The creating and edit pages of a record, each flow once.

Creating (:func:`create_once`): bind, create at most once however often the form is sent, go
to what was made. Editing a versioned record (:func:`versioned_edit`): bind, save through the
record's versioned verb, show a newer version beside the form when someone saved meanwhile, say
why a refused save was refused. The pages of each app supply the form, the verb and where to
go."""

from django.contrib import messages
from django.shortcuts import redirect, render

from crisis.forms import AlreadySaved
from crisis.lifecycle import StaleEdit, TransitionRefused


def create_once(request, form, *, create, done, template, context, refusal_fields=None):
    """Answer a creating page through ``form`` (a :class:`crisis.forms.OnceForm` that is also a
    :class:`crisis.forms.VersionedForm`, bound on POST).

    On a valid POST, ``create(**fields)`` (the form's edited fields, cleaned) makes the record,
    once for the form's one-time token (:meth:`crisis.forms.OnceForm.save_once`, which queries
    the database); then ``done`` is the success message and the page goes to the record. A form
    sent again goes to what its first sending made, saying so, and creates nothing. A refusal
    (:class:`crisis.lifecycle.TransitionRefused`) is shown on the form, by the field that
    ``refusal_fields`` names for its class, else above the form. Otherwise the page is
    ``template`` rendered with ``context`` and ``form``.
    """
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.edited_fields()}
        try:
            created = form.save_once(by=request.user, create=lambda: create(**fields))
        except AlreadySaved as saved:
            messages.info(request, str(saved))
            return redirect(saved.url)
        except TransitionRefused as refused:
            form.add_error((refusal_fields or {}).get(type(refused)), str(refused))
        else:
            messages.success(request, done)
            return redirect(created)
    return render(request, template, {**context, "form": form})


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

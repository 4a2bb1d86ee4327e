"""The variant pages: the core's list on the statement page, writing one, its page with its diff to
the core and its stale warning, approving and publishing from it, its print view and Markdown."""

import pytest
from django.core import mail
from django.urls import reverse

from audiences.models import Variant
from responses.models import Statement
from tests import factories
from tests.outbox import deliver

HOSTILE = '<img src=x onerror="alert(1)"> # Heading\n[link](javascript:alert(1)) **bold**'


@pytest.fixture
def core(comms):
    return factories.make_statement(
        factories.make_incident(comms), comms, status=Statement.Status.PUBLISHED
    )


def test_the_statement_page_lists_its_variants_and_offers_a_new_one(client_as, comms, core):
    variant = factories.make_variant(core, comms, language="de", body="Wir wissen es.")

    html = client_as(comms).get(core.get_absolute_url()).content.decode()

    assert variant.get_absolute_url() in html
    assert 'Customers · <span lang="de">Deutsch</span>' in html
    assert reverse("audiences:create", args=[core.pk]) in html


def test_a_draft_core_offers_no_variant(client_as, comms):
    draft = factories.make_statement(factories.make_incident(comms), comms)

    html = client_as(comms).get(draft.get_absolute_url()).content.decode()

    assert reverse("audiences:create", args=[draft.pk]) not in html
    assert "Variants are written from the approved core." in html
    response = client_as(comms).get(reverse("audiences:create", args=[draft.pk]))
    assert response.status_code == 302


def test_the_statement_page_does_not_grow_queries_with_variants(client_as, comms, core):
    client = client_as(comms)
    factories.make_variant(core, comms, language="fr")
    client.get(core.get_absolute_url())
    one = _count(client, core)
    for code in ("de", "es", "it", "nl"):
        factories.make_variant(core, comms, language=code)

    assert _count(client, core) == one


def _count(client, core):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(core.get_absolute_url()).status_code == 200
    return len(queries)


def test_writing_a_variant_starts_from_the_core_and_saves_it(client_as, comms, core):
    client = client_as(comms)
    form = client.get(reverse("audiences:create", args=[core.pk]))
    assert core.body in form.content.decode()
    token = factories.form_values(form, "once_token")["once_token"]
    customers = factories.audience("Customers")

    response = client.post(
        reverse("audiences:create", args=[core.pk]),
        {"audience": customers.pk, "language": "fr", "body": "Bonjour", "once_token": token},
    )

    assert response.status_code == 302, factories.page_text(response)
    variant = Variant.objects.get()
    assert response["Location"] == variant.get_absolute_url()
    assert (variant.author, variant.language, variant.body) == (comms, "fr", "Bonjour")
    # Sent twice (a double click): one variant, and the second lands on it.
    again = client.post(
        reverse("audiences:create", args=[core.pk]),
        {"audience": customers.pk, "language": "fr", "body": "Bonjour", "once_token": token},
    )
    assert again["Location"] == variant.get_absolute_url()
    assert Variant.objects.count() == 1


def test_a_second_variant_for_the_same_audience_and_language_is_refused_by_the_field(
    client_as, comms, core
):
    factories.make_variant(core, comms, language="fr")
    client = client_as(comms)
    token = factories.form_values(
        client.get(reverse("audiences:create", args=[core.pk])), "once_token"
    )["once_token"]

    response = client.post(
        reverse("audiences:create", args=[core.pk]),
        {
            "audience": factories.audience("Customers").pk,
            "language": "fr",
            "body": "Typed words stay",
            "once_token": token,
        },
    )

    assert response.status_code == 200
    assert "already has a variant for Customers" in response.content.decode()
    assert "Typed words stay" in response.content.decode()
    assert Variant.objects.count() == 1


def test_the_variant_page_shows_its_diff_to_the_core(client_as, viewer, comms, core):
    variant = factories.make_variant(
        core, comms, body=core.body.replace("are late", "are very late")
    )

    html = client_as(viewer).get(variant.get_absolute_url()).content.decode()

    assert "<ins>very </ins>" in html
    assert "<del>" in html


def test_approving_and_publishing_from_the_page_mails_the_employees(
    client_as, comms, manager, core
):
    factories.audience("Employees", recipients="staff@example.com")
    variant = factories.make_variant(core, comms, audience_name="Employees", language="en")
    client = client_as(manager)
    page = client.get(variant.get_absolute_url()).content.decode()
    assert reverse("audiences:approve", args=[variant.pk]) in page

    client.post(reverse("audiences:approve", args=[variant.pk]), {"version": variant.version})
    deliver()
    mail.outbox.clear()
    response = client.post(reverse("audiences:publish", args=[variant.pk]), follow=True)
    deliver()

    assert "mail to the audience" in " ".join(m for _level, m in factories.messages_shown(response))
    assert [m.to for m in mail.outbox] == [["staff@example.com"]]
    assert factories.reload(variant).is_published


def test_the_author_is_told_why_they_do_not_approve(client_as, manager, core):
    variant = factories.make_variant(core, manager, audience_name="Press")

    html = client_as(manager).get(variant.get_absolute_url()).content.decode()

    assert reverse("audiences:approve", args=[variant.pk]) not in html
    assert "You wrote this variant, so someone else must approve it." in html
    client_as(manager).post(reverse("audiences:approve", args=[variant.pk]))
    assert factories.reload(variant).status == Variant.Status.DRAFT


def test_a_stale_variant_says_so_and_its_publication_is_refused(client_as, comms, manager):
    core = factories.make_statement(
        factories.make_incident(comms), comms, status=Statement.Status.APPROVED
    )
    variant = factories.make_variant(core, comms, audience_name="Press")
    variant.approve(by=manager)
    core.body = "New core words."
    core.save_wording(by=comms, expected_version=core.version, fields=["body"])
    client = client_as(manager)

    html = client.get(variant.get_absolute_url()).content.decode()
    response = client.post(reverse("audiences:publish", args=[variant.pk]), follow=True)

    assert 'data-testid="stale-reason"' in html
    assert "Stale: the core changed" in client.get(core.get_absolute_url()).content.decode()
    assert any("Not published" in m for _level, m in factories.messages_shown(response))
    assert factories.reload(variant).status == Variant.Status.APPROVED


def test_editing_a_variant_saves_its_words(client_as, comms, core):
    variant = factories.make_variant(core, comms)
    client = client_as(comms)

    client.post(
        reverse("audiences:edit", args=[variant.pk]),
        {"body": "Nouveaux mots", "version": variant.version},
    )

    assert factories.reload(variant).body == "Nouveaux mots"


def test_hostile_text_is_text_on_every_page_and_in_the_markdown(client_as, comms, core):
    variant = factories.make_variant(core, comms, audience_name="Press", body=HOSTILE)
    client = client_as(comms)

    for name in ("audiences:detail", "audiences:print", "audiences:history"):
        html = client.get(reverse(name, args=[variant.pk])).content.decode()
        assert "<img src=x" not in html
    markdown = client.get(reverse("audiences:markdown", args=[variant.pk]))
    text = markdown.content.decode()

    assert markdown["Content-Type"] == "text/markdown; charset=utf-8"
    assert markdown["Content-Disposition"].startswith("attachment;")
    assert "<" not in text.replace("\\<", "") and "\\<img" in text
    assert "\\[link\\]" in text and "\\*\\*bold\\*\\*" in text


def test_a_press_release_prints(client_as, viewer, comms, core):
    variant = factories.make_variant(
        core, comms, audience_name="Press", body="For immediate release"
    )

    response = client_as(viewer).get(reverse("audiences:print", args=[variant.pk]))

    assert "For immediate release" in factories.page_text(response)
    assert "not published yet" in factories.page_text(response)

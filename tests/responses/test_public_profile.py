"""The public profile (admin site): the company's name, logo and accent colour on the public
pages; bad input is refused next to its field, and the pages serve only our own drawing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from responses.models import PublicProfile
from responses.models.public_profile import contrast_ratio
from responses.public import public_page_url
from tests import factories

ADD = reverse("admin:responses_publicprofile_add")


def upload(content, name="logo.png"):
    return SimpleUploadedFile(name, content)


def post(client, url, **fields):
    data = {"company_name": "Northwind", "accent_colour": "#0b5394", "logo_alt": "", **fields}
    return client.post(url, data)


def field_errors(response, field):
    return response.context["adminform"].form.errors.get(field, [])


def test_an_admin_adds_the_profile_with_a_logo_and_the_pages_show_it(client_as, admin, manager):
    client = client_as(admin)
    jpeg = io.BytesIO()
    Image.new("RGB", (1200, 300), (10, 80, 160)).save(jpeg, format="JPEG")

    response = post(client, ADD, logo_upload=upload(jpeg.getvalue(), "logo.jpg"))

    assert response.status_code == 302
    profile = PublicProfile.objects.get()
    assert profile.company_name == "Northwind"
    with Image.open(io.BytesIO(bytes(profile.logo))) as drawn:
        assert drawn.format == "PNG" and drawn.size == (600, 150)  # redrawn, scaled down
    assert profile.history.latest("history_date").history_user == admin
    incident = factories.make_incident(manager)
    incident.open_public_page(by=manager)
    page = client.get(public_page_url(incident)).content.decode()
    logo_url = reverse("responses:public-logo", args=[profile.logo_sha])
    assert "Northwind" in page and f'src="{logo_url}" alt="Northwind"' in page
    logo = client.get(logo_url)
    assert logo["Content-Type"] == "image/png" and logo.content == bytes(profile.logo)
    assert logo["X-Content-Type-Options"] == "nosniff"
    css = client.get(reverse("responses:public-brand-css", args=[profile.stamp])).content
    assert b"background-color: #0b5394; color: #ffffff;" in css


def test_the_profile_form_opens_and_saves_as_rendered(client_as, admin):
    profile = factories.make_public_profile()
    client = client_as(admin)
    url = reverse("admin:responses_publicprofile_change", args=[profile.pk])
    form = factories.form_values(client.get(url), "accent_colour")
    data = dict(form.lists())
    data.update(accent_colour="#FFD700", company_name="Northwind Traders")

    response = client.post(url, data)

    assert response.status_code == 302
    stored = factories.reload(profile)
    assert (stored.company_name, stored.accent_colour) == ("Northwind Traders", "#ffd700")
    assert stored.logo_sha == profile.logo_sha  # an empty upload keeps the logo
    assert stored.accent_text == "#000000"  # black reads better on gold


def test_a_second_profile_cannot_be_added(client_as, admin):
    factories.make_public_profile()

    assert client_as(admin).get(ADD).status_code == 403


@pytest.mark.parametrize("colour", ["blue", "#12345", "#1234567", "#GGGGGG", "0b5394", "#fff"])
def test_a_bad_colour_is_refused_next_to_the_field(colour, client_as, admin):
    response = post(client_as(admin), ADD, accent_colour=colour)

    assert response.status_code == 200
    expected = "Write the colour as # and six hex digits, for example #0b5394."
    if len(colour) > 7:
        expected = f"Ensure this value has at most 7 characters (it has {len(colour)})."
    assert field_errors(response, "accent_colour") == [expected]
    assert not PublicProfile.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (b"just some text", "logo.png", "This file is not a picture we can read."),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>', "l.svg", "not a"),
        (factories.make_png()[:40], "cut.png", "This file is not a picture we can read."),
    ],
)
def test_a_file_that_is_not_a_picture_is_refused_next_to_the_field(
    content, name, expected, client_as, admin
):
    response = post(client_as(admin), ADD, logo_upload=upload(content, name))

    assert response.status_code == 200
    assert expected in " ".join(field_errors(response, "logo_upload"))
    assert not PublicProfile.objects.exists()


def test_an_oversize_logo_is_refused_next_to_the_field(client_as, admin, settings):
    settings.PUBLIC_LOGO_MAX_BYTES = 1000
    big = factories.make_png(size=(400, 400), colour=(1, 2, 3)) + b"\0" * 2000

    response = post(client_as(admin), ADD, logo_upload=upload(big))

    assert response.status_code == 200
    assert "it may be at most 1000" in " ".join(field_errors(response, "logo_upload"))


def test_a_tiff_is_refused_by_its_format(client_as, admin):
    tiff = io.BytesIO()
    Image.new("RGB", (10, 10)).save(tiff, format="TIFF")

    response = post(client_as(admin), ADD, logo_upload=upload(tiff.getvalue(), "logo.tiff"))

    assert field_errors(response, "logo_upload") == [
        "Upload the logo as PNG, JPEG, GIF or WebP (this file is TIFF)."
    ]


@pytest.mark.parametrize(
    "colour", ["#000000", "#ffffff", "#777777", "#0d6efd", "#ffd700", "#ff0000"]
)
def test_the_text_on_any_accent_meets_wcag_aa(colour):
    profile = PublicProfile(accent_colour=colour)

    assert contrast_ratio(profile.accent, profile.accent_text) >= 4.5


def test_the_company_name_defaults_to_the_setting(settings, client, comms, manager):
    settings.COMPANY_NAME = "Setting Name Ltd"
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)

    page = client.get(public_page_url(incident)).content.decode()

    assert "Setting Name Ltd" in page


def test_a_branding_change_changes_the_public_pages_etag(client, comms, manager):
    incident = factories.make_incident(comms)
    incident.open_public_page(by=manager)
    first = client.get(public_page_url(incident))

    factories.make_public_profile(company_name="Renamed Ltd")
    again = client.get(public_page_url(incident), headers={"If-None-Match": first["ETag"]})

    assert again.status_code == 200
    assert "Renamed Ltd" in again.content.decode()


def test_an_unknown_logo_address_is_not_found(client, db):
    assert client.get(reverse("responses:public-logo", args=["0" * 64])).status_code == 404

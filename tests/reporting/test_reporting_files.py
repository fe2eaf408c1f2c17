"""Attachments: checked by content, size and number; metadata stripped from
images; stored under MEDIA_ROOT with random names; served only through the
access check. Every file is made for real in the test."""
import io
import os
import uuid

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audit.models import AuditEntry
from incidents.models import Attachment, Incident, InfluenceForm, Source

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def exif_with_gps():
    exif = Image.Exif()
    exif[0x010F] = "Telefontillverkare"        # Make
    exif[0x0131] = "Kamera-app 1.0"             # Software
    exif[0x0112] = 6                            # Orientation: rotated
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (59.0, 19.0, 48.0), 3: "E", 4: (18.0, 3.0, 45.0)})
    return exif


def jpeg_bytes(exif=True, size=(64, 32)):
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG", exif=exif_with_gps().tobytes() if exif else b"")
    return out.getvalue()


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (0, 90, 200)).save(out, format="PNG", exif=exif_with_gps().tobytes())
    return out.getvalue()


def heic_bytes():
    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (10, 150, 10)).save(out, format="HEIF", exif=exif_with_gps().tobytes())
    return out.getvalue()


def _make_pdf():
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(out, format="PDF")
    return out.getvalue()


PDF = _make_pdf()  # made once: Pillow writes the time into each PDF


def pdf_bytes():
    return PDF


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_report(client, city, files, **extra):
    now = timezone.localtime()
    data = {
        "description": "Ett hotbrev kom med posten.",
        "forms": [InfluenceForm.objects.get(code="hot").pk],
        "occurred_date": now.date().isoformat(),
        "unit": city.north_a.pk,
        "identity_mode": "named",
        "source": Source.objects.get(code="brukare").pk,
        "police_status": "undecided",
        "token": str(uuid.uuid4()),
        **extra,
    }
    # As the form's script does: show who will receive it, then send.
    data["recipients_seen"] = client.post(reverse("reporting:recipients"), data).json()["seen"]
    return client.post(reverse("reporting:report"), {**data, "attachments": files})


def the_incident():
    return Incident.unscoped.get(description="Ett hotbrev kom med posten.")


def test_a_photo_is_stored_without_exif_or_gps_and_turned_upright(login, city, media):
    post_report(login(city.employee), city, [upload("IMG_0001.JPG", jpeg_bytes(), "image/jpeg")])
    attachment = the_incident().attachments.get()
    with attachment.file.open("rb") as fh:
        data = fh.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif() and not image.getexif().get_ifd(GPS_IFD)
    assert b"Telefontillverkare" not in data and b"Kamera-app" not in data
    assert image.size == (32, 64)  # the orientation tag has been applied to the pixels
    assert attachment.content_type == "image/jpeg" and attachment.original_name == "IMG_0001.jpg"


def test_a_png_loses_its_metadata_too(login, city):
    post_report(login(city.employee), city, [upload("skärmdump.png", png_bytes(), "image/png")])
    attachment = the_incident().attachments.get()
    with attachment.file.open("rb") as fh:
        data = fh.read()
    assert Image.open(io.BytesIO(data)).format == "PNG"
    assert b"Telefontillverkare" not in data and not Image.open(io.BytesIO(data)).getexif()


def test_a_heic_photo_becomes_a_jpeg_without_metadata(login, city):
    post_report(login(city.employee), city, [upload("IMG_0002.HEIC", heic_bytes(), "image/heic")])
    attachment = the_incident().attachments.get()
    with attachment.file.open("rb") as fh:
        data = fh.read()
    assert Image.open(io.BytesIO(data)).format == "JPEG" and b"Telefontillverkare" not in data
    assert attachment.original_name == "IMG_0002.jpg" and attachment.content_type == "image/jpeg"


def test_a_pdf_is_kept_as_it_is(login, city):
    content = pdf_bytes()
    post_report(login(city.employee), city, [upload("brev.pdf", content, "application/pdf")])
    attachment = the_incident().attachments.get()
    with attachment.file.open("rb") as fh:
        assert fh.read() == content
    assert attachment.content_type == "application/pdf"


def test_files_get_random_names_under_media_root(login, city, media):
    post_report(login(city.employee), city, [upload("Anna Andersson hotbrev.pdf", pdf_bytes())])
    attachment = the_incident().attachments.get()
    path = attachment.file.path
    assert path.startswith(str(media)) and "Anna" not in path and "hotbrev" not in path
    assert len(os.path.basename(path)) == 32


def test_five_files_are_accepted_and_a_sixth_is_not(login, city):
    client = login(city.employee)
    six = [upload(f"brev{i}.pdf", pdf_bytes()) for i in range(6)]
    response = post_report(client, city, six)
    text = response.content.decode()
    assert "Du kan bifoga högst 5 filer, du valde 6" in text
    assert not Incident.unscoped.exists() or not Incident.unscoped.filter(description="Ett hotbrev kom med posten.").exists()
    assert "Ett hotbrev kom med posten." in text  # the rest is kept
    post_report(client, city, [upload(f"brev{i}.pdf", pdf_bytes()) for i in range(5)])
    assert the_incident().attachments.count() == 5


def test_a_file_over_ten_megabytes_is_rejected(login, city):
    big = pdf_bytes() + b"0" * (10 * 1024 * 1024 + 1 - len(pdf_bytes()))
    assert len(big) == 10 * 1024 * 1024 + 1
    response = post_report(login(city.employee), city, [upload("stor.pdf", big)])
    assert "Filen ”stor.pdf” är större än 10 MB" in response.content.decode()
    assert not Incident.unscoped.filter(description="Ett hotbrev kom med posten.").exists()


def test_exactly_ten_megabytes_is_accepted(login, city):
    content = pdf_bytes() + b"0" * (10 * 1024 * 1024 - len(pdf_bytes()))
    post_report(login(city.employee), city, [upload("precis.pdf", content)])
    assert the_incident().attachments.get().size == 10 * 1024 * 1024


def test_a_jpg_that_is_really_a_pdf_is_rejected_and_the_rest_is_kept(login, city, media):
    response = post_report(login(city.employee), city, [upload("foto.jpg", pdf_bytes(), "image/jpeg")],
                           location="Trapphuset")
    text = response.content.decode()
    assert "Filen ”foto.jpg” heter som en annan filtyp än den är (innehållet är PDF)" in text
    assert 'href="#id_attachments"' in text and 'value="Trapphuset"' in text
    assert not Incident.unscoped.filter(description="Ett hotbrev kom med posten.").exists()
    assert not media.exists() or not any(media.rglob("*"))


@pytest.mark.parametrize("name, content", [
    ("program.exe", b"MZ\x90\x00" + b"\x00" * 200),
    ("anteckning.txt", "bara text".encode()),
    ("bild.gif", b"GIF89a" + b"\x00" * 50),
    ("dokument.docx", b"PK\x03\x04" + b"\x00" * 100),
    ("tom.pdf", b""),
])
def test_other_file_types_are_rejected_with_a_clear_message(login, city, name, content):
    response = post_report(login(city.employee), city, [upload(name, content)])
    text = response.content.decode()
    assert f"Filen ”{name}”" in text
    assert not Incident.unscoped.filter(description="Ett hotbrev kom med posten.").exists()


def test_a_broken_image_is_rejected_without_an_error_page(login, city):
    broken = jpeg_bytes()[:40]  # a JPEG header and nothing else
    response = post_report(login(city.employee), city, [upload("trasig.jpg", broken)])
    assert response.status_code == 200
    assert "Bilden ”trasig.jpg” gick inte att läsa" in response.content.decode()
    assert not Incident.unscoped.filter(description="Ett hotbrev kom med posten.").exists()
    assert not Attachment.unscoped.exists()


def test_when_another_answer_is_wrong_the_reporter_is_told_to_choose_the_file_again(login, city):
    response = post_report(login(city.employee), city, [upload("brev.pdf", pdf_bytes())], description="")
    text = response.content.decode()
    assert "Välj filen igen" in text and 'href="#id_attachments"' in text


# --- downloads ---------------------------------------------------------------------

def stored(login, city, identity="named"):
    post_report(login(city.employee), city, [upload("brev.pdf", pdf_bytes())], identity_mode=identity)
    incident = the_incident()
    return incident, reverse("reporting:attachment", args=[incident.pk, incident.attachments.get().pk])


def test_the_reporter_and_the_handler_download_it_with_safe_headers(login, city):
    incident, url = stored(login, city)
    for person in (city.employee, city.manager, city.security):
        response = login(person).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;") and "brev.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff" and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == pdf_bytes()
    assert AuditEntry.objects.filter(action="attachment.download", incident=incident).count() == 3


def test_people_outside_the_case_get_404(login, city, client):
    incident, url = stored(login, city)
    for person in (city.colleague, city.manager_b, city.manager_south, city.admin, city.auditor):
        assert login(person).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_an_attachment_cannot_be_reached_through_another_case(login, city):
    incident, url = stored(login, city)
    attachment = incident.attachments.get()
    other = reverse("reporting:attachment", args=[city.named.pk, attachment.pk])
    assert login(city.employee).get(other).status_code == 404


def test_the_case_page_lists_the_attachments(login, city):
    incident, url = stored(login, city)
    text = login(city.manager).get(reverse("casework:detail", args=[incident.pk])).content.decode()
    assert url in text and "brev.pdf" in text

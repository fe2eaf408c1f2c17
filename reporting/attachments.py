"""Evidence attached to a report: checked by content, cleaned of metadata
(EXIF, GPS position) and stored under a random name."""
import io
import os

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from incidents.models import Attachment, Incident

MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024


ALLOWED_TYPES = {
    # content type found by filetype → (accepted file name endings, label)
    "image/jpeg": ((".jpg", ".jpeg", ".jpe"), "JPEG"),
    "image/png": ((".png",), "PNG"),
    "image/heic": ((".heic", ".heif"), "HEIC"),
    "image/heif": ((".heic", ".heif"), "HEIC"),
    "application/pdf": ((".pdf",), "PDF"),
}


class AttachmentError(ValueError):
    pass


def check_upload(upload) -> str:
    """The upload's content type, checked by its content; AttachmentError with
    a message for the reporter when it is not a file we take."""
    import filetype

    name = os.path.basename(upload.name or "")
    if upload.size > MAX_FILE_BYTES:
        raise AttachmentError(_("Filen ”%(name)s” är större än 10 MB. Ta en skärmdump eller minska bilden och välj den igen.") % {"name": name})
    if upload.size == 0:
        raise AttachmentError(_("Filen ”%(name)s” är tom.") % {"name": name})
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    ending = os.path.splitext(name)[1].lower()
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise AttachmentError(_("Filen ”%(name)s” är inte en bild (JPEG, PNG, HEIC) eller en PDF. Andra filtyper kan inte bifogas.") % {"name": name})
    endings, label = ALLOWED_TYPES[kind.mime]
    if ending not in endings:
        raise AttachmentError(_("Filen ”%(name)s” heter som en annan filtyp än den är (innehållet är %(label)s). Välj rätt fil eller byt filändelse till %(ending)s.") % {"name": name, "label": label, "ending": endings[0]})
    return kind.mime


def clean_image(data: bytes, mime: str) -> tuple[bytes, str, str]:
    """The image with all metadata (EXIF, GPS position, XMP) removed. The
    pixels are turned upright first, since the orientation lived in the EXIF.
    HEIC photos become JPEG so that every handler's browser can show them.
    Returns (bytes, content type, file name ending)."""
    import pillow_heif
    from PIL import Image, ImageOps

    pillow_heif.register_heif_opener()
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        upright = ImageOps.exif_transpose(img)
        out = io.BytesIO()
        if mime == "image/png":
            clean = upright.copy()
            clean.info = {}
            clean.save(out, format="PNG", optimize=False)
            return out.getvalue(), "image/png", ".png"
        clean = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright.copy()
        clean.info = {}
        clean.save(out, format="JPEG", quality=90, exif=b"")
        return out.getvalue(), "image/jpeg", ".jpg"


def store_attachment(incident: Incident, upload) -> Attachment:
    mime = check_upload(upload)
    upload.seek(0)
    data = upload.read()
    name = os.path.basename(upload.name or "bilaga")[:150] or "bilaga"
    if mime.startswith("image/"):
        try:
            data, mime, ending = clean_image(data, mime)
        except Exception as exc:  # Pillow raises many kinds for broken or hostile images
            raise AttachmentError(_("Bilden ”%(name)s” gick inte att läsa. Välj en annan bild.") % {"name": name}) from exc
        name = os.path.splitext(name)[0] + ending
    attachment = Attachment(incident=incident, original_name=name, content_type=mime, size=len(data))
    attachment.file.save("upload", ContentFile(data), save=False)
    attachment.save()
    return attachment

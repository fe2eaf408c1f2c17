"""The PDF report (committee or joint police picture), rendered from HTML by
WeasyPrint. Charts are inline SVG from situation.svg. WeasyPrint may load
only our own stylesheet from disk: every other URL is refused, so nothing in
the author's text can make the server fetch anything.

The PDF is tagged PDF/UA-1 (WeasyPrint's pdf_variant): a structure tree
with headings, tables with their header cells and figures with their text,
the document's language and title (shown by the viewer instead of the file
name). A unit's report names its district. A picture with too few reports
to show any chart without giving individuals away is one short page that
says so, with the number of reports as far as it may be shown."""
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from organisation.models import OrgUnit
from surveys import underreporting

STYLESHEET = "situation/css/report.css"


def render_pdf(request, picture, data: dict, *, template: str = "situation/report.html",
               extra: dict | None = None) -> bytes:
    """The PDF of `picture`; another app's report (police cooperation's
    meeting pack) passes its own template and what it adds to the context."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=set())

    node = picture.lens.node
    police = data.get("mottagare") == "polis"
    # The newest survey's underreporting estimate, in the committee's report
    # only (not the police's, nor another app's report on this template's base).
    under = None if police or template != "situation/report.html" else underreporting.latest_for(request.user, node)
    html = render_to_string(template, {
        "underreporting": under,
        "picture": picture, "lens": picture.lens, "node": node, "district": district_of(node),
        "language": translation.get_language() or "sv",
        "title": data.get("rubrik") or "", "analysis": data.get("analys") or "",
        "police": data.get("mottagare") == "polis", "created": timezone.localtime(),
        "author": request.user, **(extra or {}),
    }, request=request)
    css = CSS(string=Path(finders.find(STYLESHEET)).read_text(encoding="utf-8"), url_fetcher=refuse_all)
    return HTML(string=html, url_fetcher=refuse_all).write_pdf(stylesheets=[css], pdf_variant=PDF_VARIANT)


PDF_VARIANT = "pdf/ua-1"


def district_of(node) -> OrgUnit | None:
    """The administration (district) a node below one belongs to; None for
    the city and for an administration itself."""
    if node.kind in (OrgUnit.Kind.CITY, OrgUnit.Kind.ADMINISTRATION):
        return None
    ids = [int(part) for part in node.path.strip("/").split("/") if part]
    return OrgUnit.objects.filter(pk__in=ids, kind=OrgUnit.Kind.ADMINISTRATION).first()


def response(request, picture, data: dict, filename: str) -> HttpResponse:
    result = HttpResponse(render_pdf(request, picture, data), content_type="application/pdf")
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result

"""The PDF report (committee or joint police picture), rendered from HTML by
WeasyPrint. Charts are inline SVG from situation.svg. WeasyPrint may load
only our own stylesheet from disk: every other URL is refused, so nothing in
the author's text can make the server fetch anything."""
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

STYLESHEET = "situation/css/report.css"


def render_pdf(request, picture, data: dict) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=set())

    html = render_to_string("situation/report.html", {
        "picture": picture, "lens": picture.lens, "node": picture.lens.node,
        "title": data.get("rubrik") or "", "analysis": data.get("analys") or "",
        "police": data.get("mottagare") == "polis", "created": timezone.localtime(),
        "author": request.user,
    }, request=request)
    css = CSS(string=Path(finders.find(STYLESHEET)).read_text(encoding="utf-8"), url_fetcher=refuse_all)
    return HTML(string=html, url_fetcher=refuse_all).write_pdf(stylesheets=[css])


def response(request, picture, data: dict, filename: str) -> HttpResponse:
    result = HttpResponse(render_pdf(request, picture, data), content_type="application/pdf")
    result["Content-Disposition"] = f'attachment; filename="{filename}"'
    return result

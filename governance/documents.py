"""The committee documents of governance as files: the risk register as PDF
(WeasyPrint, as situation.pdf: only our own stylesheet may be loaded, tagged
PDF/UA-1) and as XLSX (xlsxwriter, as the situation picture's exports). The
figures in them are the frozen, suppressed evidence on each risk."""
import tempfile
from pathlib import Path

from django.contrib.staticfiles import finders
from django.http import FileResponse, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from governance import risks

STYLESHEET = "governance/document.css"
PDF_VARIANT = "pdf/ua-1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def render_pdf(request, template: str, context: dict) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    refuse_all = URLFetcher(allowed_protocols=set())
    html = render_to_string(template, {**context, "language": translation.get_language() or "sv",
                                       "created": timezone.localtime(), "author": request.user}, request=request)
    css = CSS(string=Path(finders.find(STYLESHEET)).read_text(encoding="utf-8"), url_fetcher=refuse_all)
    return HTML(string=html, url_fetcher=refuse_all).write_pdf(stylesheets=[css], pdf_variant=PDF_VARIANT)


def register_pdf_response(request, register) -> HttpResponse:
    rows = risks.register_rows(register)
    pdf = render_pdf(request, "governance/register_pdf.html", {
        "register": register, "node": register.node, "risks": rows, "matrix": risks.matrix(rows),
        "levels": risks.LEVEL_LABELS, "today": timezone.localdate()})
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="riskregister-{register.node.code}-{register.year}.pdf"'
    return response


def register_xlsx_response(register) -> FileResponse:
    import xlsxwriter

    rows = risks.register_rows(register)
    handle = tempfile.TemporaryFile()
    book = xlsxwriter.Workbook(handle, {"strings_to_numbers": False, "strings_to_formulas": False,
                                        "strings_to_urls": False})
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd", "valign": "top"})
    sheet = book.add_worksheet(_("Riskregister")[:31])
    sheet.write_string(0, 0, _("Riskregister %(year)s – %(node)s") % {"year": register.year, "node": register.node.name},
                       title)
    sheet.write_string(1, 0, _("Risk- och väsentlighetsanalys: otillåten påverkan. Antal från 1 till 4 visas som <5."))
    header = [_("Nr"), _("Risk"), _("Beskrivning"), _("Sannolikhet"), _("Konsekvens"), _("Riskvärde"),
              _("Nivå"), _("Motivering"), _("Underlag från lägesbilden"), _("Befintliga kontroller"), _("Beslut"),
              _("Kommentar till beslutet"), _("Internkontroll: vad"), _("hur"), _("av vem"), _("när"),
              _("Åtgärder")]
    sheet.write_row(3, 0, header, bold)
    for i, risk in enumerate(rows, start=1):
        r = 3 + i
        evidence = "\n".join(f"{e['label']}: {e['text']}" for e in risk.evidence)
        if risk.evidence_period:
            evidence = f"{risk.evidence_period}\n{evidence}"
        actions = "\n".join(f"{a.title} – {a.owner} – {a.due_date.isoformat()} – {a.get_status_display()}"
                            for a in risk.actions.all())
        sheet.write_number(r, 0, i)
        for col, value in ((1, risk.title), (2, risk.description)):
            sheet.write_string(r, col, value, wrap)
        for col, value in ((3, risk.likelihood), (4, risk.consequence), (5, risk.score)):
            if value is None:
                sheet.write_blank(r, col, None)
            else:
                sheet.write_number(r, col, value)
        texts = [str(risks.LEVEL_LABELS.get(risk.level, "")), risk.reason, evidence, risk.controls,
                 risk.get_decision_display() if risk.decision else "", risk.decision_note, risk.control_what,
                 risk.control_how, risk.control_who, risk.control_when, actions]
        for col, value in enumerate(texts, start=6):
            sheet.write_string(r, col, value, wrap)
    actions_sheet = book.add_worksheet(_("Åtgärder")[:31])
    actions_sheet.write_row(0, 0, [_("Risk"), _("Åtgärd"), _("Ansvarig"), _("Klar senast"), _("Läge")], bold)
    r = 0
    for risk in rows:
        for action in risk.actions.all():
            r += 1
            actions_sheet.write_string(r, 0, risk.title)
            actions_sheet.write_string(r, 1, action.title)
            actions_sheet.write_string(r, 2, str(action.owner))
            actions_sheet.write_datetime(r, 3, timezone.datetime.combine(action.due_date, timezone.datetime.min.time()),
                                         date_fmt)
            actions_sheet.write_string(r, 4, str(action.get_status_display()))
    sheet.freeze_panes(4, 2)
    sheet.set_column(0, 0, 4)
    sheet.set_column(1, 2, 36)
    sheet.set_column(3, 6, 11)
    sheet.set_column(7, 16, 36)
    actions_sheet.set_column(0, 2, 32)
    actions_sheet.set_column(3, 4, 14)
    book.close()
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"riskregister-{register.node.code}-{register.year}.xlsx",
                        content_type=XLSX_TYPE)


def tertial_pdf_response(request, report, figures, tables, changed) -> HttpResponse:
    pdf = render_pdf(request, "governance/tertial_pdf.html", {
        "report": report, "node": report.node, "figures": figures, "tables": tables, "changed": changed})
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"tertialrapport-{report.node.code}-{report.year}-T{report.tertial}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""The auditor's view of the audit log: each entry in words, filters by
case, person, kind and date, and an export of what the filter selects."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from audit import exports
from audit.describe import describe
from audit.forms import AuditFilterForm
from audit.log import record
from incidents import access
from organisation.models import Role

PAGE_SIZE = 50


def _filtered(request):
    """(form, entries) for an auditor; 404 for everyone else. `entries` is
    None when the filter has errors."""
    if not request.user.has_role(Role.AUDITOR):
        raise Http404
    entries = access.auditable_entries(request.user)
    actions = entries.order_by().values_list("action", flat=True).distinct()
    form = AuditFilterForm(request.GET, actions=actions)
    if not form.is_valid():
        return form, None
    return form, form.apply(entries, request.user)


def _page(request, form, entries, status=200):
    # A filter with errors is the page again with the errors beside the
    # fields (200, as the case list does), and no entries.
    page = lines = None
    if entries is not None:
        page = Paginator(entries.select_related("incident").order_by("-id"), PAGE_SIZE).get_page(
            request.GET.get("sida"))
        lines = describe(page.object_list, request.user)
    return render(request, "audit/list.html", {
        "form": form, "page": page, "lines": lines,
        "extra_query": form.query() if entries is not None else "",
    }, status=status)


@login_required
def entry_list(request):
    form, entries = _filtered(request)
    return _page(request, form, entries)


@login_required
def export(request, fmt):
    form, entries = _filtered(request)
    if entries is None:
        return _page(request, form, None)
    entry = record(request.user, "audit.export", changes={"format": [None, fmt], "filter": [None, form.values()]})
    # What the log held when the export was asked for, without the export's own entry.
    entries = entries.filter(id__lt=entry.id)
    if fmt == "xlsx":
        return exports.xlsx_response(entries, request.user)
    return exports.csv_response(entries, request.user)

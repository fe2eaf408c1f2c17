"""The auditor's view of the audit log."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from audit.models import AuditEntry
from incidents import access
from organisation.models import Role


@login_required
def entry_list(request):
    entries = access.auditable_entries(request.user)
    if not request.user.has_role(Role.AUDITOR):
        raise Http404
    action = request.GET.get("handelse", "").strip()
    case = request.GET.get("arende", "").strip().upper().removeprefix("V-")
    if action:
        entries = entries.filter(action=action)
    if case:
        entries = entries.filter(incident_id=int(case)) if case.isdigit() and len(case) < 12 else entries.none()
    entries = entries.select_related("incident").order_by("-id")
    page = Paginator(entries, 50).get_page(request.GET.get("sida"))
    rows = [(e, access.masked_actor(e, request.user)) for e in page.object_list]
    actions = AuditEntry.objects.order_by().values_list("action", flat=True).distinct()
    return render(request, "audit/list.html", {
        "page": page, "rows": rows, "actions": sorted(set(actions)),
        "action": action, "case": request.GET.get("arende", ""),
    })

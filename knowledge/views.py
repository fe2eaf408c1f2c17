"""The knowledge bank's pages: the index by topic, search, an article, editing
with preview, the version history, and the form suggestion endpoint used by
the report form while a description is typed.

Everyone logged in reads. HR, security coordinators and administrators edit
(knowledge.services.can_edit); others get 403 on edit and history pages,
since they may see the article but not change it.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from incidents.classify import suggest
from incidents.models import InfluenceForm
from knowledge import contacts, rendering, search, services
from knowledge.forms import ArticleForm, SearchForm
from knowledge.models import Article, Topic

FORMS_SLUG = "former"
SUGGEST_RATE = "60/m"
CONTACTS_SLUG = "kontakter"


def _require_editor(user):
    if not services.can_edit(user):
        raise PermissionDenied


@login_required
def index(request):
    articles = list(Article.objects.only("slug", "topic", "title", "title_en", "body_en",
                                         "sort_order", "next_review", "owner_id"))
    by_topic = {value: [] for value, _label in Topic.choices}
    for article in articles:
        by_topic.setdefault(article.topic, []).append(article)
    topics = [(value, label, by_topic[value]) for value, label in Topic.choices if by_topic.get(value)]
    ctx = {"topics": topics, "search_form": SearchForm(), "can_edit": services.can_edit(request.user)}
    if ctx["can_edit"]:
        ctx["due"] = [a for a in articles if a.review_overdue()]
        ctx["unowned"] = [a for a in articles if a.owner_id is None]
    return render(request, "knowledge/index.html", ctx)


@login_required
def search_view(request):
    form = SearchForm(request.GET or None)
    results, query = [], ""
    if form.is_valid():
        query = form.cleaned_data["q"].strip()
        if query:
            results = search.search(query)
    return render(request, "knowledge/search.html", {
        "search_form": form, "query": query, "results": results,
    })


def _article_context(request, article):
    return {
        "article": article,
        "body_html": rendering.render(article.display_body),
        "can_edit": services.can_edit(request.user),
        "related": Article.objects.filter(topic=article.topic).exclude(pk=article.pk)
                   .only("slug", "title", "title_en", "body_en"),
        "topic_label": Topic(article.topic).label if article.topic in Topic.values else article.topic,
        "contacts": contacts.district_contacts(request.user) if article.slug == CONTACTS_SLUG else None,
    }


def article_detail(request, slug):
    """An article. The five forms of influence are public, like the page that
    links to them, for the reporter without a login; the rest needs one."""
    article = Article.objects.select_related("owner").filter(slug=slug).first()
    if not request.user.is_authenticated and (article is None or article.topic != Topic.FORMS):
        return redirect_to_login(request.get_full_path())
    if article is None:
        raise Http404
    # Its related articles share its topic, so a public article lists only public ones.
    return render(request, "knowledge/article.html", _article_context(request, article))


def forms_of_influence(request):
    """The article about the five forms, with the question guide. Falls back to
    the taxonomy's own definitions if the article has been removed. Public:
    the anonymous report form links here, for a reporter without a login."""
    article = Article.objects.select_related("owner").filter(slug=FORMS_SLUG).first()
    if article is None:
        return render(request, "knowledge/forms.html",
                      {"forms": InfluenceForm.objects.filter(active=True)})
    ctx = _article_context(request, article)
    ctx["show_guide"] = True
    return render(request, "knowledge/article.html", ctx)


def _edit(request, article, template_title):
    is_new = article.pk is None
    form = ArticleForm(request.POST or None, instance=article)
    preview_html = None
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            preview_html = rendering.render(form.cleaned_data["body"])
        else:
            article = form.save(commit=False)
            services.save_article(article, request.user, note=form.cleaned_data.get("note", ""))
            messages.success(request, _("Artikeln är sparad.") if not is_new else _("Artikeln är skapad."))
            return redirect(article.get_absolute_url())
    return render(request, "knowledge/edit.html", {
        "form": form, "article": article if not is_new else None, "preview_html": preview_html,
        "page_title": template_title,
    })


@login_required
@require_http_methods(["GET", "POST"])
def article_edit(request, slug):
    _require_editor(request.user)
    article = get_object_or_404(Article, slug=slug)
    return _edit(request, article, _("Redigera ”%(title)s”") % {"title": article.title})


@login_required
@require_http_methods(["GET", "POST"])
def article_create(request):
    _require_editor(request.user)
    article = Article(topic=request.GET.get("amne", "") if request.GET.get("amne") in Topic.values else "")
    return _edit(request, article, _("Ny artikel"))


@login_required
@require_http_methods(["POST"])
def preview(request):
    """The editor's live preview: the same rendering and sanitising as the
    article page, returned as an HTML fragment."""
    _require_editor(request.user)
    html = rendering.render((request.POST.get("body") or "")[:60_000])
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@login_required
def article_history(request, slug):
    _require_editor(request.user)
    article = get_object_or_404(Article, slug=slug)
    versions = list(article.versions.select_related("author"))
    rows = [(v, services.diff_rows(v.diff)) for v in versions]
    return render(request, "knowledge/history.html", {"article": article, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="user", rate=SUGGEST_RATE, method=["GET", "POST"], block=False)
def suggest_forms(request):
    """Suggested forms for a description as it is typed. JSON; nothing is
    stored or logged (descriptions can hold client data). The report form's
    script posts the text so it stays out of URLs and access logs; GET with
    ?text= works too. Lightly rate-limited per user (a debounced script
    sends about one request per pause in typing)."""
    if getattr(request, "limited", False):
        return JsonResponse({"suggestions": [], "error": _("För många förfrågningar. Vänta en stund.")},
                            status=429)
    text = (request.POST.get("text") if request.method == "POST" else request.GET.get("text")) or ""
    forms = {f.code: f for f in InfluenceForm.objects.filter(active=True)}
    names = {code: f.name for code, f in forms.items()}
    items = [
        # pk too: the report form's checkboxes carry the form's id, not its code.
        {"code": s.code, "pk": forms[s.code].pk, "label": names[s.code], "reason": s.reason,
         "phrase": s.matched_phrase,
         "button": _("Välj %(form)s") % {"form": names[s.code].lower()}}
        for s in suggest(text[:5000]) if s.code in names
    ]
    response = JsonResponse({"suggestions": items})
    response["Cache-Control"] = "no-store"
    return response

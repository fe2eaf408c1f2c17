"""Template tags for linking to the knowledge bank from anywhere.

{% load knowledge %}
{% help_link "hot" "Läs mer" %}              link to an article (nothing if it does not exist)
{% help_link "hot" "Läs mer" new_tab=True %} same, opening in a new tab (for forms being filled in)
{% field_help "when" %}                      the article for a report-form field (see knowledge.links)
{% checklist_help "risk_assessment" %}       the article for a case checklist item
{% form_guide_questions as questions %}      the question guide, for knowledge/_form_guide.html
"""
from django import template
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.translation import gettext as _

from incidents.models import InfluenceForm
from knowledge import guide, links
from knowledge.models import Article
from knowledge.rendering import render
from organisation import catalogue

register = template.Library()


def _read_titles() -> dict:
    # Whether an English text exists is asked of the database: the
    # bodies themselves need not travel for a list of links.
    has_en = ExpressionWrapper(Q(body_en__regex=r"\S"), output_field=BooleanField())
    return {slug: (title, title_en, bool(english))
            for slug, title, title_en, english in
            Article.objects.annotate(has_en=has_en).values_list("slug", "title", "title_en", "has_en")}


def _titles(context) -> dict:
    """Slug → title of every article: once per request, and kept in the
    process under organisation.catalogue's stamp (saving an article sets a
    new one)."""
    holder = context.get("request") or context
    titles = getattr(holder, "_knowledge_titles", None)
    if titles is None:
        titles = catalogue.kept("knowledge-titles", _read_titles)
        try:
            holder._knowledge_titles = titles
        except AttributeError:
            pass
    return titles


@register.simple_tag(takes_context=True)
def help_link(context, slug, text=None, new_tab=False):
    slug, _sep, anchor = str(slug).partition("#")
    titles = _titles(context)
    if slug not in titles:
        return ""
    title, title_en, has_en = titles[slug]
    if translation.get_language() == "en":
        if has_en and title_en:
            title = title_en
        else:
            # The article is Swedish only: its title is read out in Swedish
            # (lang="sv") and the link says so in English.
            title = format_html('<span lang="sv">{}</span> ({})', title, _("på svenska"))
    url = reverse("knowledge:article", args=[slug]) + (f"#{anchor}" if anchor else "")
    text = text or _("Läs mer")
    if new_tab:
        return format_html(
            '<a class="help-link" href="{}" target="_blank" rel="noopener">{}'
            '<span class="visually-hidden">: {} ({})</span></a>',
            url, text, title, _("öppnas i en ny flik"))
    return format_html('<a class="help-link" href="{}">{}<span class="visually-hidden">: {}</span></a>',
                       url, text, title)


@register.simple_tag(takes_context=True)
def field_help(context, key, text=None, new_tab=True):
    user = getattr(context.get("request"), "user", None)
    if user is not None and not user.is_authenticated:
        return ""  # the articles need a login; the anonymous form links only to the public forms page
    slug = links.FIELD_HELP.get(key)
    return help_link(context, slug, text, new_tab=new_tab) if slug else ""


@register.simple_tag(takes_context=True)
def checklist_help(context, key, text=None, new_tab=False):
    slug = links.CHECKLIST_HELP.get(key)
    return help_link(context, slug, text, new_tab=new_tab) if slug else ""


@register.simple_tag
def form_guide_questions():
    forms = {f.code: f for f in InfluenceForm.objects.filter(active=True)}
    return [
        {"key": q.key, "text": q.text, "hint": q.hint, "form": q.form, "form_pk": forms[q.form].pk,
         "form_label": forms[q.form].name, "reason": q.reason}
        for q in guide.questions() if q.form in forms
    ]


@register.simple_tag
def guide_none_fits():
    return guide.NONE_FITS


@register.filter
def article_title(article):
    """The article's title in the user's language; in English, a Swedish-only
    article's title is marked lang="sv" and followed by "(in Swedish)"."""
    if translation.get_language() == "en" and article.display_lang == "sv":
        return format_html('<span lang="sv">{}</span> <span class="kb-lang">({})</span>',
                           article.display_title, _("på svenska"))
    return article.display_title


@register.filter(name="markdown")
def markdown_filter(text):
    return render(text)


@register.filter
def described_widget(bound_field):
    """The field's widget with aria-describedby pointing at its help text and
    its error message (ids <auto_id>_helptext and <auto_id>_error)."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_error")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    return bound_field.as_widget(attrs=attrs)

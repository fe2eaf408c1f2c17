"""Markdown → safe HTML for articles, and plain text for search excerpts.

Editors write Markdown; what they write is rendered with the `markdown`
library and then sanitised with `nh3` (an allow-list HTML sanitiser), so
neither a mistake nor a compromised editor account can put script, style or
event handlers on a page that every employee reads.
"""
import html as html_lib
import re

import markdown
import nh3
from django.utils.html import format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "abbr", "sup", "sub", "del", "ins", "mark", "details", "summary",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
EXTENSIONS = ["extra", "sane_lists", "toc"]
EXTENSION_CONFIGS = {
    # Stable, readable anchors for sections (e.g. /kunskap/hot/#vad-du-gor);
    # a page has one h1 (the article title), so text headings start at h2.
    "toc": {"slugify": lambda value, sep: _slugify(value, sep), "toc_depth": "2-4"},
}


def _slugify(value: str, sep: str) -> str:
    value = value.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    value = re.sub(r"[^a-z0-9\s-]", "", value)
    return re.sub(r"[\s-]+", sep, value).strip(sep)


def _prepare(text: str) -> str:
    # A "# Heading" inside the body would be a second h1 on the page.
    text = re.sub(r"(?m)^# ", "## ", text)
    # Checklists ("- [ ] item") are shown as boxes to tick on paper.
    text = re.sub(r"(?m)^(\s*[-*]) \[ \] ", "\\1 ☐ ", text)
    return re.sub(r"(?m)^(\s*[-*]) \[[xX]\] ", "\\1 ☑ ", text)


def render(text: str) -> str:
    html = markdown.markdown(_prepare(text or ""), extensions=EXTENSIONS,
                             extension_configs=EXTENSION_CONFIGS, output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes=URL_SCHEMES, link_rel="noopener noreferrer")
    # Wide tables scroll sideways on a phone; the scrolling box must be
    # reachable by keyboard and named (WCAG 2.1.1).
    wrapper = format_html('<div class="table-scroll" role="region" tabindex="0" aria-label="{}">',
                          _("Tabell"))
    clean = clean.replace("<table>", wrapper + "<table>").replace("</table>", "</table></div>")
    # Checklist items: the box replaces the bullet and is not read aloud.
    clean = clean.replace("<li>☐ ", '<li class="task"><span aria-hidden="true">☐</span> ')
    clean = clean.replace("<li>☑ ", '<li class="task"><span aria-hidden="true">☑</span> ')
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above; the wrapper is ours


def plain_text(text: str) -> str:
    """Markdown as readable plain text (for excerpts and search)."""
    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"])
    html = re.sub(r"</(p|li|h\d|tr|dd|dt)>", r"</\1>\n", html)
    return re.sub(r"[ \t]+", " ", html_lib.unescape(strip_tags(html))).strip()


def summary(text: str, limit: int = 180) -> str:
    """The first paragraph of plain text, cut at a word boundary."""
    for para in plain_text(text).split("\n"):
        para = para.strip()
        if para:
            if len(para) <= limit:
                return para
            return para[:limit].rsplit(" ", 1)[0] + " …"
    return ""

"""Changing the knowledge bank: who may edit, and saving an article.

save_article() is the only way the application writes an article. Its side
effects, in one transaction:
  1. the article row is saved (updated_at / updated_by set),
  2. an ArticleVersion row is added with the full text and a diff,
  3. an audit entry records the changed fields with old and new values.
"""
import difflib
import re

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit import log
from knowledge import search
from knowledge.models import Article, ArticleVersion
from organisation.models import Role

EDITOR_ROLES = (Role.HR, Role.SECURITY_COORDINATOR, Role.ADMIN)
AUDITED_FIELDS = ["slug", "topic", "title", "body", "title_en", "body_en", "sort_order",
                  "owner", "next_review"]


def can_edit(user) -> bool:
    """HR, security coordinators and administrators edit; everyone else reads."""
    return bool(user and user.is_authenticated and user.is_active and user.has_role(*EDITOR_ROLES))


def _text_lines(title: str, body: str) -> list[str]:
    return [f"# {title}", ""] + body.replace("\r\n", "\n").split("\n")


def text_diff(old: dict | None, new: dict) -> str:
    """A unified diff of the Swedish and the English text, readable by people."""
    parts = []
    for lang, title_key, body_key in (("sv", "title", "body"), ("en", "title_en", "body_en")):
        before = _text_lines(old[title_key], old[body_key]) if old and (old[title_key] or old[body_key]) else []
        after = _text_lines(new[title_key], new[body_key]) if (new[title_key] or new[body_key]) else []
        if before == after:
            continue
        lines = list(difflib.unified_diff(before, after, fromfile=f"{lang} före", tofile=f"{lang} efter",
                                          n=2, lineterm=""))
        parts.extend(lines)
    return "\n".join(parts)


def _version_fields(article: Article) -> dict:
    return {"title": article.title, "body": article.body,
            "title_en": article.title_en, "body_en": article.body_en}


@transaction.atomic
def save_article(article: Article, user, *, note: str = "") -> ArticleVersion:
    """Save a new or changed article and record who changed what (see module doc)."""
    is_new = article.pk is None
    old = None
    old_snapshot = {}
    if not is_new:
        stored = Article.objects.select_for_update().get(pk=article.pk)
        old = _version_fields(stored)
        old_snapshot = log.snapshot(stored, AUDITED_FIELDS)
    article.updated_at = timezone.now()
    article.updated_by = user if (user is not None and user.is_authenticated) else None
    article.full_clean(exclude=["search_document"])
    article.save()
    search.refresh([article.pk])
    new = _version_fields(article)
    number = (article.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ArticleVersion.objects.create(
        article=article, number=number, created_at=article.updated_at, author=article.updated_by,
        note=note[:300], diff=text_diff(old, new) if old is not None else "", **new,
    )
    changes = log.diff(old_snapshot, log.snapshot(article, AUDITED_FIELDS))
    log.record(user, "knowledge.article.create" if is_new else "knowledge.article.update",
               article, changes=changes)
    return version


_FILE_HEADER = re.compile(r"^(?:---|\+\+\+) (?:sv|en) (?:före|efter)$")


def diff_rows(diff: str) -> list[tuple[str, str]]:
    """Split a stored diff into (kind, text) rows for the history page:
    kind is 'added', 'removed', 'hunk', 'file' or 'context'."""
    rows = []
    for line in diff.splitlines():
        # Only text_diff's own headers: a removed Markdown rule ("---") is a change.
        if _FILE_HEADER.match(line):
            rows.append(("file", line[4:]))
        elif line.startswith("@@"):
            rows.append(("hunk", line))
        elif line.startswith("+"):
            rows.append(("added", line[1:]))
        elif line.startswith("-"):
            rows.append(("removed", line[1:]))
        else:
            rows.append(("context", line[1:] if line.startswith(" ") else line))
    return rows

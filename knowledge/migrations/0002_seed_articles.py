"""Seed the knowledge bank so that a new installation is useful on day one.

The articles are Markdown files in knowledge/seed/ (front matter between
'---' lines; an English version after a line '<!-- en -->'). They are read
when this migration runs, i.e. once per installation; later changes are made
by editors in the browser. Owners are left empty until an administrator or
HR assigns them; the first review is due a year after installation.
"""
from datetime import timedelta
from pathlib import Path

from django.db import migrations
from django.utils import timezone

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
EN_MARKER = "<!-- en -->"


def parse(text: str) -> dict:
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[0].strip() != "---":
        raise ValueError("seed file must start with front matter")
    end = lines.index("---", 1)
    meta = {}
    for line in lines[1:end]:
        key, _sep, value = line.partition(":")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        meta[key.strip()] = value
    body = "\n".join(lines[end + 1:])
    body_sv, _sep, body_en = body.partition(EN_MARKER)
    return {
        "slug": meta["slug"], "topic": meta["topic"], "title": meta["title"],
        "title_en": meta.get("title_en", ""), "sort_order": int(meta.get("sort", 100)),
        "body": body_sv.strip(), "body_en": body_en.strip(),
    }


def seed_articles():
    return [parse(p.read_text(encoding="utf-8")) for p in sorted(SEED_DIR.glob("*.md"))
            if p.name != "README.md"]


def create(apps, schema_editor):
    Article = apps.get_model("knowledge", "Article")
    ArticleVersion = apps.get_model("knowledge", "ArticleVersion")
    now = timezone.now()
    review = timezone.localdate() + timedelta(days=365)
    for data in seed_articles():
        if Article.objects.filter(slug=data["slug"]).exists():
            continue
        article = Article.objects.create(next_review=review, updated_at=now, **data)
        ArticleVersion.objects.create(
            article=article, number=1, created_at=now, author=None,
            title=article.title, body=article.body, title_en=article.title_en, body_en=article.body_en,
            note="Grundinnehåll från Värn", diff="",
        )


def remove(apps, schema_editor):
    Article = apps.get_model("knowledge", "Article")
    # Only articles nobody has edited are removed; edited ones are the city's own now.
    for data in seed_articles():
        article = Article.objects.filter(slug=data["slug"]).first()
        if article is not None and not article.versions.filter(number__gt=1).exists():
            article.delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]

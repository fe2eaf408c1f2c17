"""Search in the knowledge bank that understands Swedish word forms.

On PostgreSQL the database does the work with the 'swedish' text-search
configuration (Snowball stemmer, Swedish stop words) on a stored tsvector
(Article.search_document, refreshed on save), ranked with title hits above
body hits. Snowball alone does not bring "trakasserad" and "trakasserier"
together, so every query word is also sent as a prefix of its stem from the
small stemmer below ("trakasser:*").

On SQLite the same stemmer runs in Python over the articles (a few dozen, so
a scan is fast; stems are cached per article version): a query word matches
a text word when the text word's stem starts with the query word's stem.
Both backends: every word must match; if nothing does, any word may.
"""
import bisect
import math
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from knowledge.models import Article

WORD = re.compile(r"[0-9a-zåäöéüæø]+", re.IGNORECASE)

STOPWORDS = {
    "och", "att", "det", "som", "en", "ett", "på", "är", "av", "för", "med", "till", "den", "har",
    "de", "inte", "om", "i", "jag", "du", "vi", "ni", "han", "hon", "man", "men", "så", "var",
    "vad", "hur", "när", "där", "vem", "vilken", "vilka", "kan", "ska", "skall", "får", "min",
    "mitt", "mina", "din", "ditt", "dina", "sig", "sin", "sitt", "eller", "från", "nu", "då",
    "vid", "under", "efter", "om", "mig", "dig", "oss", "er", "dem", "blir", "blev", "vara",
    "varit", "har", "hade", "detta", "denna", "dessa", "ej", "också", "bara", "mycket", "the",
}

# Longest first. A suffix is removed only if at least three letters remain,
# so that "hotade" and "hot" meet on "hot", and "mutor" and "muta" on "mut".
SUFFIXES = sorted({
    "heterna", "hetens", "elserna", "ningarna", "ningarnas", "ningens", "ningar", "ningen",
    "ingarna", "ingar", "ingen", "andets", "andet", "andes", "anden", "ande", "ende", "endet",
    "arnas", "ernas", "ornas", "arens", "arna", "erna", "orna", "aren", "heten", "heter", "het",
    "elser", "elsen", "else", "ning", "ing", "ades", "ade", "ad", "ats", "at", "are", "ast",
    "aste", "ier", "iers", "ens", "ets", "ars", "ers", "ors", "ar", "er", "or", "en", "et", "es",
    # Past tense and passive: "polisanmälde", "köpte", "hotas".
    "de", "te", "as",
    "a", "e", "s",
}, key=len, reverse=True)
MIN_STEM = 3
MAX_TERMS = 8


def stem(word: str) -> str:
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    return WORD.findall(text.lower())


def query_terms(query: str) -> list[tuple[str, str]]:
    """(word, stem) pairs for the meaningful words of a query, in order, no repeats."""
    seen, terms = set(), []
    for word in words(query):
        if word in STOPWORDS or len(word) < 2:
            continue
        s = stem(word)
        if s not in seen:
            seen.add(s)
            terms.append((word, s))
    return terms[:MAX_TERMS]


@dataclass
class Result:
    article: Article
    score: float
    excerpt: list = field(default_factory=list)  # [(text, is_match), ...]

    @property
    def excerpt_html(self):
        """The excerpt with matches in <mark>, every piece escaped."""
        return mark_safe("".join(  # noqa: S308 - every piece is escaped here
            f"<mark>{escape(text)}</mark>" if hit else escape(text) for text, hit in self.excerpt))


# --- the Python index (SQLite, and excerpts on both backends) -----------------

_cache: dict = {}


def _key(article):
    return (article.pk, article.updated_at, article.title, len(article.body))


MARKUP = [
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),   # links and images → their text
    (re.compile(r"(?m)^\s{0,3}(?:#{1,6}|[-*+]|\d+\.|>)\s+"), ""),  # headings, bullets, quotes
    (re.compile(r"(?m)^\s*\|?[-:| ]+\|?\s*$"), ""),    # table rules
    (re.compile(r"[*`]+"), ""),                          # emphasis and code marks
    (re.compile(r"\||\[[ xX]\]"), " "),                  # table pipes, checkboxes
    (re.compile(r"<!--.*?-->", re.S), " "),
]


def _plain(markdown_text: str) -> str:
    """Markdown as plain text, cheaply (no rendering): enough for matching and excerpts."""
    text = markdown_text or ""
    for pattern, repl in MARKUP:
        text = pattern.sub(repl, text)
    return re.sub(r"[ \t]+", " ", text).strip()


class _Stems:
    """Stems of a text with their counts, sorted so that every stem starting
    with a prefix is found by binary search."""

    def __init__(self, stems):
        counts = Counter(stems)
        self.keys = sorted(counts)
        self.cumulative = []
        total = 0
        for k in self.keys:
            total += counts[k]
            self.cumulative.append(total)

    def hits(self, prefix: str) -> int:
        lo = bisect.bisect_left(self.keys, prefix)
        hi = bisect.bisect_left(self.keys, prefix + "\uffff", lo)
        if hi == lo:
            return 0
        return self.cumulative[hi - 1] - (self.cumulative[lo - 1] if lo else 0)


@dataclass
class _Entry:
    key: tuple
    title: _Stems
    body: _Stems
    tokens: list      # the text split on whitespace, for excerpts
    token_stems: list  # per token, the stems of its words


def _indexed(article) -> _Entry:
    key = _key(article)
    entry = _cache.get(article.pk)
    if entry is None or entry.key != key:
        tokens = _plain(article.body).split()
        token_stems = [[stem(w) for w in words(tok)] for tok in tokens]
        entry = _Entry(key, _Stems(stem(w) for w in words(article.title)),
                       _Stems(s for stems in token_stems for s in stems), tokens, token_stems)
        _cache[article.pk] = entry
    return entry


def _python_search(articles, stems: list[str], require_all: bool):
    results = []
    for article in articles:
        entry = _indexed(article)
        title, body = entry.title, entry.body
        per_term = [(title.hits(t), body.hits(t)) for t in stems]
        matched = [t + b > 0 for t, b in per_term]
        if not (all(matched) if require_all else any(matched)):
            continue
        score = sum(5 * t + math.log1p(b) for t, b in per_term)
        results.append(Result(article, round(score, 4)))
    results.sort(key=lambda r: (-r.score, r.article.title))
    return results


# --- PostgreSQL -------------------------------------------------------------

def _pg_vectors():
    from django.contrib.postgres.search import SearchVector

    title = SearchVector("title", weight="A", config="swedish")
    return title, title + SearchVector("body", weight="B", config="swedish")


def refresh(article_ids=None) -> None:
    """Recompute the stored full-text document (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    qs = Article.objects.all() if article_ids is None else Article.objects.filter(pk__in=article_ids)
    qs.update(search_document=_pg_vectors()[1])


def _pg_search(articles, terms, require_all: bool):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
    from django.db.models import F
    from django.db.models.functions import Coalesce

    joiner = " & " if require_all else " | "
    raw = joiner.join(f"({w} | {s}:*)" for w, s in terms)
    query = SearchQuery(raw, search_type="raw", config="swedish")
    title, vector = _pg_vectors()
    # The stored document, or computed here for a row saved some other way.
    document = Coalesce(F("search_document"), vector, output_field=SearchVectorField())
    # ts_rank favours long texts that repeat a word; a match in the title
    # says more about what an article is about, so it counts on its own too.
    # Normalisation 1 divides by 1 + log(length).
    rank = SearchRank(F("document"), query, normalization=1) + SearchRank(title, query)
    qs = (articles.defer("search_document").annotate(document=document).annotate(rank=rank)
          .filter(document=query).order_by("-rank", "title"))
    return [Result(a, round(float(a.rank), 4)) for a in qs]


def search(query: str, articles=None) -> list[Result]:
    terms = query_terms(query)
    if not terms:
        return []
    articles = Article.objects.all() if articles is None else articles
    stems = [s for _w, s in terms]
    if connection.vendor == "postgresql":
        results = _pg_search(articles, terms, True) or _pg_search(articles, terms, False)
    else:
        listed = list(articles.defer("search_document"))
        results = _python_search(listed, stems, True) or _python_search(listed, stems, False)
    for result in results:
        result.excerpt = excerpt(result.article, stems)
    return results


def excerpt(article, stems: list[str], width: int = 28) -> list[tuple[str, bool]]:
    """About `width` words of the article around the first match, as
    (text, is_match) pieces so that matches can be marked safely."""
    entry = _indexed(article)
    tokens, token_stems = entry.tokens, entry.token_stems

    def hit(i):
        return any(s.startswith(t) for s in token_stems[i] for t in stems)

    first = next((i for i in range(len(tokens)) if hit(i)), 0)
    start = max(0, first - width // 3)
    end = min(len(tokens), start + width)
    out = [("… ", False)] if start > 0 else []
    for i in range(start, end):
        out.append((tokens[i], hit(i)))
        if i < end - 1:
            out.append((" ", False))
    if end < len(tokens):
        out.append((" …", False))
    return out

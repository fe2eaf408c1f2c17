"""Search in the knowledge bank that understands Swedish word forms, text
typed without å, ä and ö, and the words staff use for what the articles spell
out (k-nummer, AMV, FK, APT ...).

Every text, article and query alike, goes through the same analysis here in
Python: words are lower-cased and folded (å, ä → a, ö → o, é → e ...), stop
words dropped, and each word reduced to its stem by the Snowball Swedish
stemmer (the `snowballstemmer` package: the algorithm of PostgreSQL's
'swedish' configuration). Folding comes first, so "polisanmalan" typed on a
phone and "Polisanmälan" in a title meet on the same stem. A hyphenated word
also counts as the word written together ("K-numret" → "knumret").

A query word matches a text word when the text word's stem starts with the
query word's stem (so "trakasserad" finds "trakasserier"), or with the stem
of one of its synonyms (SYNONYMS below: applied to the query, so changing the
list needs no re-indexing). Every word must match; if nothing does, any word
may.

On PostgreSQL the analysed article is stored as a tsvector of those stems
(Article.search_document: title weight A, body weight B, refreshed on save
by refresh()) and queried with prefix matches ("trakasser:*") in the 'simple'
configuration, so the database only stores, matches and ranks what Python
produced; title hits rank above body hits. A row without a stored document
is matched on its folded, unstemmed words instead. After a change to the
analysis (folding, stemming, stop words) the stored documents must be
recomputed: add a migration that calls refresh_documents(), like 0004.

On SQLite the same analysis runs over the articles in Python (a few dozen, so
a scan is fast; stems are cached per article version).
"""
import bisect
import math
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import mark_safe

from knowledge.models import Article

# Letters and digits, any alphabet; a hyphen inside a word joins its parts.
TOKEN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")

STOPWORDS = {
    "och", "att", "det", "som", "en", "ett", "på", "är", "av", "för", "med", "till", "den", "har",
    "de", "inte", "om", "i", "jag", "du", "vi", "ni", "han", "hon", "man", "men", "så", "var",
    "vad", "hur", "när", "där", "vem", "vilken", "vilka", "kan", "ska", "skall", "får", "min",
    "mitt", "mina", "din", "ditt", "dina", "sig", "sin", "sitt", "eller", "från", "nu", "då",
    "vid", "under", "efter", "om", "mig", "dig", "oss", "er", "dem", "blir", "blev", "vara",
    "varit", "har", "hade", "detta", "denna", "dessa", "ej", "också", "bara", "mycket", "the",
}

# Words staff use, grouped with what the articles call the same thing. A
# query word whose stem is that of a group member also finds the other
# members. One word per entry (a hyphenated word counts as one: "k-nummer").
SYNONYMS = [
    ["k-nummer", "k-numret", "polisanmälan"],  # the police's case number
    ["amv", "arbetsmiljöverket"],
    ["fk", "försäkringskassan"],
    ["fhv", "företagshälsovård", "företagshälsovården"],
    ["apt", "arbetsplatsträff"],
    ["tillbud", "incident"],
    ["muta", "mutbrott", "korruption", "bestickning"],
    ["skyddsombud", "arbetsmiljöombud"],
    ["hr", "personalavdelningen"],
    ["stödsamtal", "avlastningssamtal", "debriefing"],
    ["larm", "överfallslarm", "personlarm", "larmknapp"],
    ["stalkning", "stalking", "förföljelse"],
    ["näthat", "uthängning"],
    ["mejl", "mail", "e-post"],
]
MAX_TERMS = 8
MAX_WORD = 60      # longer "words" (pasted hashes, URLs) are not indexed
MAX_POSITIONS = 255  # per stem in a tsvector (PostgreSQL keeps at most 256)

_FOLD = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss", "đ": "d", "ł": "l"})
_local = threading.local()


def fold(text: str) -> str:
    """Lower case without diacritics: "Polisanmälan" → "polisanmalan"."""
    text = text.lower().translate(_FOLD)
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Snowball Swedish stem of a word, folded first."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:  # the stemmer keeps state while it works: one per thread
        stemmer = _local.stemmer = snowballstemmer.stemmer("swedish")
    return stemmer.stemWord(fold(word))


_FOLDED_STOPWORDS = {fold(w) for w in STOPWORDS}


def _meaningful(word: str) -> bool:
    # Folded, so that "pa" typed for "på" is a stop word too (the price: "år"
    # folds to "ar" like "är" and is dropped as well).
    return 2 <= len(word) <= MAX_WORD and fold(word) not in _FOLDED_STOPWORDS


def analyse(text: str) -> list[str]:
    """The stems of a text's meaningful words in order; a hyphenated word
    gives its parts and then the parts written together."""
    out = []
    for token in TOKEN.findall(text.lower()):
        parts = token.split("-")
        out.extend(stem(w) for w in parts if _meaningful(w))
        if len(parts) > 1 and _meaningful(joined := "".join(parts)):
            out.append(stem(joined))
    return out


def _synonym_map() -> dict[str, tuple[str, ...]]:
    """stem → the stems of its group's other members."""
    groups = defaultdict(list)
    for group in SYNONYMS:
        stems = [stem(member.replace("-", "")) for member in group]
        for s in stems:
            groups[s].extend(t for t in stems if t != s and t not in groups[s])
    return {s: tuple(alts) for s, alts in groups.items()}


_SYNONYMS = _synonym_map()


@dataclass
class Term:
    word: str
    stems: tuple  # a text word matches if its stem starts with one of these


def _shortest_prefixes(stems) -> tuple:
    """The stems without those that start with another ("mut" covers "mutbrot")."""
    kept = []
    for s in sorted(set(stems), key=len):
        if not any(s.startswith(k) for k in kept):
            kept.append(s)
    return tuple(kept)


def query_terms(query: str) -> list[Term]:
    """The meaningful words of a query, in order, no repeats, each with the
    stems it may match. A hyphenated word or a single letter before a word
    ("k-nummer", "k nummer") is taken as one word when that is a synonym."""
    tokens = TOKEN.findall(query.lower())
    candidates, i = [], 0
    while i < len(tokens):
        token, i = tokens[i], i + 1
        if len(token) == 1 and i < len(tokens) and stem(token + tokens[i]) in _SYNONYMS:
            token, i = token + tokens[i], i + 1  # "k nummer" → "knummer"
        joined = token.replace("-", "")
        if "-" in token and stem(joined) not in _SYNONYMS:
            candidates.extend(token.split("-"))
        else:
            candidates.append(joined)
    seen, terms = set(), []
    for word in candidates:
        if not _meaningful(word):
            continue
        s = stem(word)
        if s not in seen:
            seen.add(s)
            terms.append(Term(word, _shortest_prefixes((s, *_SYNONYMS.get(s, ())))))
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
        token_stems = [analyse(tok) for tok in tokens]
        entry = _Entry(key, _Stems(analyse(article.title)),
                       _Stems(s for stems in token_stems for s in stems), tokens, token_stems)
        _cache[article.pk] = entry
    return entry


def _python_search(articles, terms: list[Term], require_all: bool):
    results = []
    for article in articles:
        entry = _indexed(article)
        title, body = entry.title, entry.body
        per_term = [(sum(title.hits(s) for s in t.stems), sum(body.hits(s) for s in t.stems))
                    for t in terms]
        matched = [t + b > 0 for t, b in per_term]
        if not (all(matched) if require_all else any(matched)):
            continue
        score = sum(5 * t + math.log1p(b) for t, b in per_term)
        results.append(Result(article, round(score, 4)))
    results.sort(key=lambda r: (-r.score, r.article.title))
    return results


# --- PostgreSQL -------------------------------------------------------------

def document(title: str, body: str) -> str:
    """The stored full-text document of an article, as tsvector text: the
    stems of the title (weight A) and then of the body (weight B) with their
    positions."""
    positions = defaultdict(list)
    position = 0
    for weight, stems in (("A", analyse(title)), ("B", analyse(_plain(body)))):
        for s in stems:
            position = min(position + 1, 16383)  # PostgreSQL's highest position
            if len(positions[s]) < MAX_POSITIONS:
                positions[s].append(f"{position}{weight}")
    # Stems are letters and digits only, so quoting cannot be broken.
    return " ".join(f"'{s}':{','.join(p)}" for s, p in positions.items())


def refresh_documents(queryset) -> None:
    """Store the full-text document of each article in the queryset (PostgreSQL)."""
    from django.db.models import Value
    from django.db.models.functions import Cast

    from knowledge.fields import SearchDocumentField

    for pk, title, body in queryset.values_list("pk", "title", "body"):
        queryset.filter(pk=pk).update(
            search_document=Cast(Value(document(title, body)), output_field=SearchDocumentField()))


def refresh(article_ids=None) -> None:
    """Recompute the stored full-text document (PostgreSQL only)."""
    if connection.vendor != "postgresql":
        return
    qs = Article.objects.all() if article_ids is None else Article.objects.filter(pk__in=article_ids)
    refresh_documents(qs)


# Folding in SQL (translate(): one letter for one) for a row without a stored document.
_SQL_FOLD_FROM = "åäáàâãöóòôõøéèêëüúùûíìîïýÿçñ"
_SQL_FOLD = (_SQL_FOLD_FROM, "".join(fold(c) for c in _SQL_FOLD_FROM))


def _fallback_vector():
    """A document computed in the database: folded but unstemmed words. A
    query stem is a prefix of nearly every form of its word, so this finds
    nearly what the stored document would."""
    from django.contrib.postgres.search import SearchVector
    from django.db.models import F, Func, TextField, Value
    from django.db.models.functions import Lower

    def folded(name):
        return Func(Lower(F(name)), Value(_SQL_FOLD[0]), Value(_SQL_FOLD[1]), function="translate",
                    output_field=TextField())

    return (SearchVector(folded("title"), weight="A", config="simple")
            + SearchVector(folded("body"), weight="B", config="simple"))


def _pg_search(articles, terms: list[Term], require_all: bool):
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
    from django.db.models import F, Func
    from django.db.models.functions import Coalesce

    joiner = " & " if require_all else " | "
    raw = joiner.join("(" + " | ".join(f"{s}:*" for s in t.stems) + ")" for t in terms)
    query = SearchQuery(raw, search_type="raw", config="simple")
    document = Coalesce(F("search_document"), _fallback_vector(), output_field=SearchVectorField())
    # The title's stems (weight A) on their own. Not ts_rank's weights: for a
    # prefix ("gav:*") it ranks only one of the matching stems' positions.
    title = Func(F("document"), function="ts_filter", template="%(function)s(%(expressions)s, '{a}')",
                 output_field=SearchVectorField())
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
    if connection.vendor == "postgresql":
        results = _pg_search(articles, terms, True) or _pg_search(articles, terms, False)
    else:
        listed = list(articles.defer("search_document"))
        results = _python_search(listed, terms, True) or _python_search(listed, terms, False)
    prefixes = [s for t in terms for s in t.stems]
    for result in results:
        result.excerpt = excerpt(result.article, prefixes)
    return results


def excerpt(article, stems: list[str], width: int = 28) -> list[tuple[str, bool]]:
    """About `width` words of the article around the first match, as
    (text, is_match) pieces so that matches can be marked safely; `stems`
    are the prefixes a word's stem may start with."""
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

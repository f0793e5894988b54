"""The catalog's search index: one ``SearchEntry`` row per listed product, kept up to date.

Text is stored in one normalised form (``normalise``): Unicode NFKC (full-width → half-width
letters, digits and punctuation), traditional → simplified Chinese with OpenCC (``t2s``, the
folding direction that is unambiguous: 乾/幹 → 干), then case-folded. Queries go through the
same function, so ``保温杯`` finds ``保溫杯`` and ``ＣＯＴＴＯＮ`` finds ``cotton``.

Why our own tokens and not pg_trgm or a Chinese text-search parser: trigrams cannot serve
queries of one or two CJK characters (most Chinese words are two characters), and a
segmenting parser (zhparser, pg_jieba) is a server extension we cannot assume. So each row
carries a ``tsvector`` of its own tokens, built here: every CJK character and every pair of
neighbouring CJK characters (uni- and bigrams), and every run of letters/digits as one word.
A GIN index on it answers any CJK substring query: a one-character word is its unigram, a
two-character word its bigram, a longer word the AND of its bigrams (then checked with
``LIKE`` on ``text`` so the characters are really adjacent). Latin words match by prefix.

The query side segments Chinese with jieba (``真絲連衣裙`` → 真丝 / 连衣裙) so the words of a
query may appear in any order and with other words between them (``真絲印花連衣裙``);
every word is required. Segmentation happens only on the query: the index holds n-grams,
so a word jieba does not know is still found as a substring.

Maintenance (``resellers.apps``): product listed / updated / delisted refresh the row inside
the same transaction (a few statements for one product); ``sku.changed`` (stock, prices,
coalesced per SKU by the outbox) refreshes it after commit; ``manage.py rebuild_search_index``
rebuilds everything. Supplier visibility (status, listing sanctions, whose start and end are
moments on the clock rather than writes) is applied when searching, not stored.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection, transaction

logger = logging.getLogger(__name__)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
# a CJK run, or a run of other letters/digits
_TOKEN_RUN = re.compile(f"([{_CJK}]+)|((?:(?![{_CJK}])[^\\W_])+)")
# a query chunk: a CJK run, or anything else up to the next CJK character or space
_QUERY_CHUNK = re.compile(f"([{_CJK}]+)|([^{_CJK}\\s]+)")
MAX_WORDS = 8


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s.json")


def normalise(text: str) -> str:
    """NFKC, traditional → simplified, case-folded; whitespace collapsed."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text)
    text = _converter().convert(text)
    return " ".join(text.casefold().split())


def tokens(normalised: str) -> list[str]:
    """The index tokens of already normalised text: CJK uni- and bigrams, letter/digit words."""
    found: set[str] = set()
    for cjk, word in _TOKEN_RUN.findall(normalised):
        if cjk:
            found.update(cjk)
            found.update(cjk[i : i + 2] for i in range(len(cjk) - 1))
        elif word:
            found.add(word)
    return sorted(found)


FACET = "#"  # never in a text token (tokens are runs of letters, digits or CJK characters)


def facet_lexemes(*, category_id: int, supplier_id: int, province_code: str, in_stock: bool) -> list[str]:
    """The filter lexemes of a row, stored in its ``tokens`` next to the text's: the GIN lookup of a
    text query then applies the category, supplier, goods location and stock filters too, so a
    filter that leaves few of many matches costs no heap reads for the rows it drops. Kept equal to
    the SQL of migration 0007 (which added them to the rows already there)."""
    found = [f"{FACET}c{category_id}", f"{FACET}s{supplier_id}"]
    if province_code:
        found.append(f"{FACET}p{province_code}")
    if in_stock:
        found.append(f"{FACET}stock")
    return found


def facet_query(kind: str, values: Iterable[object]) -> str:
    """A ``tsquery`` fragment matching rows with any of these facet values (``kind`` c, s, p; or "stock")."""
    lexemes = [_quote(f"{FACET}{kind}{v}") for v in values] if kind != "stock" else [_quote(f"{FACET}stock")]
    return lexemes[0] if len(lexemes) == 1 else "(" + " | ".join(lexemes) + ")"


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _quote(lexeme: str, prefix: bool = False) -> str:
    quoted = "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if prefix else quoted


def tsvector_literal(lexemes: Iterable[str]) -> str:
    """The text form of a ``tsvector`` holding exactly these lexemes (PostgreSQL casts it)."""
    return " ".join(_quote(lexeme) if ("'" in lexeme or "\\" in lexeme) else f"'{lexeme}'" for lexeme in lexemes)


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass
class CompiledQuery:
    """``tsquery`` (every word required), ``LIKE`` patterns to confirm adjacency, words for ranking."""

    tsquery: str = ""
    likes: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.words


def compile_query(q: str) -> CompiledQuery:
    """Normalise and segment a query typed by a reseller (see the module docstring)."""
    compiled = CompiledQuery()
    parts: list[str] = []
    text = normalise(q)
    for chunk_match in _QUERY_CHUNK.finditer(text):
        cjk, other = chunk_match.groups()
        if cjk:
            for word in _jieba().cut(cjk, HMM=False):
                word = word.strip()
                if not word or word in compiled.words:
                    continue
                compiled.words.append(word)
                if len(word) == 1:
                    parts.append(_quote(word))
                else:
                    parts.extend(_quote(word[i : i + 2]) for i in range(len(word) - 1))
                    if len(word) > 2:
                        compiled.likes.append(f"%{like_escape(word)}%")
        else:
            chunk = other.strip()
            if not chunk or chunk in compiled.words:
                continue
            compiled.words.append(chunk)
            runs = [m for m in _TOKEN_RUN.finditer(chunk) if m.group(2)]
            words = [m.group(2) for m in runs]
            # A word followed by anything (a space, punctuation, a CJK character) was typed to the end:
            # its exact lexeme (a GIN posting list, not a partial match). Only the query's last word,
            # when the query ends in it, may still be being typed: a prefix ("cott" finds "cotton"),
            # unless it is short (a prefix of one or two letters would match half the index).
            typing_end = chunk_match.end() == len(text)
            for m in runs:
                being_typed = typing_end and m.end() == len(chunk)
                parts.append(_quote(m.group(2), prefix=being_typed and len(m.group(2)) > 2))
            if len(words) != 1 or words[0] != chunk:
                compiled.likes.append(f"%{like_escape(chunk)}%")  # punctuation inside, e.g. a code "bt-ear"
        if len(compiled.words) >= MAX_WORDS:
            break
    compiled.tsquery = " & ".join(dict.fromkeys(parts))
    return compiled


# --- maintenance ----------------------------------------------------------------------------------


def _attribute_text(attributes) -> str:
    if isinstance(attributes, dict):
        return " ".join(f"{k} {v}" for k, v in attributes.items())
    return ""


COLUMNS = [
    "product_id", "supplier_id", "category_id", "province_code", "title", "brand", "text", "tokens", "supply_min", "supply_max",
    "suggested_min", "suggested_max", "stock", "in_stock", "listed_at",
]  # fmt: skip


def entry_rows(product_ids: Iterable[int]) -> list[tuple]:
    """Rows (in ``COLUMNS`` order) for the listed ones of these products (two queries)."""
    from suppliers.models import SKU, Product

    ids = sorted(set(product_ids))
    products = list(
        Product.objects.filter(pk__in=ids, status=Product.Status.LISTED).values_list(
            "pk", "supplier_id", "supplier__company_name", "category_id", "province_code", "title", "approved_title",
            "has_pending_changes", "brand", "listed_at", "created_at",
        )
    )  # fmt: skip
    skus: dict[int, list[tuple]] = {}
    for row in SKU.objects.filter(product_id__in=[p[0] for p in products], is_active=True).values_list(
        "product_id", "code", "attributes", "supply_price_amount", "suggested_retail_amount", "on_hand", "reserved"
    ):
        skus.setdefault(row[0], []).append(row)
    rows = []
    for pk, supplier_id, company, category_id, province, title, approved, pending, brand, listed_at, created_at in products:
        shown = approved if pending else title
        variants = skus.get(pk, [])
        text = normalise(
            " ".join([shown, brand, company, *(f"{code} {_attribute_text(attrs)}" for _, code, attrs, *_ in variants)])
        )
        in_stock = any(v[5] > v[6] for v in variants)
        facets = facet_lexemes(category_id=category_id, supplier_id=supplier_id, province_code=province, in_stock=in_stock)
        rows.append((
            pk, supplier_id, category_id, province, normalise(shown), normalise(brand), text,
            tsvector_literal([*tokens(text), *facets]),
            min((v[3] for v in variants), default=None), max((v[3] for v in variants), default=None),
            min((v[4] for v in variants), default=None), max((v[4] for v in variants), default=None),
            sum(v[5] - v[6] for v in variants), in_stock, listed_at or created_at,
        ))  # fmt: skip
    return rows


def build_entries(product_ids: Iterable[int]) -> list:
    """Unsaved ``SearchEntry`` rows for the listed ones of these products."""
    from .models import SearchEntry

    return [SearchEntry(**dict(zip(COLUMNS, row, strict=True))) for row in entry_rows(product_ids)]


UPDATE_FIELDS = [
    "supplier", "category", "province_code", "title", "brand", "text", "tokens", "supply_min", "supply_max",
    "suggested_min", "suggested_max", "stock", "in_stock", "listed_at",
]  # fmt: skip


def refresh_products(product_ids: Iterable[int]) -> int:
    """Upsert the rows of these products, delete those no longer listed; returns rows written."""
    from .models import SearchEntry

    ids = sorted(set(product_ids))
    if not ids:
        return 0
    with transaction.atomic():
        entries = build_entries(ids)
        listed = {e.product_id for e in entries}
        gone = [pk for pk in ids if pk not in listed]
        if gone:
            SearchEntry.objects.filter(product_id__in=gone).delete()
        if entries:
            SearchEntry.objects.bulk_create(
                entries, update_conflicts=True, unique_fields=["product"], update_fields=UPDATE_FIELDS
            )
    return len(entries)


def rebuild(*, batch_size: int = 5000, stdout=None) -> int:
    """Every listed product's row again (COPY into a staging table, then one upsert per batch);
    rows of products no longer listed are removed. Searches keep working meanwhile."""
    from suppliers.models import Product

    from .models import SearchEntry

    SearchEntry.objects.exclude(product__status=Product.Status.LISTED).delete()
    columns = ", ".join(COLUMNS)
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[1:])
    total, last = 0, 0
    ids_qs = Product.objects.filter(status=Product.Status.LISTED).order_by("pk").values_list("pk", flat=True)
    while True:
        ids = list(ids_qs.filter(pk__gt=last)[:batch_size])
        if not ids:
            break
        rows = entry_rows(ids)  # before COPY: the connection runs one statement at a time
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS search_stage (LIKE resellers_searchentry) ON COMMIT DELETE ROWS")
            with cursor.cursor.copy(f"COPY search_stage ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            total += len(rows)
            cursor.execute(
                f"INSERT INTO resellers_searchentry ({columns}) SELECT {columns} FROM search_stage "  # noqa: S608 (fixed names)
                f"ON CONFLICT (product_id) DO UPDATE SET {updates}"
            )
        last = ids[-1]
        if stdout is not None:
            stdout.write(f"{total} products indexed")
    with connection.cursor() as cursor:  # merge the GIN pending list now rather than in the next searches
        cursor.execute(  # (inside the creating migration the index does not exist yet)
            "SELECT gin_clean_pending_list(i) FROM to_regclass('resellers_search_tokens') AS i WHERE i IS NOT NULL"
        )
    return total


# --- event subscribers (registered in resellers.apps) ------------------------------------------------


def on_product_changed(event) -> None:
    """product.listed / .updated / .delisted: inside the transaction, one product's row."""
    refresh_products([event.data["product_id"]])


def on_sku_changed(event) -> None:
    """sku.changed (stock, prices; coalesced per SKU): after commit, the product's row."""
    from suppliers.models import SKU

    product_id = SKU.objects.filter(pk=event.data["sku_id"]).values_list("product_id", flat=True).first()
    if product_id is not None:
        refresh_products([product_id])


def on_supplier_updated(event) -> None:
    """supplier.updated (its name is part of every product's text): after commit, all its rows."""
    from suppliers.models import Product

    ids = list(
        Product.objects.filter(supplier_id=event.data["supplier_id"], status=Product.Status.LISTED).values_list("pk", flat=True)
    )
    for start in range(0, len(ids), 2000):
        refresh_products(ids[start : start + 2000])


def subscribe() -> None:
    from distribution.core import events

    for name in ("product.listed", "product.updated", "product.delisted"):
        events.subscribe(name, on_product_changed)
    events.subscribe("sku.changed", on_sku_changed, after_commit=True, queue="default")
    events.subscribe("supplier.updated", on_supplier_updated, after_commit=True, queue="default")

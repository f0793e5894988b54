"""Before/after of ``resellers.search.search_catalog`` in one process, interleaved (benchmarks/README §9, §11d).

``python -m benchmarks.compare_search [REV]`` loads ``resellers/search.py`` and ``resellers/search_index.py``
of git revision ``REV`` (default ``main``) as a second pair of modules and times both versions on the
catalog that ``bench_search`` built (``BENCH_DATABASE_URL``, e.g. ``dist_bench_search_1m``; nothing is
written). Per kind and round: ``BENCH_COMPARE_REPEAT`` × (baseline, before, after), the order of before
and after alternating; ``BENCH_SEARCH_ROUNDS`` rounds; cells are the median over rounds of each round's
p50 / p95, then each round's p95. ``BENCH_COMPARE_KINDS`` (comma-separated substrings) picks kinds.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPEAT = int(os.environ.get("BENCH_COMPARE_REPEAT", 10))
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", 3))


def _setup_django() -> None:
    url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dist_bench_search_1m")
    if "bench" not in url.rsplit("/", 1)[-1]:
        sys.exit("BENCH_DATABASE_URL must name a benchmark database")
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "distribution.settings")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()


def _load_revision(rev: str):
    """``resellers.search`` of ``rev`` as module ``resellers.search_before`` (with its own ``search_index``)."""
    root = Path(__file__).resolve().parent.parent
    folder = Path(tempfile.mkdtemp(prefix="search_before_"))
    modules = {}
    for name in ("search_index", "search"):
        source = subprocess.run(["git", "show", f"{rev}:resellers/{name}.py"], cwd=root, check=True, capture_output=True, text=True).stdout
        source = source.replace("from .search_index import", "from resellers.search_index_before import")
        path = folder / f"{name}_before.py"
        path.write_text(source)
        spec = importlib.util.spec_from_file_location(f"resellers.{name}_before", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules["search"]


def main() -> None:
    rev = sys.argv[1] if len(sys.argv) > 1 else "main"
    _setup_django()
    from django.db import connection

    from resellers import search as after
    from suppliers.models import SKU

    from .bench_search import QUERIES, _existing

    before = _load_revision(rev)
    reseller, _user, leaves, suppliers = _existing()
    code = SKU.objects.filter(supplier_id=suppliers[3].pk).order_by("pk").values_list("code", flat=True)[12]
    category = leaves[0].parent_id
    second = after.search_catalog(reseller=reseller, query=after.CatalogQuery(q="保溫杯")).next_cursor
    kinds = [*((kind, {"q": q}) for kind, q in QUERIES), ("exact SKU code", {"q": code})]
    kinds += [
        ("exact SKU code, lower case", {"q": code.lower()}),
        ("+ category (top level)", {"q": "保溫杯", "category_id": category}),
        ("+ price range", {"q": "保溫杯", "price_min": 50, "price_max": 120}),
        ("+ in stock", {"q": "保溫杯", "in_stock": True}),
        ("+ all filters", {"q": "保溫杯", "category_id": category, "province_code": "440000", "price_min": 50, "price_max": 120,
                           "in_stock": True, "my_channel": True}),
        ("English + category + in stock", {"q": "cotton", "category_id": category, "in_stock": True}),
        ("sorted by price", {"q": "保溫杯", "sort": "price_asc"}),
        ("no query: newest", {}),
        ("no query: category", {"category_id": category}),
        ("no query: price sort (all rows)", {"sort": "price_asc"}),
        ("second page (keyset)", {"q": "保溫杯", "cursor": second}),
    ]  # fmt: skip
    wanted = [w for w in os.environ.get("BENCH_COMPARE_KINDS", "").split(",") if w]
    if wanted:
        kinds = [(k, kw) for k, kw in kinds if any(w in k for w in wanted)]

    def runner(module, kwargs):
        return lambda: module.search_catalog(reseller=reseller, query=module.CatalogQuery(**kwargs))

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute("SELECT product_id FROM resellers_searchentry WHERE product_id = %s", [1000])
            cursor.fetchall()

    def timed(func) -> float:
        t0 = time.perf_counter()
        func()
        return time.perf_counter() - t0

    for _kind, kwargs in kinds:  # warm both (first compilations, caches, prepared statements)
        for module in (before, after):
            for _ in range(3):
                runner(module, kwargs)()
    samples = {kind: {"before": [], "after": [], "baseline": []} for kind, _ in kinds}
    print(f"# compare_search {rev} vs work tree, {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}")
    loads = []
    for number in range(ROUNDS):
        loads.append(os.getloadavg()[0])
        print(f"round {number + 1}/{ROUNDS} at load {'/'.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        for kind, kwargs in kinds:
            b, a = runner(before, kwargs), runner(after, kwargs)
            got = {"before": [], "after": [], "baseline": []}
            for i in range(REPEAT):
                got["baseline"].append(timed(baseline))
                order = (("before", b), ("after", a)) if i % 2 == 0 else (("after", a), ("before", b))
                for name, func in order:
                    got[name].append(timed(func))
            for name, values in got.items():
                samples[kind][name].append(values)
    loads.append(os.getloadavg()[0])
    print(f"end at load {'/'.join(f'{x:.2f}' for x in os.getloadavg())}; 1-minute load during the run {min(loads):.2f}–{max(loads):.2f}")
    print()
    _table(kinds, samples, runner, before, after)


HEADER = (
    "| kind | matches before → after | statements before → after | same first page | before p50 / p95 ms | after p50 / p95 ms "
    "| baseline p50 / p95 ms |\n|---|---|---|---|---|---|---|"
)


def _table(kinds, samples, runner, before, after) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .bench_search import _cell

    print(HEADER)
    for kind, kwargs in kinds:
        pages, counts = {}, {}
        for name, module in (("before", before), ("after", after)):
            with CaptureQueriesContext(connection) as ctx:
                page = runner(module, kwargs)()
            pages[name] = page
            counts[name] = len(ctx.captured_queries)

        def hits(page):
            return f"about {page.count:,}" if page.count_estimated else f"{page.count:,}"

        same = [p.pk for p in pages["before"].products] == [p.pk for p in pages["after"].products]
        goal = 10.0 if kind.startswith("exact") else 50.0
        label = f"{kind} `{kwargs['q']}`" if kwargs.get("q") else kind
        cells = [_cell(samples[kind][name], goal, unit="") for name in ("before", "after")]
        print(
            f"| {label} | {hits(pages['before'])} → {hits(pages['after'])} | {counts['before']} → {counts['after']} | "
            f"{'yes' if same else 'NO'} | {cells[0]} | {cells[1]} | {_cell(samples[kind]['baseline'], unit='')} |"
        )


if __name__ == "__main__":
    main()

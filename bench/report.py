"""The bench's report: the machine it ran on, the table it prints and the budgets it checks."""

import os
import shutil
import time
from pathlib import Path

# The references every page is compared with, measured by run.py like the pages.
BARE = ("reference: bare template, 50 rows", "/bench/bare/")
ADMIN = ("reference: admin changelist", "/admin/incidents/incident/")

# The budgets (issue 12), checked by --check.
LIST_VS_ADMIN = 5.0  # a list page serves at least 5x the admin changelist's requests/s
LIST_VS_BARE = 0.5  # and at least half the bare template's
SEARCH_P95_MS = 100
DASHBOARD_P95_MS = 50
INCIDENT_PAGE_P95_MS = 120
ADMIN_VS_LIST = 2.0  # the admin changelist no slower than 2x the list (median, alone)
MENTIONS_P95_MS = 150  # issue 10: an incident with 1,000,000 mentions, its pages and the inbox
EXPORT_FIRST_BYTE_S = 1.0
EXPORT_TOTAL_S = 10.0
EXPORT_MEMORY_MB = 60  # growth of the worker's resident memory while streaming


def machine():
    import platform

    load = Path("/proc/loadavg").read_text().split()[:3]
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cpus": os.cpu_count(),
        "load_average": " ".join(load),
        "python": platform.python_version(),
        "wrk": bool(shutil.which("wrk")),
    }


def _ratio(value, reference):
    if value is None or not reference:
        return None
    return round(value / reference, 2)


def print_table(report):
    rows = report["pages"]
    bare = next(r for r in rows if r["page"] == BARE[0])
    admin = next(r for r in rows if r["page"] == ADMIN[0])
    m = report["machine"]
    print(
        f"\n{report['incidents']:,} incidents on {report['database']}, {m['cpus']} CPUs, "
        f"load average {m['load_average']}, {m['date']}\n"
    )
    head = (
        f"| {'page':<36} | {'p50 ms':>7} | {'p95 ms':>7} | {'queries':>7} | {'req/s':>7} "
        f"| {'× bare':>6} | {'× admin':>7} |"
    )
    print(head)
    print("|" + "|".join("-" * (len(cell) + 0) for cell in head.split("|")[1:-1]) + "|")
    for r in rows:
        rps = "" if r["rps"] is None else f"{r['rps']:.1f}"
        x_bare = _ratio(r["rps"], bare["rps"])
        x_admin = _ratio(r["rps"], admin["rps"])
        print(
            f"| {r['page']:<36} | {r['p50_ms']:>7.1f} | {r['p95_ms']:>7.1f} | {r['queries']:>7} "
            f"| {rps:>7} | {'' if x_bare is None else x_bare:>6} "
            f"| {'' if x_admin is None else x_admin:>7} |"
        )
    export = report["export"]
    if export:
        print(
            f"\nCSV export of {export['rows']:,} incidents ({export['megabytes']} MB): first byte "
            f"{export['first_byte_s']} s, all {export['total_s']} s, worker memory "
            f"+{export['worker_memory_growth_mb']} MB"
        )


def budget_misses(report):
    rows = {r["page"]: r for r in report["pages"]}
    bare, admin = rows[BARE[0]], rows[ADMIN[0]]
    misses = []
    lists = [r for name, r in rows.items() if name.startswith("list")]
    for r in lists:
        if r["rps"] is not None and admin["rps"] and r["rps"] < LIST_VS_ADMIN * admin["rps"]:
            misses.append(f"{r['page']}: {r['rps']} req/s < {LIST_VS_ADMIN}× admin")
        if r["rps"] is not None and bare["rps"] and r["rps"] < LIST_VS_BARE * bare["rps"]:
            misses.append(f"{r['page']}: {r['rps']} req/s < {LIST_VS_BARE}× bare template")
    for name, r in rows.items():
        if "search" in name and r["p95_ms"] >= SEARCH_P95_MS:
            misses.append(f"{name}: p95 {r['p95_ms']} ms ≥ {SEARCH_P95_MS} ms")
        if name.startswith("dashboard") and r["p95_ms"] >= DASHBOARD_P95_MS:
            misses.append(f"{name}: p95 {r['p95_ms']} ms ≥ {DASHBOARD_P95_MS} ms")
        if name.startswith("incident page") and r["p95_ms"] >= INCIDENT_PAGE_P95_MS:
            misses.append(f"{name}: p95 {r['p95_ms']} ms ≥ {INCIDENT_PAGE_P95_MS} ms")
        if name.startswith(("mentions", "inbox")) and r["p95_ms"] >= MENTIONS_P95_MS:
            misses.append(f"{name}: p95 {r['p95_ms']} ms ≥ {MENTIONS_P95_MS} ms")
    first_list = rows.get("list, all, page 1")
    if first_list and admin["p50_ms"] > ADMIN_VS_LIST * first_list["p50_ms"]:
        misses.append(
            f"admin changelist: p50 {admin['p50_ms']} ms > {ADMIN_VS_LIST}× the list's "
            f"{first_list['p50_ms']} ms"
        )
    # No page's query count grows with its rows: a deep page asks as many as page 1.
    counts = {r["queries"] for r in lists if r["page"].startswith("list, all")}
    if len(counts) > 1:
        misses.append(f"list pages ask different numbers of queries: {sorted(counts)}")
    export = report["export"]
    if export:
        if export["first_byte_s"] >= EXPORT_FIRST_BYTE_S:
            misses.append(f"CSV export: first byte after {export['first_byte_s']} s")
        if export["total_s"] >= EXPORT_TOTAL_S:
            misses.append(f"CSV export: {export['total_s']} s in all")
        if export["worker_memory_growth_mb"] >= EXPORT_MEMORY_MB:
            misses.append(f"CSV export: worker grew {export['worker_memory_growth_mb']} MB")
    return misses

"""The drift benchmark's Markdown table: every contender's times and each peer's speed-up
against each modelwatch run.
"""

from __future__ import annotations

from drift_contenders import MW_COLD, MW_STARTUP_EXCLUDED, MW_WARM


def _fmt(x, digits=1) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def markdown_table(result: dict) -> str:
    rows = {r["contender"]: r for r in result["contenders"]}

    def ok_wall(name: str) -> float | None:
        r = rows.get(name) or {}
        return r.get("wall_seconds") if r.get("status") == "ok" else None

    # the modelwatch runs a peer's wall time is divided by, one speed-up column each
    baselines = [("modelwatch", "first run"), (MW_WARM, "scheduled run"), (MW_COLD, "cold cache")]
    mw_ex = rows.get(MW_STARTUP_EXCLUDED) or {}
    mw_work = mw_ex.get("work_seconds") if mw_ex.get("status") == "ok" else None
    order = [
        "floor_query",
        MW_STARTUP_EXCLUDED,
        "modelwatch",
        MW_WARM,
        MW_COLD,
        "nannyml",
        "evidently",
    ]
    lines = [
        f"Scenario **{result['scenario']}**: {result['rows_reference']:,} reference rows, "
        f"{result['rows_current']:,} current rows, {result['features']} features "
        f"({result['machine']['cpus']} CPUs, {result['machine']['mem_gib']} GiB RAM).",
        "",
        "| contender | status | wall s | work s | CPU s | peak RSS MB "
        + "".join(f"| speed-up vs {label} (wall) " for _, label in baselines)
        + "| speed-up (work vs startup-excluded) |",
        "|---|---|---:|---:|---:|---:|" + "---:|" * (len(baselines) + 1),
    ]
    notes = []
    for name in order:
        r = rows.get(name)
        if r is None:
            continue
        ok = r.get("status") == "ok"
        wall = r.get("wall_seconds") if name != MW_STARTUP_EXCLUDED else None
        work = r.get("work_seconds") if ok else None
        rss = r.get("peak_rss_mb") if name != MW_STARTUP_EXCLUDED else None
        cpu = r.get("cpu_seconds") if ok and name != MW_STARTUP_EXCLUDED else None
        speedups = []
        for base, _ in baselines:
            base_wall = ok_wall(base)
            mine = ok and wall and base_wall and not name.startswith("modelwatch")
            speedups.append(f"{wall / base_wall:,.2f}×" if mine else "—")
        mine = work and mw_work and not name.startswith("modelwatch")
        speedups.append(f"{work / mw_work:,.2f}×" if mine else "—")
        status = r.get("status") or "?"
        if r.get("carried_over_from"):
            status += " †"
        if r.get("reason"):
            notes.append(f"- {name}: {r['reason']}")
        if len(r.get("wall_seconds_runs") or []) > 1:
            runs = ", ".join(_fmt(x) for x in r["wall_seconds_runs"])
            notes.append(
                f"- {name}: {len(r['wall_seconds_runs'])} runs, wall s {runs} (median shown)"
            )
        wall_txt = _fmt(wall) + (" (killed)" if r.get("killed_for") else "")
        lines.append(
            f"| {name} | {status} | {wall_txt} | {_fmt(work)} | {_fmt(cpu)} "
            f"| {_fmt(rss, 0)} | " + " | ".join(speedups) + " |"
        )
    lines += [
        "",
        "wall s = process wall time measured by the harness (interpreter start, imports, dbt "
        "startup included); work s = the contender's own clock (peers/floor: read from DuckDB + "
        "compute, imports excluded; modelwatch: total_seconds; startup-excluded row: "
        "models_seconds); CPU s = user+system CPU time of the process. Peak RSS = ru_maxrss "
        "of the contender's process. Speed-up = contender time / modelwatch time (>1 means "
        "modelwatch is faster). modelwatch (first run): a config dbt has not parsed before, so it "
        "parses the whole project, with the start-up cache (dbt's config schemas, Jinja bytecode "
        "and macro syntax trees, kept between runs like .pyc files) that modelwatch_cold, the "
        "same run with an empty cache, filled. modelwatch_warm (scheduled run): the same config "
        "run before, not measured, at the same path, so dbt's partial parse finds nothing "
        "changed, as on every scheduled run after the first.",
    ]
    jobs = result.get("modelwatch_jobs") or "all"
    what = "the whole project" if jobs == "all" else f"`--jobs {jobs}` (upstream and tests)"
    lines.append(f"modelwatch ran {what}.")
    carried = sorted(
        {f"{k} ({r['carried_over_from']})" for k, r in rows.items() if r.get("carried_over_from")}
    )
    if carried:
        lines.append(
            "† carried over from an earlier run (skipped with --skip in this run): "
            + ", ".join(carried)
            + "."
        )
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines)

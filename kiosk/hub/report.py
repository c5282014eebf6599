"""The monthly report of a region (a county, a prefecture…) with its subregions side by side, as a PDF: counts by status, category, programme and village; time to
answer; the overdue list; with charts. HTML rendered by a template, then printed by WeasyPrint (which
embeds the CJK font, so any PDF reader, pdftotext included, reads the Chinese text)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.core.clock import CHINA
from kiosk.core.complaint import CATEGORIES
from kiosk.hub import charts, regions, stats, workflow
from kiosk.hub.store import HubStore


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-11' → Month(2026, 11); ValueError otherwise."""
        year, month = text.split("-")
        value = cls(int(year), int(month))
        if not 1 <= value.month <= 12 or not 2000 <= value.year <= 2100:
            raise ValueError(text)
        return value

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """Start and end (exclusive) in UTC of the month in Beijing time."""
        start = dt.datetime(self.year, self.month, 1, tzinfo=CHINA)
        end = (start + dt.timedelta(days=32)).replace(day=1)
        return start.astimezone(dt.UTC), end.astimezone(dt.UTC)

    def __str__(self) -> str:
        return f"{self.year}年{self.month}月"


def figures(store: HubStore, month: Month, now: dt.datetime, region: str = "") -> dict:
    """Everything the report for `region` shows, for the template: its subregions side by side first."""
    start, end = month.bounds()
    by_status = [
        (workflow.STATUS_NAMES.get(k, "已撤回"), n)
        for k, n in stats.counts_by(store, "status", start, end, region)
    ]
    by_category = [
        (CATEGORIES.get(k, (k,))[0], n) for k, n in stats.counts_by(store, "category", start, end, region)
    ]
    by_programme = stats.counts_by(store, "programme", start, end, region)
    by_village = stats.counts_by(store, "village", start, end, region)
    first, closed = stats.answer_times(store, start, end, region)
    overdue = stats.overdue_list(store, now, region=region)
    whole, parts = stats.rollup(store, region, now, start, end)
    return {
        "month": month,
        "region_name": regions.name_of(store.engine, region),
        "region": region,
        "whole": whole,
        "parts": parts,
        "total": sum(n for _, n in by_status),
        "by_status": by_status,
        "by_category": by_category,
        "by_programme": by_programme,
        "by_village": by_village,
        "first_answer": first,
        "to_close": closed,
        "overdue": overdue,
        "departments": stats.overdue_by_department(store, now, region),
        "recovered": stats.recovered(store, start, end, region),
        "story": stats.month_story(store, start, end, region=region),
        "findings": stats.findings_by_check(store, start, end, region),
        "charts": {
            "category": charts.bars(by_category, title="按问题类别"),
            "programme": charts.bars(by_programme, title="按补贴项目"),
            "village": charts.bars(by_village, title="按村（前12）"),
        },
        "generated": now.astimezone(CHINA),
    }


def to_pdf(html: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html).write_pdf()

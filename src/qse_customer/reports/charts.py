"""Charts as inline SVG, drawn by matplotlib (the ``report`` extra).

Each function returns an ``<svg>`` element ready to paste into HTML, or None when matplotlib is
not installed (the HTML report then shows its tables alone, with a note saying how to get the
charts). Text stays text in the SVG (``svg.fonttype = none``), so it is sharp and searchable and
the browser draws every script with its own fonts. Figures are made with matplotlib's object API
under a local ``rc_context``: a host application's pyplot backend and settings are never touched.
"""

from __future__ import annotations

import contextlib
import html
import io
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any

from ..core.translation import ENGLISH, Translator
from ._terminal import printable

CHARTS_HINT = "pip install 'qse-customer[report]'"
"""How to get charts in the HTML report."""

_COLOURS = {"met": "#2e7d32", "breached": "#c62828", "at_risk": "#ef6c00", "bar": "#1f5f8b"}
_STYLE = {
    # Labels come from records: "$x$" is a category, never a formula for the mathtext parser.
    "text.parse_math": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "qse-customer",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_SIZE = re.compile(r'width="[^"]*" height="[^"]*" viewBox="[^"]*"')


@cache
def _matplotlib() -> Any | None:
    """matplotlib, or None if it is not installed."""
    try:
        import matplotlib
        import matplotlib.backends.backend_mixed
        import matplotlib.backends.backend_svg
        import matplotlib.figure
    except ImportError:
        return None
    return matplotlib


def charts_available() -> bool:
    """True when matplotlib is installed, so reports can hold charts."""
    return _matplotlib() is not None


def _draw(size: tuple[float, float], paint: Callable[[Any], None], label: str) -> str | None:
    """An ``<svg>`` of one figure of ``size`` inches whose axes ``paint`` draws on, cropped to
    what is drawn (as ``savefig(bbox_inches="tight")`` crops)."""
    matplotlib = _matplotlib()
    if matplotlib is None:
        return None
    with matplotlib.rc_context(_STYLE), warnings.catch_warnings():
        # Text is kept as text, so a glyph matplotlib's fonts lack is still drawn by the browser.
        warnings.filterwarnings("ignore", "Glyph .* missing from font", UserWarning)
        figure = matplotlib.figure.Figure(figsize=size)
        paint(figure.subplots())
        text = _svg(matplotlib, figure)
    text = _METADATA.sub("", _PROLOGUE.sub("", text, count=1))
    return text.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label)}" ', 1)


def _svg(matplotlib: Any, figure: Any) -> str:
    """``figure`` as SVG, drawn once, cropped by its ``viewBox`` to its tight bounding box and
    the ``savefig.pad_inches`` around it.

    ``savefig(bbox_inches="tight")`` draws a figure twice (once to measure it, once, moved, to
    write it) and measures its text twice; here the figure is drawn as ``savefig`` would at its
    full size, measured with the same renderer and cropped, which looks the same."""
    backends = matplotlib.backends
    buffer = io.StringIO()
    dpi = figure.dpi
    figure.dpi = 72  # what savefig draws an SVG at: a pixel is a point
    width, height = figure.get_size_inches()
    vector = backends.backend_svg.RendererSVG(
        width * 72, height * 72, buffer, image_dpi=dpi, metadata={"Date": None}
    )
    renderer = backends.backend_mixed.MixedModeRenderer(figure, width, height, dpi, vector)
    with _ticks_worked_out_once(figure):
        figure.draw(renderer)
        renderer.finalize()
        box = figure.get_tightbbox(renderer).padded(matplotlib.rcParams["savefig.pad_inches"])
    figure.dpi = dpi
    # The box is in inches from the bottom left; an SVG counts points from the top left.
    left, top, wide, high = (_points(v) for v in (box.x0, height - box.y1, box.width, box.height))
    crop = f'width="{wide}pt" height="{high}pt" viewBox="{left} {top} {wide} {high}"'
    return _SIZE.sub(crop, buffer.getvalue(), count=1)


_AXIS_WORK = ("_update_ticks", "_get_ticklabel_bboxes")
"""What an axis works out again each time it is asked (private methods of matplotlib's axis)."""


@contextlib.contextmanager
def _ticks_worked_out_once(figure: Any) -> Iterator[None]:
    """While drawing ``figure`` and measuring its tight box, each axis works out its ticks
    (locations, labels) and measures its tick labels once.

    matplotlib's axis does both from scratch each time it is asked: to draw itself, to place
    its label beside its siblings' tick labels, to place the title, and again for the tight
    box, about seven times per axis per figure, always with the same result, since nothing
    moves between them (the view limits are settled when the drawing starts). Here each axis
    keeps its answer for as long as what it depends on is unchanged: the view interval and the
    tickers for the ticks, and each label's text and position for the boxes. (Both are
    matplotlib's private methods: an axis without them is drawn as matplotlib draws it.)"""
    axes = [
        axis
        for each in figure.get_axes()
        for axis in (each.xaxis, each.yaxis)
        if all(callable(getattr(type(axis), name, None)) for name in _AXIS_WORK)
    ]
    for axis in axes:
        axis._update_ticks = _remembered(
            axis._update_ticks,
            lambda axis=axis: (
                tuple(axis.get_view_interval()),
                *(id(ticker) for ticker in (axis.major.locator, axis.major.formatter)),
                *(id(ticker) for ticker in (axis.minor.locator, axis.minor.formatter)),
            ),
        )
        axis._get_ticklabel_bboxes = _remembered(
            axis._get_ticklabel_bboxes,
            lambda ticks, renderer=None: (
                id(renderer),
                *(
                    (id(tick), label.get_text(), label.get_position())
                    for tick in ticks
                    for label in (tick.label1, tick.label2)
                ),
            ),
        )
    try:
        yield
    finally:
        for axis in axes:  # matplotlib's own methods again
            del axis._update_ticks, axis._get_ticklabel_bboxes


def _remembered(work: Callable[..., Any], key: Callable[..., Any]) -> Callable[..., Any]:
    """``work``, doing its work once for each ``key`` of its arguments; it returns lists (or a
    pair of lists), and each call gets its own copies of them."""
    done: dict[Any, Any] = {}

    def remembered(*arguments: Any, **options: Any) -> Any:
        if options:  # not how matplotlib calls it: no short cut
            return work(*arguments, **options)
        known = key(*arguments)
        if known not in done:
            done[known] = work(*arguments)
        answer = done[known]
        return tuple(list(part) for part in answer) if isinstance(answer, tuple) else list(answer)

    return remembered


def _points(inches: float) -> str:
    """A length in inches as points, written as matplotlib writes an SVG's size."""
    return f"{inches * 72:f}".rstrip("0").rstrip(".")


def compliance_chart(
    rules: Sequence[dict[str, Any]], title: str, t: Translator = ENGLISH
) -> str | None:
    """Share met per rule as horizontal bars, each labelled with met / decided (its words in
    ``t``'s language)."""
    decided = [rule for rule in rules if rule["share_met_denominator"]]
    if not decided:
        return None
    labels = [rule["rule_id"] for rule in decided][::-1]
    shares = [100 * rule["share_met"] for rule in decided][::-1]
    colours = [
        _COLOURS["met"]
        if share >= 95
        else _COLOURS["at_risk"]
        if share >= 85
        else _COLOURS["breached"]
        for share in shares
    ]

    def paint(axes: Any) -> None:
        axes.barh(labels, shares, color=colours, height=0.7)
        for y, rule in enumerate(decided[::-1]):
            label = f"{rule['met']}/{rule['share_met_denominator']}"
            axes.text(101, y, label, va="center", fontsize=8)
        axes.set_xlim(0, 112)
        axes.set_xlabel(t.gettext("% met of decided (met + breached)"))
        # At the top, where matplotlib's search would put it (no tick labels or offset text
        # above the axes), without measuring every tick label twice to find that out.
        axes.set_title(printable(title), loc="left", fontsize=10, y=1.0)
        axes.axvline(95, color="#777777", linewidth=0.8, linestyle=":")

    label = t.gettext("Compliance per rule: {title}").format(title=title)
    return _draw((7.5, 0.8 + 0.28 * len(decided)), paint, label)


def trend_chart(points: Sequence[dict[str, Any]], t: Translator = ENGLISH) -> str | None:
    """Complaints per month as bars, with the control chart's centre line and upper limit."""
    if not points:
        return None
    periods = [point["period"] for point in points]
    counts = [point["count"] for point in points]
    signalled = [bool(point.get("signals")) for point in points]

    def paint(axes: Any) -> None:
        axes.bar(
            periods,
            counts,
            color=[_COLOURS["breached"] if flag else _COLOURS["bar"] for flag in signalled],
        )
        if all(point.get("upper") is not None for point in points):
            centre = [point["centre"] for point in points]
            axes.plot(periods, centre, color="#444444", linewidth=1, label=t.gettext("centre"))
            axes.plot(
                periods,
                [point["upper"] for point in points],
                color=_COLOURS["breached"],
                linewidth=1,
                linestyle="--",
                label=t.gettext("upper control limit"),
            )
            axes.legend(frameon=False, fontsize=8, loc="upper left")
        axes.set_ylabel(t.gettext("complaints"))
        axes.tick_params(axis="x", labelrotation=45)

    return _draw((7.5, 2.8), paint, t.gettext("Complaints per month"))


def pareto_chart(
    rows: Sequence[dict[str, Any]], cutoff: float, t: Translator = ENGLISH
) -> str | None:
    """A Pareto chart: complaints per category, most first, with the cumulative share."""
    if not rows:
        return None
    labels = [printable(str(row["value"])) for row in rows]

    def paint(axes: Any) -> None:
        axes.bar(labels, [row["count"] for row in rows], color=_COLOURS["bar"])
        axes.set_ylabel(t.gettext("complaints"))
        axes.tick_params(axis="x", labelrotation=30)
        for label in axes.get_xticklabels():
            label.set_horizontalalignment("right")
        share = axes.twinx()
        share.plot(
            labels,
            [100 * row["cumulative_share"] for row in rows],
            color=_COLOURS["at_risk"],
            marker="o",
        )
        share.axhline(100 * cutoff, color="#777777", linewidth=0.8, linestyle=":")
        share.set_ylim(0, 105)
        share.set_ylabel(t.gettext("cumulative %"))
        share.spines["right"].set_visible(True)

    return _draw((7.5, 3.2), paint, t.gettext("Pareto of complaints by category"))


def subscale_chart(subscales: Sequence[dict[str, Any]], t: Translator = ENGLISH) -> str | None:
    """Subscale means with their confidence intervals as error bars."""
    rows = [s for s in subscales if s["summary"].get("mean") is not None]
    if not rows:
        return None
    labels = [printable(row["title"]) for row in rows][::-1]
    means = [row["summary"]["mean"] for row in rows][::-1]
    errors: list[list[float]] = [[], []]
    for row in rows[::-1]:
        interval = row["summary"].get("mean_interval")
        mean = row["summary"]["mean"]
        errors[0].append(mean - interval["low"] if interval else 0.0)
        errors[1].append(interval["high"] - mean if interval else 0.0)
    low, high = rows[0]["summary"]["scale"]

    def paint(axes: Any) -> None:
        axes.errorbar(means, labels, xerr=errors, fmt="o", color=_COLOURS["bar"], capsize=3)
        axes.set_xlim(low - 0.1, high + 0.1)
        axes.set_xlabel(t.gettext("mean score with {level} interval").format(level="95%"))

    label = t.gettext("Survey subscale means with intervals")
    return _draw((7.5, 0.8 + 0.35 * len(rows)), paint, label)

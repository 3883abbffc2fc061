"""axe-core in the browser: WCAG 2.0/2.1 A and AA checks on a notebook's output areas.

axe-core comes bundled in the PyPI package ``axe-playwright-python`` (its ``axe.min.js``); it
is injected into the page and run on every ``.jp-OutputArea`` (JupyterLab, Notebook 7 and
Voila all render outputs in those), after the notebook has run.

Every violation node is attributed:

- ``cnnviz``: inside what the course renders (a widget carrying a ``cnnviz-*`` class, a
  figure or HTML a notebook cell displayed, any widget a notebook built). These fail the tests.
- ``third-party``: a known gap of JupyterLab or ipywidgets that cnnviz cannot reach (listed in
  ``THIRD_PARTY`` with the reason). These go to the report file only.

Reports are written to ``test-artifacts/a11y/<frontend>-<notebook>.json`` and a readable
``.txt`` beside it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from axe_playwright_python.base import AXE_SCRIPT

REPO = Path(__file__).resolve().parents[2]
REPORT_DIR = REPO / "test-artifacts" / "a11y"

# WCAG 2.0 and 2.1, levels A and AA: what schools are held to.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
OUTPUT_SELECTOR = ".jp-OutputArea"

# Violations that belong to JupyterLab or ipywidgets, outside anything cnnviz renders or can
# change: (axe rule id, CSS selector the node matches, why it is left to them). Empty until a
# measured violation proves to be out of cnnviz's reach.
THIRD_PARTY: list[tuple[str, str, str]] = []

_RUN_JS = """
async ([selector, tags, thirdParty]) => {
    if (!document.querySelector(selector)) return {error: 'no element matches ' + selector};
    const results = await axe.run(
        {include: [[selector]]},
        {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']},
    );
    const cells = Array.from(document.querySelectorAll('.jp-Cell'));
    const areas = Array.from(document.querySelectorAll('.jp-OutputArea'));
    const found = [];
    for (const rule of results.violations) {
        for (const node of rule.nodes) {
            const target = node.target[node.target.length - 1];
            const el = typeof target === 'string' ? document.querySelector(target) : null;
            let owner = null;
            for (let e = el; e && !owner; e = e.parentElement) {
                const cls = Array.from(e.classList || []).find(c => c.startsWith('cnnviz-'));
                if (cls) owner = cls;
            }
            // The notebook cell (JupyterLab, Notebook 7) or output area (Voila) it sits in.
            const cell = el ? el.closest('.jp-Cell') : null;
            const area = el ? el.closest('.jp-OutputArea') : null;
            let origin = 'cnnviz';
            let reason = '';
            for (const [rule_id, sel, why] of thirdParty) {
                if (rule_id === rule.id && el && el.matches(sel)) {
                    origin = 'third-party';
                    reason = why;
                }
            }
            found.push({
                rule: rule.id,
                impact: rule.impact,
                help: rule.help,
                tags: rule.tags.filter(t => t.startsWith('wcag')),
                target: node.target.join(' >>> '),
                html: node.html.slice(0, 300),
                summary: node.failureSummary,
                widget: owner,
                cell: cell ? cells.indexOf(cell) : -1,
                output_area: area ? areas.indexOf(area) : -1,
                origin: origin,
                reason: reason,
            });
        }
    }
    return {axe: results.testEngine.version, violations: found};
}
"""


def run_axe(page, selector: str = OUTPUT_SELECTOR, tags=WCAG_TAGS) -> dict:
    """Run axe-core on every element matching ``selector``; return ``{"axe": version,
    "violations": [...]}``, one entry per violating node (see the module docstring)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    result = page.evaluate(_RUN_JS, [selector, list(tags), THIRD_PARTY])
    if "error" in result:
        raise AssertionError(f"axe-core could not run: {result['error']}")
    return result


def summary(violations: list[dict]) -> dict[str, int]:
    """Count of violating nodes per axe rule."""
    counts: dict[str, int] = {}
    for v in violations:
        counts[v["rule"]] = counts.get(v["rule"], 0) + 1
    return dict(sorted(counts.items()))


def describe(violations: list[dict]) -> str:
    """One readable paragraph per violating node."""
    lines = []
    for v in violations:
        where = f"cell {v['cell']}" + (f", {v['widget']}" if v["widget"] else "")
        lines.append(
            f"- [{v['impact']}] {v['rule']} ({', '.join(v['tags'])}): {v['help']}\n"
            f"  where: {where}; target: {v['target']}\n"
            f"  html: {v['html']}\n"
            f"  {v['summary']}".replace("\n  \n", "\n")
            + (f"\n  left to them: {v['reason']}" if v["reason"] else "")
        )
    return "\n".join(lines)


def write_report(name: str, result: dict) -> Path:
    """Write ``result`` to test-artifacts/a11y/<name>.json and a readable <name>.txt."""
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)
    violations = result["violations"]
    ours = [v for v in violations if v["origin"] == "cnnviz"]
    theirs = [v for v in violations if v["origin"] != "cnnviz"]
    data = {
        "axe": result["axe"],
        "tags": WCAG_TAGS,
        "cnnviz": summary(ours),
        "third_party": summary(theirs),
        "violations": violations,
    }
    (REPORT_DIR / f"{safe}.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
    text = (
        f"axe-core {result['axe']} on {OUTPUT_SELECTOR}, tags {', '.join(WCAG_TAGS)}\n\n"
        f"cnnviz's outputs: {len(ours)} violating nodes {summary(ours)}\n"
        f"{describe(ours)}\n\n"
        f"JupyterLab/ipywidgets, left to them: {len(theirs)} {summary(theirs)}\n"
        f"{describe(theirs)}\n"
    )
    path = REPORT_DIR / f"{safe}.txt"
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# Names: what a screen reader announces for each control and picture
# --------------------------------------------------------------------------------------------
# Roles a user operates or reads as a picture, in Playwright's ARIA snapshot.
_NAMED_ROLES = "button|checkbox|combobox|img|listbox|radio|slider|spinbutton|tab|textbox|switch"
_SNAPSHOT_LINE = re.compile(rf'^\s*- ({_NAMED_ROLES})(?=[\s:"]|$)(?: "(.*))?')
_INVISIBLE = re.compile("[\u200b\u200c\u200d\ufeff\\s]+")


def unnamed_controls(page, selector: str = OUTPUT_SELECTOR) -> list[str]:
    """Controls and pictures in ``selector`` without a usable accessible name (an invisible
    placeholder does not count), read from the browser's accessibility tree; and pictures
    whose text has no number in it. Each entry says the role and the snapshot line."""
    problems = []
    for i in range(page.locator(selector).count()):
        snapshot = page.locator(selector).nth(i).aria_snapshot()
        for line in snapshot.splitlines():
            match = _SNAPSHOT_LINE.match(line)
            if not match:
                continue
            # the name runs to its closing quote, or on past the line (a name with a newline)
            name = (match.group(2) or "").rstrip().removesuffix(":").removesuffix('"')
            role, name = match.group(1), _INVISIBLE.sub(" ", name).strip()
            if not name:
                problems.append(f"output {i}: {role} without a name: {line.strip()}")
            elif role == "img" and not re.search(r"\d", name):
                problems.append(f"output {i}: picture text without numbers: {line.strip()}")
    return problems


# --------------------------------------------------------------------------------------------
# Keyboard only
# --------------------------------------------------------------------------------------------
_DESCRIBE_FOCUS_JS = """
() => {
    const el = document.activeElement;
    if (!el) return null;
    const classes = [];
    for (let e = el; e; e = e.parentElement) {
        for (const c of e.classList || []) if (c.startsWith('cnnviz-')) classes.push(c);
    }
    return {
        tag: el.tagName.toLowerCase(),
        role: el.getAttribute('role') || '',
        // roughly the accessible name: aria-label, a <label>, the text, then the title
        label: el.getAttribute('aria-label')
               || (el.labels && el.labels[0] ? el.labels[0].textContent.trim() : '')
               || (el.tagName === 'TEXTAREA' || el.tagName === 'INPUT'
                   ? '' : el.textContent.trim().slice(0, 60))
               || el.getAttribute('title') || '',
        classes: classes,
        id: el.id,
    };
}
"""


def start_before(page, root_selector: str) -> None:
    """Put the keyboard focus just before the first element matching ``root_selector``,
    as if the student had Tabbed up to it: a focusable marker is inserted before the widget
    and focused (no mouse event)."""
    found = page.evaluate(
        """(sel) => {
            const root = document.querySelector(sel);
            if (!root) return false;
            let mark = document.getElementById('cnnviz-keyboard-start');
            if (mark) mark.remove();
            mark = document.createElement('span');
            mark.id = 'cnnviz-keyboard-start';
            mark.tabIndex = 0;
            mark.textContent = 'start';
            root.parentElement.insertBefore(mark, root);
            mark.focus();
            return document.activeElement === mark;
        }""",
        root_selector,
    )
    assert found, f"no element {root_selector!r} to start the keyboard walk before"


def focused(page) -> dict | None:
    return page.evaluate(_DESCRIBE_FOCUS_JS)


def tab_until(page, predicate, *, what: str, max_presses: int = 80, key: str = "Tab") -> dict:
    """Press Tab until ``predicate(focused_element_description)`` holds; return that
    description. Fails, listing every element passed, if ``max_presses`` are not enough."""
    passed = []
    for _ in range(max_presses):
        page.keyboard.press(key)
        now = focused(page)
        if now and predicate(now):
            return now
        passed.append(now)
    walk = "\n".join(f"  {p}" for p in passed)
    raise AssertionError(f"Tab never reached {what} in {max_presses} presses; focus went:\n{walk}")


def in_widget(css_class: str, tag: str | None = None, role: str | None = None):
    """A predicate for :func:`tab_until`: focus inside the part with ``css_class``."""

    def check(desc):
        return (
            css_class in desc["classes"]
            and (tag is None or desc["tag"] == tag)
            and (role is None or desc["role"] == role)
        )

    return check


def assert_accessible(page, report_name: str) -> None:
    """axe-core (WCAG 2.0/2.1 A and AA) finds no violation in what cnnviz renders, and every
    control and picture in the outputs has a name a screen reader can say.

    Violations that belong to JupyterLab or ipywidgets (``THIRD_PARTY``) are only reported;
    every run writes its report to test-artifacts/a11y/<report_name>.json.
    """
    result = run_axe(page)
    report = write_report(report_name, result)
    ours = [v for v in result["violations"] if v["origin"] == "cnnviz"]
    assert not ours, (
        f"{len(ours)} WCAG 2.1 A/AA violations in cnnviz's outputs "
        f"{summary(ours)} (report: {report}):\n{describe(ours)}"
    )
    assert_named(page)


def assert_named(page) -> None:
    problems = unnamed_controls(page)
    assert not problems, "controls or pictures a screen reader cannot name:\n" + "\n".join(problems)

"""No two modules import each other, directly or round a longer circle (ARCHITECTURE.md).

import-linter's `acyclic_siblings` contract in `make lint` checks cycles between the parts
of each app, but it needs a common ancestor, and the apps are separate top-level
packages: a circle such as notices.content -> meetings.rsvp -> notices.outbox ->
notices.content would pass it. This test walks the whole module graph instead.
grimp (import-linter's own graph library) reads every import statement, so a lazy
import inside a function counts, which is the point: such an import hides a circle
rather than breaking it.
"""

from itertools import pairwise

import grimp

PACKAGES = (
    "members",
    "groups",
    "meetings",
    "documents",
    "decisions",
    "notices",
    "search",
    "portal",
    "demo",
)


def _line(graph, importer, imported):
    details = graph.get_import_details(importer=importer, imported=imported)
    return min(detail["line_number"] for detail in details) if details else "?"


def _cycles(graph):
    """One circle per import that leads back to its importer, as module names."""
    cycles = set()
    for importer in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is not None:
                circle = (importer, *back)
                # Name each circle from its smallest module so it is reported once.
                start = circle.index(min(circle[:-1]))
                cycles.add(circle[start:-1] + circle[:start] + (circle[start],))
    return sorted(cycles)


def _describe(graph, circle):
    steps = [
        f"{importer} (line {_line(graph, importer, imported)}) -> {imported}"
        for importer, imported in pairwise(circle)
    ]
    return "\n  ".join(steps)


def test_no_module_imports_itself_through_others():
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)

    cycles = _cycles(graph)

    report = "\n".join(f"circle:\n  {_describe(graph, circle)}" for circle in cycles)
    assert cycles == [], report


def test_cycle_finder_reports_lazy_and_long_circles():
    graph = grimp.ImportGraph()
    for module in ("a", "b", "c", "d"):
        graph.add_module(module)
    graph.add_import(importer="a", imported="b", line_number=1, line_contents="import b")
    graph.add_import(importer="b", imported="c", line_number=1, line_contents="import c")
    # The lazy import inside a function is an import all the same.
    graph.add_import(importer="c", imported="a", line_number=9, line_contents="import a")
    graph.add_import(importer="a", imported="d", line_number=2, line_contents="import d")

    assert _cycles(graph) == [("a", "b", "c", "a")]

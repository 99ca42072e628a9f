"""Minutes as the secretariat writes them in the portal's template: "# " and "## " lines
head the minutes and their sections, "- " lines are list items, blank lines part
paragraphs. Everything else is text, escaped: the minutes are never read as HTML."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _blocks(body: str) -> list[list[str]]:
    blocks: list[list[str]] = [[]]
    for line in body.splitlines():
        if line.startswith(("# ", "## ")):
            blocks += [[line], []]
        elif not line.strip():
            blocks.append([])
        else:
            blocks[-1].append(line)
    return [block for block in blocks if block]


@register.filter
def minutes_html(body: str) -> SafeString:
    parts = []
    for block in _blocks(body or ""):
        first = block[0]
        if first.startswith("# "):
            parts.append(f'<h3 dir="auto">{escape(first[2:].strip())}</h3>')
        elif first.startswith("## "):
            parts.append(f'<h4 dir="auto">{escape(first[3:].strip())}</h4>')
        elif all(line.startswith("- ") for line in block):
            items = "".join(f"<li>{escape(line[2:].strip())}</li>" for line in block)
            parts.append(f'<ul dir="auto">{items}</ul>')
        else:
            lines = "<br>".join(escape(line) for line in block)
            parts.append(f'<p dir="auto">{lines}</p>')
    return mark_safe("\n".join(parts))  # noqa: S308 (every piece of text is escaped above)

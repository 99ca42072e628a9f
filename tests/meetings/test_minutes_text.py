"""The minutes' text on the pages: the template's headings and lists read as such, and
nothing the secretariat writes is ever taken for HTML."""

from meetings.templatetags.minutes_text import minutes_html


def test_headings_lists_and_paragraphs_are_drawn_and_the_markers_are_gone():
    body = (
        "# Minutes of the launch\n\n## 1. Opening\n\n"
        "The Chair opened.\nAll present.\n\n- MoH: Huda\n- IOM: Othman\n"
    )

    html = minutes_html(body)

    assert '<h3 dir="auto">Minutes of the launch</h3>' in html
    assert '<h4 dir="auto">1. Opening</h4>' in html
    assert '<p dir="auto">The Chair opened.<br>All present.</p>' in html
    assert '<ul dir="auto"><li>MoH: Huda</li><li>IOM: Othman</li></ul>' in html
    assert "##" not in html


def test_what_the_minutes_say_is_escaped_wherever_it_stands():
    html = minutes_html("## <script>x</script>\n\n<b>bold</b>\n\n- <i>i</i>")

    assert "<script>" not in html
    assert "<b>" not in html
    assert "<i>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html

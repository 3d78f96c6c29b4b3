"""HTML pages of a batch, rendered from jinja2 templates (grader/templates/*.html.j2).

Autoescaping is on for every template: anything a submission controls (its id, what it
printed, the errors it raised, the feedback that quotes its values) reaches a page as text,
never as markup. Links to a student's folder quote the id as one URL path segment.

Words are translated with jinja2's i18n extension: ``{{ _("Feedback for {id}", id=student_id) }}``.
The placeholders are filled after translation with the values made text as everywhere else
(`_text`, then HTML-escaped), so a translation changes the words and never the escaping.
"""

from functools import cache
from pathlib import Path
from urllib.parse import quote

from .escape import terminal
from .. import i18n

TEMPLATES = Path(__file__).parent / "templates"


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def _text(value):
    import markupsafe

    return terminal(value) if isinstance(value, str) and not isinstance(value, markupsafe.Markup) else value


def _translate(message: str, **values):
    """The message in the language in force, its {placeholders} filled with escaped text."""
    import markupsafe

    return markupsafe.Markup(i18n._(message)).format(**{name: _text(value) for name, value in values.items()})


def _translate_plural(singular: str, plural: str, count: int, **values):
    import markupsafe

    return markupsafe.Markup(i18n.ngettext(singular, plural, count)).format(
        count=count, **{name: _text(value) for name, value in values.items()})


def html_language() -> str:
    """The page's lang attribute: "en", "zh-CN" (BCP 47)."""
    return i18n.language().replace("_", "-")


@cache
def environment():
    import jinja2

    # finalize: every value a page shows is text first (control characters made visible, as in
    # every medium: escape.py), then autoescaped as HTML; markup the templates mark safe is kept.
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, finalize=_text, extensions=["jinja2.ext.i18n"])
    env.install_gettext_callables(gettext=_translate, ngettext=_translate_plural, newstyle=False)
    env.globals["html_language"] = html_language
    env.filters.update(points=lambda value: f"{float(value):g}", percent=percent,  # as the gradebook writes points
                       path_segment=lambda text: quote(str(text), safe=""))
    return env


def render(template: str, **values) -> str:
    return environment().get_template(template).render(**values)

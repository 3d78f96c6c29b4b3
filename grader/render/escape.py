"""Student text is data: one function per medium that shows it.

Whatever a submission controls reaches reports as text: what it prints or raises, its file,
class and attribute names, the type and dtype names the judge quotes ("backward returned a X").
Each renderer passes every such string through the function of its medium, where it writes it:

- `terminal`: a terminal, and every plain-text medium that a terminal or an ANSI-aware viewer
  may show: ``grader grade``/``check``/``batch``, pytest, Gradescope ``output_format: "text"``,
  PrairieLearn's ``message``/``output`` (which PrairieLearn runs through ansi2html, so escape
  sequences would become colours and OSC 8 links), and notebook stream output (Jupyter and
  nbconvert interpret ANSI codes). It replaces control characters with a visible ``\\xNN``.
- `markdown_inline`, `markdown_block`: feedback.md, which GitHub, LMSs and Jupyter render.
- `html_text`: HTML text and attribute values.
- `inert_text`: a medium whose renderer is not documented (Coursera's ``feedback`` string): plain
  text that makes no tag, link or image whether it is shown as text, HTML or Markdown.

Every medium is also read in a terminal sooner or later (``cat feedback.md``), so every
function starts with `terminal`.

Sources: PrairieLearn's apps/prairielearn/elements/pl-external-grader-results (ansi2html, then
Mustache); nbconvert's filters/ansi.py; CommonMark 0.31.2, "Backslash escapes" and "Fenced code
blocks" (https://spec.commonmark.org/0.31.2/); Trojan Source (https://trojansource.codes/).
"""

import html
import re

# C0 controls but tab and newline, DEL and C1 (ESC, BEL, CSI 0x9b, OSC 0x9d...), the Unicode
# bidirectional overrides and isolates that make text display in another order than it reads
# ("Trojan Source", CVE-2021-42574), and lone surrogates, which no UTF-8 stream can encode.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029]")  # CR would rewrite the line it ends: a new line instead


def _visible(match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text) -> str:
    """`text` with every control character but tab and newline shown as ``\\xNN`` (``\\uNNNN``)."""
    return _CONTROL.sub(_visible, _NEWLINES.sub("\n", str(text)))


# Characters that start Markdown syntax inline (CommonMark lets any ASCII punctuation be
# backslash-escaped): emphasis, code spans, links and images, tables, strikethrough. An "_"
# inside a word (grad_out) cannot open emphasis, so it stays as it is, readable in the raw file.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*\[\]|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def markdown_inline(text) -> str:
    """One line of Markdown that shows `text` literally: whitespace runs (newlines too) become
    one space, HTML is escaped, and Markdown punctuation is backslash-escaped."""
    flat = " ".join(terminal(text).split())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(flat, quote=False))


def markdown_block(text, info: str = "text") -> str:
    """A fenced code block showing `text` literally, whose fence no backtick run inside `text`
    can close early (CommonMark: a closing fence is at least as long as the opening one)."""
    body = terminal(text).rstrip()
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{body}\n{fence}\n"


def html_text(text) -> str:
    """`text` escaped for HTML content and quoted attribute values."""
    return html.escape(terminal(text), quote=True)


# "<" or "&" before what could make a tag, a comment or an entity; "](" of a Markdown link.
_MARKUP_START = re.compile(r"([<&](?=[A-Za-z/!?#])|\](?=\())")


def inert_text(text) -> str:
    """Plain text in which no HTML or Markdown renderer finds a tag, an entity, a link or an
    image: a zero-width space after every "<" or "&" that could open a tag or an entity and
    inside every "](", which reads the same as plain text."""
    return _MARKUP_START.sub("\\1\u200b", terminal(text))

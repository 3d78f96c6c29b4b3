"""Wrapping text to a terminal's width in cells, for every language the reports speak.

`textwrap` counts characters and breaks only at spaces. A Chinese sentence has no spaces and each
of its characters takes two terminal cells, so textwrap would leave it one line twice too wide.
Text whose every character is one cell wide is wrapped by `textwrap` itself, exactly as before;
other text is filled by cell width (rich's `cell_len`), with a break allowed at every space and
between any two wide (CJK) characters, which is how Chinese text is set.
"""

import re
import textwrap

from rich.cells import cell_len

_WIDE = "\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
_CLOSING = "，。；：、！？）》」』】"  # never at the start of a line: they stay with what they follow
# One token: a run of spaces, or one wide character, or a run of anything else, with the closing
# punctuation that follows it.
_TOKENS = re.compile(rf"\s+|(?:[{_WIDE}]|[^\s{_WIDE}]+)[{_CLOSING}]*")


def wrap(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> list:
    """`text` (one line) as lines of at most `width` cells, like textwrap.wrap(break_on_hyphens=False)."""
    if cell_len(text) == len(text):
        return textwrap.wrap(text, width, initial_indent=initial_indent, subsequent_indent=subsequent_indent,
                             break_on_hyphens=False)
    lines, line, space = [], initial_indent, False
    for token in _TOKENS.findall(text):
        if token.isspace():
            space = True
            continue
        sep, space = (" " if space and line.strip() else ""), False
        if line.strip() and cell_len(line + sep + token) > width:
            lines.append(line)
            line, sep = subsequent_indent, ""
        if cell_len(line + sep + token) <= width:
            line += sep + token
            continue
        for char in sep + token:  # a word wider than a line: folded where it reaches the edge
            if line.strip() and cell_len(line + char) > width:
                lines.append(line)
                line = subsequent_indent
            line += char if line.strip() or not char.isspace() else ""
    if line.strip():
        lines.append(line)
    return lines

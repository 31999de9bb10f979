"""The documentation as the tests read it: the pages, their links, headings, code spans and the
commands of their shell blocks, parsed with markdown-it-py (CommonMark, as GitHub renders it)."""

import re
import shlex
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from dagster_project.settings import REPOSITORY_ROOT

PAGES = (
    REPOSITORY_ROOT / "README.md",
    *sorted((REPOSITORY_ROOT / "docs").glob("*.md")),
    REPOSITORY_ROOT / "deploy" / "README.md",
)
SHELL_LANGUAGES = {"bash", "sh", "shell"}
COMMAND_SEPARATORS = {"&&", ";", "&", "||", "|"}


def relative(page: Path) -> str:
    return str(page.relative_to(REPOSITORY_ROOT))


@cache
def tokens(page: Path) -> tuple[Token, ...]:
    return tuple(MarkdownIt("commonmark").enable("table").parse(page.read_text()))


def inline_children(page: Path) -> list[Token]:
    return [child for token in tokens(page) if token.children for child in token.children]


def links(page: Path) -> list[str]:
    return [
        str(child.attrs["href"]) for child in inline_children(page) if child.type == "link_open"
    ]


def code_spans(page: Path) -> list[str]:
    return [child.content for child in inline_children(page) if child.type == "code_inline"]


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@cache
def anchors(page: Path) -> frozenset[str]:
    """The anchors GitHub gives the page's headings (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    found = set()
    all_tokens = tokens(page)
    for index, token in enumerate(all_tokens):
        if token.type != "heading_open":
            continue
        text = "".join(child.content for child in all_tokens[index + 1].children or [])
        anchor = slug(text)
        found.add(anchor if anchor not in seen else f"{anchor}-{seen[anchor]}")
        seen[anchor] = seen.get(anchor, 0) + 1
    return frozenset(found)


def shell_blocks(page: Path) -> list[str]:
    return [
        token.content
        for token in tokens(page)
        if token.type == "fence" and token.info.strip() in SHELL_LANGUAGES
    ]


@dataclass(frozen=True)
class Command:
    """One simple command of a shell block, with the folder a preceding ``cd`` moved to."""

    page: str
    words: tuple[str, ...]
    folder: str = "."

    def __str__(self) -> str:
        return f"{self.page}: {shlex.join(self.words)}"


def split_line(line: str) -> list[list[str]]:
    """The simple commands of one shell line, comments dropped."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    lexer.commenters = "#"
    commands: list[list[str]] = [[]]
    for word in lexer:
        if word in COMMAND_SEPARATORS:
            commands.append([])
        else:
            commands[-1].append(word)
    return [command for command in commands if command]


def commands(page: Path) -> list[Command]:
    """Every simple command of the page's shell blocks, in order."""
    found = []
    for block in shell_blocks(page):
        folder = "."
        for line in block.replace("\\\n", " ").splitlines():
            for words in split_line(line):
                found.append(Command(relative(page), tuple(words), folder))
                if words[0] == "cd":
                    folder = str(Path(folder) / words[1])
    return found


def all_commands() -> list[Command]:
    return [command for page in PAGES for command in commands(page)]

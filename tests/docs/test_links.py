"""Every relative link of the docs reaches a file of the repository, and every anchor a heading."""

from urllib.parse import unquote, urlsplit

import pytest

from tests.docs.pages import PAGES, REPOSITORY_ROOT, anchors, links, relative


def broken_links(page) -> list[str]:
    broken = []
    for href in links(page):
        parts = urlsplit(href)
        if parts.scheme or href.startswith("//"):
            continue  # a web page: not the repository's to check
        target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if not target.is_relative_to(REPOSITORY_ROOT):
            broken.append(f"{href}: outside the repository")
        elif not target.exists():
            broken.append(f"{href}: no such file")
        elif parts.fragment and target.suffix == ".md" and parts.fragment not in anchors(target):
            broken.append(f"{href}: no heading with that anchor in {relative(target)}")
    return broken


@pytest.mark.parametrize("page", PAGES, ids=relative)
def test_every_relative_link_and_anchor_resolves(page):
    assert broken_links(page) == []


def test_the_readme_maps_every_page_of_the_docs():
    linked = {(REPOSITORY_ROOT / href).resolve() for href in links(REPOSITORY_ROOT / "README.md")}
    assert {
        page for page in PAGES if page.name != "README.md" or page.parent.name == "deploy"
    } - linked == set()


def test_the_readme_stays_about_a_page():
    assert len((REPOSITORY_ROOT / "README.md").read_text().splitlines()) <= 150

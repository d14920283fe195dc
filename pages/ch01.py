"""Chapter 1."""

from ui.chapter import render_chapter

render_chapter(1)

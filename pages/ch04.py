"""Chapter 4."""

from ui.chapter import render_chapter

render_chapter(4)

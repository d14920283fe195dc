"""Chapter 5."""

from ui.chapter import render_chapter

render_chapter(5)

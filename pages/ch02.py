"""Chapter 2."""

from ui.chapter import render_chapter

render_chapter(2)

"""Chapter 7."""

from ui.chapter import render_chapter

render_chapter(7)

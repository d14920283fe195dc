"""Chapter 12."""

from ui.chapter import render_chapter

render_chapter(12)

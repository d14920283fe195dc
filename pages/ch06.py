"""Chapter 6."""

from ui.chapter import render_chapter

render_chapter(6)

"""Chapter 8."""

from ui.chapter import render_chapter

render_chapter(8)

"""Chapter 3."""

from ui.chapter import render_chapter

render_chapter(3)

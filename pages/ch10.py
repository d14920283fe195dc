"""Chapter 10."""

from ui.chapter import render_chapter

render_chapter(10)

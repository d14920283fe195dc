"""Chapter 15."""

from ui.chapter import render_chapter

render_chapter(15)

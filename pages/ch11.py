"""Chapter 11."""

from ui.chapter import render_chapter

render_chapter(11)

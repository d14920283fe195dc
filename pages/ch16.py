"""Chapter 16."""

from ui.chapter import render_chapter

render_chapter(16)

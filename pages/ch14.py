"""Chapter 14."""

from ui.chapter import render_chapter

render_chapter(14)

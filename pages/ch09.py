"""Chapter 9."""

from ui.chapter import render_chapter

render_chapter(9)

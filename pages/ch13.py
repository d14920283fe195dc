"""Chapter 13."""

from ui.chapter import render_chapter

render_chapter(13)

"""Streamlit components shared by the pages. Everything that imports streamlit lives here or in pages/."""

"""d2lcore — the models and derivations of *Dive into Deep Learning*, as small pure functions.

Topic modules are imported explicitly (`from d2lcore import intro`); importing the package imports nothing heavy.
No module here imports streamlit.
"""

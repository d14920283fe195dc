"""Measurements of the running app (not tests): start-up time and memory."""

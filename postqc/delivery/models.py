"""Delivery quality: segments, frequency / depth / time-limit rules and their compliance."""

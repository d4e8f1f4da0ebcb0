"""REST API for customers (read only). ID numbers are masked unless the user may see them."""

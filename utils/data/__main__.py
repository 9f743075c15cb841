"""`python -m utils.data`: fetch and prepare every cached dataset (nothing to fetch yet)."""

print("utils.data: nothing to prepare.")

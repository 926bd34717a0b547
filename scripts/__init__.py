"""Scripts behind `make run` and the whole-system tests."""

"""Tools beside the use cases: demo data, documentation, comparing processes."""

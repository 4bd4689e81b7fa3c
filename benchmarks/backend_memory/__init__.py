"""How much memory a PostgreSQL backend keeps after serving thousands of tenant schemas."""

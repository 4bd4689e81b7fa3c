"""Stock, sales and purchasing of one tenant: the app the migrate-fleet benchmark migrates."""

"""Entry point of the ``tenantry`` plugin group for this package.

Kept free of Django imports at module level: core may load plugins in processes that
never configure Django. Hook implementations import what they need when called.
"""

"""Entry point of the ``tenantry`` plugin group for this package.

No Django imports at module level: core may load plugins where Django is not configured.
"""
